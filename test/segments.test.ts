// Tags and segments through the API on hand-made customers: rule tags applied in the order's transaction
// and back-filled by a job, manual tags, rule trees counted and checked node by node, snapshots that stay
// frozen, exports, and one shop never seeing another's.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';
import { settleJobs, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describeEachDb('tags and segments', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let zed: string;
  const ids: Record<string, string> = {};
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, who = a) => {
    const r = await t.app.inject({ method, url, headers: who.auth, payload: payload as object });
    const json = r.headers['content-type']?.toString().startsWith('application/json');
    return { status: r.statusCode, body: json ? r.json() : null, raw: r };
  };
  const count = async (rule: unknown, who = a) => {
    const r = await call('POST', '/api/segments/count', { rule }, who);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.customers as number;
  };
  const tag = async (name: string) =>
    (await call('GET', '/api/tags')).body.items.find((x: { name: string }) => x.name === name);
  const tagsOf = async (who: string) =>
    (await call('GET', `/api/customers/${ids[who]}/tags`)).body.items.map((x: { name: string }) => x.name);
  const order = async (
    who: string,
    externalId: string,
    o: {
      ago: number;
      total: number;
      items?: object[];
      channel?: string;
      storeId?: string;
      discount?: number;
    },
    extra: object = {},
  ) => {
    const r = await call('POST', '/api/orders', {
      externalId,
      status: 'paid',
      totalCents: o.total,
      discountCents: o.discount ?? 0,
      orderedAt: daysAgo(o.ago),
      channel: o.channel ?? 'online',
      storeId: o.storeId,
      items: o.items ?? [],
      customer: { email: `${who}@example.com`, ...extra },
    });
    expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
    ids[who] = r.body.customerId;
  };
  const oily = {
    title: '清爽控油洁面乳',
    category: 'skincare/oily',
    sku: 'OIL-CLN-01',
    quantity: 1,
    unitPriceCents: 8900,
  };
  const dry = {
    title: '深层保湿面霜',
    category: 'skincare/dry',
    brand: 'Hydra Lab',
    sku: 'DRY-CRM-02',
    quantity: 1,
    unitPriceCents: 18900,
  };

  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
    // The seed case's tag exists before any order: each buyer is tagged as the order comes in.
    const created = await call('POST', '/api/tags', {
      name: 'oily-skin',
      group: 'skin type',
      rule: { type: 'purchased', categories: ['skincare/oily'] },
    });
    expect(created.status).toBe(201);
    await settleJobs(t.jobs, db(), a.shop.shopId);

    // Ann: oily skin, online, recent, three orders. Bo: dry skin, one old order. Cai: offline at store S1,
    // with discounts on every order. Dee: no orders for 200 days, oily skin.
    await order('ann', 'A1', { ago: 5, total: 8900, items: [oily] }, { city: 'Shanghai', name: 'Ann' });
    await order('ann', 'A2', { ago: 30, total: 18900, items: [dry] });
    await order('ann', 'A3', { ago: 60, total: 50000 });
    await order('bo', 'B1', { ago: 400, total: 18900, items: [dry] }, { city: 'Beijing' });
    await order('cai', 'C1', { ago: 20, total: 9000, channel: 'offline', storeId: 'S1', discount: 1000 });
    await order('cai', 'C2', { ago: 10, total: 9000, channel: 'offline', storeId: 'S2', discount: 500 });
    await order('dee', 'D1', { ago: 200, total: 8900, items: [oily] });
    // Shop B has an oily-skin buyer too, who must never appear in shop A's counts.
    const other = await call(
      'POST',
      '/api/orders',
      {
        externalId: 'A1',
        status: 'paid',
        totalCents: 8900,
        orderedAt: daysAgo(1),
        items: [oily],
        customer: { email: 'zed@example.com' },
      },
      b,
    );
    expect(other.status).toBe(201);
    zed = other.body.customerId;
  });
  afterAll(() => t.app.close());

  it('tags each buyer of an oily-skin product in the order’s own transaction', async () => {
    expect(await tagsOf('ann')).toEqual(['oily-skin']);
    expect(await tagsOf('dee')).toEqual(['oily-skin']);
    expect(await tagsOf('bo')).toEqual([]);
    expect((await tag('oily-skin')).customerCount).toBe(2);
    const timeline = (await call('GET', `/api/customers/${ids.ann}/timeline`)).body.items;
    expect(timeline.map((e: { type: string }) => e.type)).toContain('tag.added');
    // Dated by the order that earned it, as its points are: Dee's of 200 days ago, on her profile too.
    const dee = (await call('GET', `/api/customers/${ids.dee}/timeline`)).body.items;
    const tagged = dee.find((e: { type: string }) => e.type === 'tag.added');
    const twoHundredDaysAgo = (at: string) => Math.abs(Date.parse(at) - Date.parse(daysAgo(200)));
    expect(twoHundredDaysAgo(tagged.occurredAt)).toBeLessThan(60_000);
    const deeTags = (await call('GET', `/api/customers/${ids.dee}/tags`)).body.items;
    expect(twoHundredDaysAgo(deeTags[0].taggedAt)).toBeLessThan(60_000);
    // Replaying the order changes nothing.
    await order('ann', 'A1', { ago: 5, total: 8900, items: [oily] });
    expect((await tag('oily-skin')).customerCount).toBe(2);
  });

  it('back-fills a new rule tag over every customer as a job, and a changed rule takes the tag off', async () => {
    const created = await call('POST', '/api/tags', {
      name: 'big spender',
      group: 'value',
      rule: { type: 'field', field: 'spendCents', op: 'gte', value: 20000 },
    });
    expect(created.body.job.kind).toBe('tags.backfill');
    await settleJobs(t.jobs, db(), a.shop.shopId);
    const job = (await call('GET', `/api/jobs/${created.body.job.jobId}`)).body;
    expect(job).toMatchObject({ status: 'completed', done: 4, total: 4 });
    expect(job.result).toMatchObject({ added: 1, removed: 0, customers: 4 });
    expect(await tagsOf('ann')).toEqual(['oily-skin', 'big spender']);
    const tagId = created.body.tag.tagId;
    const changed = await call('PUT', `/api/tags/${tagId}`, {
      name: 'big spender',
      group: 'value',
      rule: { type: 'field', field: 'spendCents', op: 'gte', value: 18000 },
    });
    expect(changed.body.job).not.toBeNull();
    await settleJobs(t.jobs, db(), a.shop.shopId);
    expect((await tag('big spender')).customerCount).toBe(3); // Ann, Bo, Cai
    await call('PUT', `/api/tags/${tagId}`, {
      name: 'big spender',
      group: 'value',
      rule: { type: 'field', field: 'spendCents', op: 'gte', value: 70000 },
    });
    await settleJobs(t.jobs, db(), a.shop.shopId);
    expect((await tag('big spender')).customerCount).toBe(1);
    expect(await tagsOf('bo')).toEqual([]);
    const bo = (await call('GET', `/api/customers/${ids.bo}/timeline`)).body.items;
    expect(
      bo.filter((e: { type: string }) => e.type.startsWith('tag.')).map((e: { type: string }) => e.type),
    ).toEqual(['tag.removed', 'tag.added']);
  });

  it('applies the seed’s other rule kinds: offline, price-sensitive, region', async () => {
    for (const [name, rule] of [
      ['offline buyer', { type: 'purchased', channel: 'offline' }],
      ['price-sensitive', { type: 'discountShare', atLeast: 0.5 }],
      ['shanghai', { type: 'field', field: 'city', op: 'eq', value: 'shanghai' }],
    ] as const) {
      expect((await call('POST', '/api/tags', { name, group: 'rules', rule })).status).toBe(201);
    }
    await settleJobs(t.jobs, db(), a.shop.shopId);
    expect(await tagsOf('cai')).toEqual(expect.arrayContaining(['offline buyer', 'price-sensitive']));
    expect((await tag('price-sensitive')).customerCount).toBe(1);
    expect(await tagsOf('ann')).toContain('shanghai');
    // A tag rule may not read tags.
    const loop = await call('POST', '/api/tags', {
      name: 'loop',
      rule: { type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] },
    });
    expect(loop.status).toBe(400);
    expect(loop.body.details[0].field).toBe('body.rule.field');
  });

  it('puts manual tags on and off, once, and refuses them on rule tags', async () => {
    const vip = (await call('POST', '/api/tags', { name: 'called by phone', group: 'interaction' })).body.tag;
    expect(vip.rule).toBeNull();
    const twice = await call('POST', '/api/tags', { name: 'called by phone' });
    expect(twice.status).toBe(400);
    expect(twice.body.details).toEqual([{ field: 'name', message: "'called by phone' exists" }]);
    const add = await call('POST', `/api/tags/${vip.tagId}/customers`, { customerIds: [ids.bo, ids.cai] });
    expect(add.body).toEqual({ changed: 2 });
    expect((await call('POST', `/api/tags/${vip.tagId}/customers`, { customerIds: [ids.bo] })).body).toEqual({
      changed: 0,
    });
    expect((await tag('called by phone')).customerCount).toBe(2);
    const off = await call('POST', `/api/tags/${vip.tagId}/customers`, {
      customerIds: [ids.bo],
      remove: true,
    });
    expect(off.body).toEqual({ changed: 1 });
    expect((await tag('called by phone')).customerCount).toBe(1);
    // Segments read the tags from each customer's row, which follows customer_tags in both directions.
    const called = { type: 'field', field: 'tags', value: ['called by phone'] };
    expect(await count({ ...called, op: 'hasAny' })).toBe(1);
    expect(await count({ ...called, op: 'hasNone' })).toBe(3);
    expect(await count({ ...called, op: 'hasAll', value: ['called by phone', 'offline buyer'] })).toBe(1);
    expect(await count({ ...called, op: 'hasAll', value: ['called by phone', 'oily-skin'] })).toBe(0);
    const oilyTag = await tag('oily-skin');
    const refused = await call('POST', `/api/tags/${oilyTag.tagId}/customers`, { customerIds: [ids.bo] });
    expect(refused.status).toBe(400);
    // Another shop's customer is not found.
    const foreign = await call('POST', `/api/tags/${vip.tagId}/customers`, {
      customerIds: [zed],
    });
    expect(foreign.status).toBe(404);
  });

  it('counts AND / OR / NOT trees over fields, tags and order history', async () => {
    expect(await count({ type: 'and', rules: [] })).toBe(4);
    expect(await count({ type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] })).toBe(2);
    expect(await count({ type: 'field', field: 'tags', op: 'hasNone', value: ['oily-skin'] })).toBe(2);
    // Bought oily skincare in the last 90 days: Ann (Dee bought 200 days ago).
    expect(await count({ type: 'purchased', categories: ['skincare/oily'], withinDays: 90 })).toBe(1);
    // No order for 180 days: Bo and Dee.
    expect(await count({ type: 'field', field: 'lastOrderAt', op: 'moreThanDaysAgo', value: 180 })).toBe(2);
    // Bought offline at store S1: Cai.
    expect(await count({ type: 'purchased', channel: 'offline', storeIds: ['S1'] })).toBe(1);
    expect(await count({ type: 'purchased', titleContains: ['保湿'] })).toBe(2);
    // The cream's brand, whatever its case (Ann and Bo); in the last 90 days, Ann; a brand no one bought.
    expect(await count({ type: 'purchased', brands: ['HYDRA LAB'] })).toBe(2);
    expect(await count({ type: 'purchased', brands: ['Hydra Lab'], withinDays: 90 })).toBe(1);
    expect(await count({ type: 'purchased', brands: ['Oil Lab'] })).toBe(0);
    expect(await count({ type: 'purchased', minOrders: 2 })).toBe(2);
    // (oily-skin OR city = Beijing) AND NOT (no order for 180 days) → Ann.
    const tree = {
      type: 'and',
      rules: [
        {
          type: 'or',
          rules: [
            { type: 'field', field: 'tags', op: 'hasAll', value: ['oily-skin'] },
            { type: 'field', field: 'city', op: 'eq', value: 'Beijing' },
          ],
        },
        { type: 'not', rule: { type: 'field', field: 'lastOrderAt', op: 'moreThanDaysAgo', value: 180 } },
      ],
    };
    expect(await count(tree)).toBe(1);
    // NOT of a condition on an unknown value counts those whose value is unknown.
    expect(
      await count({ type: 'not', rule: { type: 'field', field: 'city', op: 'eq', value: 'Shanghai' } }),
    ).toBe(3);
    expect(await count({ type: 'field', field: 'tier', op: 'gte', value: 'Regular' })).toBe(4);
    expect(await count({ type: 'field', field: 'orderCount', op: 'between', value: [2, 3] })).toBe(2);
    // A value is only ever a value.
    expect(
      await count({ type: 'field', field: 'name', op: 'contains', value: "'; drop table customers; --" }),
    ).toBe(0);
    expect(await count({ type: 'field', field: 'name', op: 'contains', value: '%' })).toBe(0);
    expect(await count({ type: 'and', rules: [] })).toBe(4);
  });

  it('answers an invalid tree with a 400 naming each bad node', async () => {
    const bad = await call('POST', '/api/segments/count', {
      rule: {
        type: 'and',
        rules: [
          { type: 'field', field: 'spendCents', op: 'contains', value: 'x' },
          { type: 'or', rules: [{ type: 'field', field: 'password', op: 'eq', value: 'x' }] },
          { type: 'field', field: 'lastOrderAt', op: 'before', value: '2024-02-30' },
          { type: 'field', field: 'tags', op: 'hasAny', value: ['no-such-tag'] },
          { type: 'field', field: 'tier', op: 'eq', value: 'Platinum' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual([
      'body.rule.rules.0.op',
      'body.rule.rules.1.rules.0.field',
      'body.rule.rules.2.value',
      'body.rule.rules.3.value',
      'body.rule.rules.4.value',
    ]);
    expect(bad.body.details[3].message).toContain('no-such-tag');
    // A tree nested thousands deep is refused before anything walks it.
    let deep = '{"type":"field","field":"orderCount","op":"gte","value":1}';
    for (let i = 0; i < 20_000; i++) deep = `{"type":"not","rule":${deep}}`;
    const tooDeep = await t.app.inject({
      method: 'POST',
      url: '/api/segments/count',
      headers: { ...a.auth, 'content-type': 'application/json' },
      payload: `{"rule":${deep}}`,
    });
    expect(tooDeep.statusCode).toBe(400);
    expect(tooDeep.json().details[0].field).toBe('body');
    const shape = await call('POST', '/api/segments/count', { rule: { type: 'xor', rules: [] } });
    expect(shape.status).toBe(400);
    expect(shape.body.details[0].field).toMatch(/^body\.rule/);
    // A misspelt filter is refused, not dropped: dropped, it would widen the audience to every buyer.
    const misspelt = await call('POST', '/api/segments/count', {
      rule: { type: 'and', rules: [{ type: 'purchased', category: ['skincare/oily'] }] },
    });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.details[0].field).toBe('body.rule.rules.0');
    expect(misspelt.body.details[0].message).toContain('category');
  });

  it('saves a segment, samples it, freezes a snapshot and exports both', async () => {
    const rule = { type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] };
    const saved = await call('POST', '/api/segments', { name: 'Oily skin', rule });
    expect(saved.status).toBe(201);
    const id = saved.body.segmentId;
    expect((await call('POST', '/api/segments', { name: 'Oily skin', rule })).status).toBe(400);
    expect((await call('GET', `/api/segments/${id}/count`)).body).toMatchObject({ customers: 2, of: 4 });
    const sample = (await call('POST', '/api/segments/sample', { rule, limit: 10 })).body.items;
    expect(sample.map((c: { customerId: string }) => c.customerId)).toEqual([ids.ann, ids.dee]);

    const snap = await call('POST', `/api/segments/${id}/snapshots`);
    expect(snap.status).toBe(201);
    expect(snap.body.memberCount).toBe(2);
    // A new oily-skin buyer joins the segment but not the snapshot.
    await order('eve', 'E1', { ago: 1, total: 8900, items: [oily] }, { name: '伊芙' });
    expect((await call('GET', `/api/segments/${id}/count`)).body.customers).toBe(3);
    const frozen = await call('GET', `/api/snapshots/${snap.body.snapshotId}/export?format=csv`);
    expect(frozen.raw.headers['content-type']).toContain('text/csv');
    const lines = frozen.raw.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toMatch(/^customerId,name,phone,email/);
    expect(
      lines
        .slice(1)
        .map((l: string) => l.split(',')[0])
        .sort(),
    ).toEqual([ids.ann, ids.dee].sort());

    const live = await t.app.inject({
      method: 'GET',
      url: `/api/segments/${id}/export?format=xlsx`,
      headers: a.auth,
    });
    expect(live.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(live.rawPayload as unknown as ArrayBuffer);
    const rows = book.getWorksheet('customers')!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows).toHaveLength(4);
    expect(rows.some((r) => r.includes('伊芙'))).toBe(true);
    expect(rows.find((r) => r.includes(ids.ann!))).toContain('big spender, oily-skin, shanghai');

    // Deleting the segment leaves the snapshot.
    expect((await call('DELETE', `/api/segments/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/snapshots/${snap.body.snapshotId}`)).body).toMatchObject({
      segmentId: null,
      memberCount: 2,
    });
  });

  it('records consent per channel once, and segments count by it', async () => {
    const put = (who: string, channel: string, status: string, at?: string) =>
      call('PUT', `/api/customers/${ids[who]}/consents/${channel}`, { status, source: 'checkout', at });
    expect((await put('ann', 'sms', 'opted_in')).body.changed).toBe(true);
    expect((await put('ann', 'sms', 'opted_in')).body.changed).toBe(false);
    await put('bo', 'sms', 'opted_in', '2026-01-01T00:00:00Z');
    const out = await put('bo', 'sms', 'opted_out');
    expect(out.body.items).toMatchObject([{ channel: 'sms', status: 'opted_out', source: 'checkout' }]);
    expect((await put('bo', 'fax', 'opted_in')).status).toBe(400);
    expect(await count({ type: 'consent', channel: 'sms', status: 'opted_in' })).toBe(1);
    expect(await count({ type: 'consent', channel: 'sms', status: 'opted_out' })).toBe(1);
    expect(await count({ type: 'consent', channel: 'email', status: 'none' })).toBe(5); // Eve joined above
    const events = (await call('GET', `/api/customers/${ids.bo}/timeline`)).body.items.filter(
      (e: { type: string }) => e.type === 'consent.changed',
    );
    expect(events.map((e: { data: { to: string } }) => e.data.to)).toEqual(['opted_out', 'opted_in']);
    // Another shop cannot read or write this customer's consent.
    expect((await call('GET', `/api/customers/${ids.ann}/consents`, undefined, b)).status).toBe(404);
  });

  it('counts the members within reach of the tier above theirs, under either match, over a lifetime or a rolling year', async () => {
    // Regular → Senior at 500 yuan or 2 purchases; VIP at 2,000 or 5; Supreme VIP at 5,000 or 10.
    const shop = await testTenant(db());
    const buy = async (email: string, externalId: string, yuan: number, ago = 10) => {
      const r = await call(
        'POST',
        '/api/orders',
        {
          externalId,
          status: 'paid',
          totalCents: yuan * 100,
          orderedAt: daysAgo(ago),
          customer: { email },
        },
        shop,
      );
      expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
      return r.body.customerId as string;
    };
    await buy('near@example.com', 'N-1', 450); // Regular: 50 yuan or 1 purchase short of Senior
    await buy('far@example.com', 'F-1', 100); // Regular: 400 yuan or 1 purchase short
    await buy('senior@example.com', 'S-1', 1000);
    await buy('senior@example.com', 'S-2', 900); // Senior: 100 yuan or 3 purchases short of VIP
    await buy('top@example.com', 'T-1', 6000); // Supreme VIP: nothing above
    const near = (rule: object) => count({ type: 'nearNextTier', ...rule }, shop);
    expect(await near({ spendWithinCents: 10_000 })).toBe(2);
    expect(await near({ ordersWithin: 1 })).toBe(2);
    expect(await near({ spendWithinCents: 10_000, ordersWithin: 1 })).toBe(3);
    expect(await near({ spendWithinCents: 4_999 })).toBe(0);
    expect(await count({ type: 'not', rule: { type: 'nearNextTier', ordersWithin: 1 } }, shop)).toBe(2);

    // Under 'all' every threshold counts: the top spender of one order is Regular again, a purchase
    // short of Senior, and within reach only where what is missing is all in reach.
    const program = (await call('GET', '/api/membership/program', undefined, shop)).body.program;
    expect((await call('PUT', '/api/membership/program', { ...program, match: 'all' }, shop)).status).toBe(
      200,
    );
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    expect(await near({ spendWithinCents: 10_000, ordersWithin: 1 })).toBe(2);
    expect(await near({ ordersWithin: 1 })).toBe(1);
    expect(await near({ spendWithinCents: 40_000 })).toBe(0);

    // Over a rolling year only the last twelve months count: a member whose big purchase is thirteen
    // months old has, by their lifetime, Senior's thresholds met, but this year 400 yuan and a purchase
    // to go — what their tier card says.
    const rolling = { ...program, match: 'all', window: 'rolling_12_months' };
    expect((await call('PUT', '/api/membership/program', rolling, shop)).status).toBe(200);
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    await buy('lapsed@example.com', 'L-1', 1950, 400);
    const lapsed = await buy('lapsed@example.com', 'L-2', 100);
    const card = (await call('GET', `/api/customers/${lapsed}/tier`, undefined, shop)).body;
    expect(card).toMatchObject({ rank: 0, next: { rank: 1, spendCents: 40_000, orders: 1 } });
    expect(await near({ spendWithinCents: 40_000, ordersWithin: 1 })).toBe(4); // near, far, top, lapsed
    expect(await near({ spendWithinCents: 39_999, ordersWithin: 1 })).toBe(2);
    expect(await near({ ordersWithin: 1 })).toBe(1);
    // Under 'any' one threshold in reach is enough: a purchase away from Senior this year.
    expect((await call('PUT', '/api/membership/program', { ...rolling, match: 'any' }, shop)).status).toBe(
      200,
    );
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    expect(await near({ ordersWithin: 1 })).toBe(3); // near, far, lapsed
    expect(await count({ type: 'not', rule: { type: 'nearNextTier', ordersWithin: 1 } }, shop)).toBe(2);
    // As a rule tag: back-filled over the shop, then judged for an order's buyer as it comes in.
    const created = await call(
      'POST',
      '/api/tags',
      { name: 'upgrade push', rule: { type: 'nearNextTier', ordersWithin: 1 } },
      shop,
    );
    expect(created.status).toBe(201);
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    const pushed = async () =>
      (await call('GET', '/api/tags', undefined, shop)).body.items[0].customerCount as number;
    expect(await pushed()).toBe(3);
    await buy('newcomer@example.com', 'C-1', 100);
    expect(await pushed()).toBe(4);
    await buy('lapsed@example.com', 'L-3', 100); // two purchases this year: Senior, and no longer near
    expect(await pushed()).toBe(3);
  });

  it('keeps each shop’s tags, segments and counts to itself', async () => {
    const rule = { type: 'purchased', categories: ['skincare/oily'] };
    expect(await count(rule, b)).toBe(1);
    const mine = (await call('POST', '/api/segments', { name: 'mine', rule })).body;
    expect((await call('GET', `/api/segments/${mine.segmentId}`, undefined, b)).status).toBe(404);
    expect((await call('GET', `/api/segments/${mine.segmentId}/export`, undefined, b)).status).toBe(404);
    expect((await call('POST', `/api/segments/${mine.segmentId}/snapshots`, undefined, b)).status).toBe(404);
    const oilyTag = await tag('oily-skin');
    expect((await call('GET', `/api/tags/${oilyTag.tagId}`, undefined, b)).status).toBe(404);
    expect((await call('GET', '/api/tags', undefined, b)).body.items).toEqual([]);
    // A tag of shop A is unknown to shop B's rules.
    expect(
      (
        await call(
          'POST',
          '/api/segments/count',
          { rule: { type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] } },
          b,
        )
      ).status,
    ).toBe(400);
  });

  it('carries tags into the surviving profile when two turn out to be one person', async () => {
    const phoneTag = (await call('POST', '/api/tags', { name: 'vip line' })).body.tag;
    await order('fay', 'F1', { ago: 3, total: 1000 }, { phone: '13800000001' });
    const gus = await call('POST', '/api/orders', {
      externalId: 'G1',
      status: 'paid',
      totalCents: 8900,
      orderedAt: daysAgo(2),
      items: [oily],
      customer: { phone: '13800000002' },
    });
    ids.gus = gus.body.customerId;
    await call('POST', `/api/tags/${phoneTag.tagId}/customers`, { customerIds: [ids.fay, ids.gus] });
    const before = (await tag('oily-skin')).customerCount;
    await call('PUT', `/api/customers/${ids.fay}/consents/email`, {
      status: 'opted_in',
      source: 'store',
      at: '2026-01-01T00:00:00Z',
    });
    await call('PUT', `/api/customers/${ids.gus}/consents/email`, {
      status: 'opted_out',
      source: 'unsubscribe',
    });
    // One order names Fay's email and Gus's phone: the two profiles merge.
    await call('POST', '/api/orders', {
      externalId: 'F2',
      status: 'paid',
      totalCents: 1000,
      orderedAt: daysAgo(1),
      customer: { email: 'fay@example.com', phone: '13800000002' },
    });
    expect((await tag('vip line')).customerCount).toBe(1);
    const survivor = (await call('GET', `/api/customers/${ids.fay}`)).body.customerId;
    const tags = (await call('GET', `/api/customers/${survivor}/tags`)).body.items.map(
      (x: { name: string }) => x.name,
    );
    expect(tags).toEqual(expect.arrayContaining(['vip line', 'oily-skin']));
    expect((await tag('oily-skin')).customerCount).toBe(before);
    // Fay had only 'vip line': the survivor's row lists the tag carried over from Gus.
    expect(
      await count({ type: 'field', field: 'tags', op: 'hasAll', value: ['vip line', 'oily-skin'] }),
    ).toBe(1);
    // Per channel, the word given last stands.
    expect((await call('GET', `/api/customers/${survivor}/consents`)).body.items).toMatchObject([
      { channel: 'email', status: 'opted_out', source: 'unsubscribe' },
    ]);
  });

  it('keeps orders coming in when a rule tag names a tier since renamed, and says what is wrong', async () => {
    const vip = await call('POST', '/api/tags', {
      name: 'vip and up',
      rule: { type: 'field', field: 'tier', op: 'gte', value: 'VIP' },
    });
    expect(vip.status).toBe(201);
    const { program } = (await call('GET', '/api/membership/program')).body;
    program.tiers[2].name = 'Gold';
    expect((await call('PUT', '/api/membership/program', program)).status).toBe(200);
    const listed = (await call('GET', '/api/tags')).body.items.find(
      (x: { name: string }) => x.name === 'vip and up',
    );
    expect(listed.ruleProblem).toContain("rule.value: one of the shop's tiers: Regular, Senior, Gold");
    // A rule tag made after the broken one, with values of its own: all the rule tags are judged in
    // one statement, and the broken one's values must not take its place.
    const after = await call('POST', '/api/tags', {
      name: 'recent oily',
      rule: { type: 'purchased', categories: ['skincare/oily'], withinDays: 30, minOrders: 1 },
    });
    expect(after.status).toBe(201);
    await order('hal', 'H1', { ago: 1, total: 8900, items: [oily] });
    expect((await tagsOf('hal')).sort()).toEqual(['oily-skin', 'recent oily']);
    const job = (await call('POST', '/api/tags/backfill')).body;
    await settleJobs(t.jobs, db(), a.shop.shopId);
    expect((await call('GET', `/api/jobs/${job.jobId}`)).body.result.invalid).toEqual(['vip and up']);
  });

  it('keeps every customer’s tag list on their row as customer_tags has it, through a tag’s deletion', async () => {
    const drift = async () =>
      (
        await db().query<{ tagged: number; drift: number }>(
          `select count(*) filter (where cardinality(c.tag_ids) > 0)::int as tagged,
                  count(*) filter (where c.tag_ids <> coalesce((select array_agg(t.tag_id order by t.tag_id)
                    from customer_tags t where t.shop_id = c.shop_id and t.customer_id = c.customer_id), '{}'))::int as drift
             from customers c where c.shop_id = $1`,
          [a.shop.shopId],
        )
      )[0]!;
    const kept = await drift();
    expect(kept.drift).toBe(0);
    expect(kept.tagged).toBeGreaterThan(3);
    const oilyTag = await tag('oily-skin');
    expect(await count({ type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] })).toBeGreaterThan(
      0,
    );
    expect((await call('DELETE', `/api/tags/${oilyTag.tagId}`)).status).toBe(204);
    expect(await drift()).toMatchObject({ drift: 0 });
    const [{ n }] = (await db().query<{ n: number }>(
      `select count(*)::int as n from customers where shop_id = $1 and $2::uuid = any(tag_ids)`,
      [a.shop.shopId, oilyTag.tagId],
    )) as [{ n: number }];
    expect(n).toBe(0);
  });
});
