// Flows through the API and the job queue, delivering to a real SMTP server started here: a care flow
// after an order (wait, coupon, send, tag, points), a win-back flow with a branch, every trigger's
// occurrences entering once, the holdout, the contact cap, replays that change nothing, validation
// field by field, and one shop never reaching another's flows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFlows } from '../src/engage/flows/engine.js';
import { enqueueJob } from '../src/jobs/jobs.js';
import { describeEachDb } from './support/databases.js';
import { settleJobs, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';
import { startSmtpSink, type SmtpSink } from './support/sinks.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

describeEachDb('flows', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let smtp: SmtpSink;
  const ids: Record<string, string> = {};
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    who = a,
  ) => {
    const r = await t.app.inject({ method, url, headers: who.auth, payload: payload as object });
    const json = r.headers['content-type']?.toString().startsWith('application/json');
    return { status: r.statusCode, body: json ? r.json() : null };
  };
  const ok = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    who = a,
  ) => {
    const r = await call(method, url, payload, who);
    expect([200, 201, 202, 204], `${method} ${url}: ${JSON.stringify(r.body)}`).toContain(r.status);
    return r.body;
  };
  let orderNo = 0;
  const order = async (who: string, ago: number, extra: object = {}, status = 'paid') => {
    const body = await ok('POST', '/api/orders', {
      externalId: `o-${(orderNo += 1)}`,
      status,
      totalCents: 12000,
      refundedCents: status === 'refunded' ? 12000 : 0,
      orderedAt: daysAgo(ago),
      channel: 'online',
      items: [
        { title: '保湿面霜', sku: 'CR-DRY', category: 'skincare/dry', quantity: 1, unitPriceCents: 12000 },
      ],
      customer: { email: `${who}@example.com`, name: who, ...extra },
    });
    ids[who] = body.customerId;
  };
  const optIn = (who: string) =>
    ok('PUT', `/api/customers/${ids[who]}/consents/email`, { status: 'opted_in', source: 'checkout' });
  const run = async () => {
    await ok('POST', '/api/flows/run');
    await settleJobs(t.jobs, db(), a.shop.shopId);
  };
  const report = (flowId: string) => ok('GET', `/api/flows/${flowId}/report`);
  const mailsTo = (who: string) => smtp.mails.filter((m) => m.to.includes(`${who}@example.com`));
  const tag = async (name: string) => (await ok('POST', '/api/tags', { name })).tag.tagId as string;
  const balance = async (who: string) =>
    (await ok('GET', `/api/customers/${ids[who]}/points`)).balance as number;

  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db(), 'Lotus Skincare');
    b = await testTenant(db(), 'Other shop');
    smtp = await startSmtpSink();
    await ok('PUT', '/api/channels/email', {
      channel: 'email',
      settings: { host: '127.0.0.1', port: smtp.port, from: 'Lotus <care@lotus.example>' },
      ratePerSecond: 1000,
    });
    await ok('PUT', '/api/engage/links', { publicUrl: 'https://crm.lotus.example/' });
    await ok('PUT', '/api/contact-policy', { maxMessages: 10, perDays: 7, quietHours: null });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('walks a care flow: waits from the order, issues a code, sends it, tags and awards points, once', async () => {
    await order('ann', 5);
    await order('bob', 1);
    await order('old', 20);
    await order('gave-back', 2, {}, 'refunded');
    for (const who of ['ann', 'bob', 'old']) await optIn(who);
    const coupon = await ok('POST', '/api/coupons', {
      name: 'Care thanks',
      kind: 'amount',
      amountCents: 1500,
      validDays: 30,
      codePrefix: 'CARE',
    });
    const template = await ok('POST', '/api/templates', {
      name: 'Care after three days',
      channel: 'email',
      subject: 'How is your cream, {{ customer.name }}?',
      body: '<p>Here is {{ coupon.value }} off your next order: {{ coupon.code }}</p>',
    });
    const cared = await tag('cared');
    const before = await balance('ann');
    const flow = await ok('POST', '/api/flows', {
      name: 'Care after purchase',
      trigger: { type: 'order_paid' },
      steps: [
        { id: 'wait', type: 'wait', days: 3 },
        { type: 'coupon', couponId: coupon.couponId },
        { type: 'send', templateId: template.templateId },
        { type: 'tag', tagId: cared, action: 'add' },
        { type: 'points', points: 50, reason: 'care flow thanks' },
      ],
    });
    expect(flow.status).toBe('draft');
    const stepIds: string[] = flow.steps.map((s: { id: string }) => s.id);
    expect(new Set(stepIds).size).toBe(5);
    expect(stepIds[0]).toBe('wait');

    await ok('POST', `/api/flows/${flow.flowId}/activate`, { catchUpDays: 7 });
    await settleJobs(t.jobs, db(), a.shop.shopId);
    await run();

    // Ann's order is five days old: her wait is over. Bob's is a day old: he waits. The 20-day-old
    // order is before the catch-up window, and the wholly refunded one starts no care.
    const r = await report(flow.flowId);
    expect(r.entered).toBe(2);
    expect(r.steps.wait).toEqual({ passed: 1, yes: 0, no: 0, here: 1 });
    for (const id of stepIds.slice(1)) expect(r.steps[id].passed).toBe(1);
    expect(r.completed).toBe(1);
    expect(r.coupons.issued).toBe(1);
    const mails = mailsTo('ann');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.headers.get('subject')).toBe('How is your cream, ann?');
    const code = /CARE-[0-9A-F]{16}/.exec(mails[0]!.body)?.[0];
    expect(code).toBeDefined();
    expect(mails[0]!.body).toContain('15.00 CNY');
    expect(mailsTo('bob')).toHaveLength(0);
    expect(mailsTo('old')).toHaveLength(0);
    expect(await balance('ann')).toBe(before + 50);
    const tags = await ok('GET', `/api/customers/${ids.ann}/tags`);
    expect(tags.items.map((x: { name: string }) => x.name)).toContain('cared');
    // Her pass through the flow is on her timeline.
    const timeline = await ok('GET', `/api/customers/${ids.ann}/timeline?limit=50`);
    expect(timeline.items.find((e: { type: string }) => e.type === 'flow.entered')?.data).toMatchObject({
      flow: 'Care after purchase',
      status: 'completed',
    });

    // Running again (the scheduler does every minute) changes nothing.
    await run();
    await run();
    expect(await report(flow.flowId)).toEqual(r);
    expect(mailsTo('ann')).toHaveLength(1);
    expect(await balance('ann')).toBe(before + 50);

    // Three days on, Bob's wait ends: he gets his own code in a message queued then.
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 3 * DAY));
    const later = await report(flow.flowId);
    expect(later.steps.wait).toEqual({ passed: 2, yes: 0, no: 0, here: 0 });
    expect(later.completed).toBe(2);
    const [queued] = await db().query<{ couponCode: string }>(
      `select coupon_code as "couponCode" from messages where shop_id = $1 and flow_id = $2 and customer_id = $3`,
      [a.shop.shopId, flow.flowId, ids.bob],
    );
    expect(queued!.couponCode).toMatch(/^CARE-/);
    expect(queued!.couponCode).not.toBe(code);

    // Bringing the code back on an order redeems it for the flow.
    await order('ann', 0, {});
    await ok('POST', '/api/orders', {
      externalId: 'redeem-1',
      status: 'paid',
      totalCents: 9000,
      orderedAt: new Date().toISOString(),
      couponCode: code,
      customer: { email: 'ann@example.com' },
    });
    expect((await report(flow.flowId)).coupons.redeemed).toBe(1);
  });

  it('branches a win-back flow and lets each lapse in once', async () => {
    await order('lapsed1', 70);
    await order('lapsed2', 68);
    await order('lapsed2', 62);
    await order('gone', 150);
    const loyal = await tag('lapsed-regular');
    const once = await tag('lapsed-once');
    const flow = await ok('POST', '/api/flows', {
      name: 'Win back',
      trigger: { type: 'no_order', days: 60 },
      steps: [
        {
          id: 'regular',
          type: 'branch',
          condition: { type: 'field', field: 'orderCount', op: 'gte', value: 2 },
          yes: [{ type: 'tag', tagId: loyal, action: 'add' }],
          no: [{ type: 'tag', tagId: once, action: 'add' }],
        },
      ],
    });
    await ok('POST', `/api/flows/${flow.flowId}/activate`, { catchUpDays: 14 });
    await run();
    const r = await report(flow.flowId);
    // lapsed1: 70 days since the last order (60 + 10 ≤ 14 days back); lapsed2's last order is 62 days ago.
    expect(r.entered).toBe(2);
    expect(r.steps.regular).toMatchObject({ passed: 2, yes: 1, no: 1 });
    const enrolled = (await ok('GET', `/api/flows/${flow.flowId}/enrollments`)).items;
    expect(enrolled.map((e: { customerId: string }) => e.customerId).sort()).toEqual(
      [ids.lapsed1, ids.lapsed2].sort(),
    );
    expect(enrolled.every((e: { status: string }) => e.status === 'completed')).toBe(true);
    // A new order ends the lapse; the next lapse is another occurrence, not the same one again.
    await run();
    expect((await report(flow.flowId)).entered).toBe(2);
  });

  it('finds each trigger’s occurrences', async () => {
    const shop = a.shop.shopId;
    const now = new Date();
    const wait = [{ type: 'wait', days: 30 }];
    const flowFor = async (name: string, trigger: object, segmentId?: string) => {
      const f = await ok('POST', '/api/flows', {
        name,
        trigger,
        steps: wait,
        ...(segmentId ? { segmentId } : {}),
      });
      await ok('POST', `/api/flows/${f.flowId}/activate`, { catchUpDays: 1 });
      return f.flowId as string;
    };
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: a.shop.timeZone }).format(now);
    const [year, month, day] = local.split('-').map(Number) as [number, number, number];
    await order('bday', 300, { birthday: `1990-${local.slice(5)}` });
    await order('member', 0, {});
    await ok('POST', `/api/customers/${ids.member}/tier`, { rank: 2, reason: 'store manager' });
    // Last year's orders, sent in today, made this customer VIP last year: no congratulations now.
    for (const ago of [400, 390, 380, 370, 360]) await order('history', ago);
    expect(await ok('GET', `/api/customers/${ids.history}`)).toMatchObject({ tierRank: 2 });
    await db().query(
      `insert into customer_category_cycles (shop_id, customer_id, category, purchase_days, cycle_days, last_purchase_at, next_purchase_at)
       values ($1, $2, 'skincare/dry', 3, 30, now() - interval '27 days 12 hours', now() + interval '2 days 12 hours')`,
      [shop, ids.bday],
    );
    const vip = await ok('POST', '/api/segments', {
      name: 'Birthday people',
      rule: { type: 'field', field: 'birthdayMonth', op: 'eq', value: month },
    });
    const flows = {
      birthday: await flowFor('Birthday', { type: 'birthday', hour: 0 }),
      date: await flowFor('Today', { type: 'date', month, day, hour: 0 }, vip.segmentId),
      later: await flowFor('Later this year', { type: 'date', month, day, hour: 0, year: year + 1 }),
      tier: await flowFor('Upgraded to VIP', { type: 'tier_upgraded', tier: 'VIP' }),
      joined: await flowFor('Welcome', { type: 'joined' }),
      cycle: await flowFor('Replenish', { type: 'purchase_cycle', category: 'skincare/dry', daysBefore: 3 }),
      otherCycle: await flowFor('Replenish oily', { type: 'purchase_cycle', category: 'skincare/oily' }),
    };
    await run();
    const who = async (flowId: string) =>
      (await ok('GET', `/api/flows/${flowId}/enrollments`)).items.map(
        (e: { customerId: string }) => e.customerId,
      );
    expect(await who(flows.birthday)).toEqual([ids.bday]);
    expect(await who(flows.date)).toEqual([ids.bday]);
    expect(await who(flows.later)).toEqual([]);
    expect(await who(flows.tier)).toEqual([ids.member]);
    // A profile whose first order is older than a day came with its history: not a new member.
    const joined = await who(flows.joined);
    expect(joined).toContain(ids.member);
    for (const old of ['bday', 'ann', 'old']) expect(joined).not.toContain(ids[old]);
    expect(await who(flows.cycle)).toEqual([ids.bday]);
    expect(await who(flows.otherCycle)).toEqual([]);
    const [occurrence] = (await ok('GET', `/api/flows/${flows.birthday}/enrollments`)).items;
    expect(occurrence.occurrence).toBe(`birthday:${year}`);
    // The same occurrences again tomorrow (overlapping windows) are not new ones.
    await runFlows(db(), shop, new Date(now.getTime() + 3_600_000));
    expect(await who(flows.birthday)).toEqual([ids.bday]);
    expect(await who(flows.joined)).toEqual(joined);
  });

  it('lets customers about to lose points in before the lots expire', async () => {
    await order('saver', 1);
    const { program } = await ok('GET', '/api/membership/program');
    await ok('PUT', '/api/membership/program', {
      ...program,
      points: { ...program.points, expiry: { kind: 'after_days', days: 40 } },
    });
    await ok('POST', `/api/customers/${ids.saver}/points/adjustments`, { points: 300, reason: 'goodwill' });
    const f = await ok('POST', '/api/flows', {
      name: 'Points expiring',
      trigger: { type: 'points_expiring', daysBefore: 30 },
      steps: [{ type: 'wait', days: 1 }],
    });
    await ok('POST', `/api/flows/${f.flowId}/activate`, { catchUpDays: 0 });
    // The lot expires in 40 days: 30 days before, ten days from now, the customer enters.
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 9 * DAY));
    const early = (await ok('GET', `/api/flows/${f.flowId}/enrollments`)).items;
    expect(early.map((e: { customerId: string }) => e.customerId)).not.toContain(ids.saver);
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 11 * DAY));
    const items = (await ok('GET', `/api/flows/${f.flowId}/enrollments`)).items;
    expect(items.map((e: { customerId: string }) => e.customerId)).toContain(ids.saver);
    expect(items.find((e: { customerId: string }) => e.customerId === ids.saver).occurrence).toMatch(
      /^expiry:/,
    );
    // Points that live shorter than the notice: the customer is told as soon as they are earned.
    const soon = await ok('POST', '/api/flows', {
      name: 'Points expiring soon',
      trigger: { type: 'points_expiring', daysBefore: 30 },
      steps: [{ type: 'wait', days: 1 }],
    });
    await ok('POST', `/api/flows/${soon.flowId}/activate`, { catchUpDays: 0 });
    await order('brief', 1);
    await ok('PUT', '/api/membership/program', {
      ...program,
      points: { ...program.points, expiry: { kind: 'after_days', days: 10 } },
    });
    await ok('POST', `/api/customers/${ids.brief}/points/adjustments`, { points: 50, reason: 'goodwill' });
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 60_000));
    const told = (await ok('GET', `/api/flows/${soon.flowId}/enrollments`)).items;
    expect(told.map((e: { customerId: string }) => e.customerId)).toEqual([ids.brief]);
  });

  it('holds out a share that walks no step, and keeps to the contact cap', async () => {
    for (let n = 0; n < 40; n += 1) {
      await order(`h${n}`, 2);
      await optIn(`h${n}`);
    }
    await ok('PUT', '/api/contact-policy', { maxMessages: 0, perDays: 7, quietHours: null });
    const template = await ok('POST', '/api/templates', {
      name: 'Thanks',
      channel: 'email',
      subject: 'Thanks',
      body: '<p>Thank you, {{ customer.name }}</p>',
    });
    const seg = await ok('POST', '/api/segments', {
      name: 'h customers',
      rule: { type: 'field', field: 'name', op: 'startsWith', value: 'h' },
    });
    const f = await ok('POST', '/api/flows', {
      name: 'Thanks with holdout',
      trigger: { type: 'order_paid' },
      segmentId: seg.segmentId,
      holdoutPercent: 50,
      steps: [{ id: 'thanks', type: 'send', templateId: template.templateId }],
    });
    await ok('POST', `/api/flows/${f.flowId}/activate`, { catchUpDays: 3 });
    await run();
    const r = await report(f.flowId);
    expect(r.entered).toBe(40);
    expect(r.holdout).toBeGreaterThan(5);
    expect(r.holdout).toBeLessThan(35);
    expect(r.steps.thanks.passed).toBe(40 - r.holdout);
    expect(r.control.customers).toBe(r.holdout);
    // A marketing message over the cap (0 in 7 days here) is suppressed, flow or campaign alike.
    expect(r.messages.suppressed).toBe(40 - r.holdout);
    expect(r.suppressedBecause).toEqual({ 'contact cap': 40 - r.holdout });
    await ok('PUT', '/api/contact-policy', { maxMessages: 10, perDays: 7, quietHours: null });
  });

  it('refuses a flow that is not valid, naming each field', async () => {
    const coupon = await ok('POST', '/api/coupons', { name: 'Five off', kind: 'amount', amountCents: 500 });
    const withCoupon = await ok('POST', '/api/templates', {
      name: 'Has a coupon',
      channel: 'email',
      subject: 'Gift',
      body: '{{ coupon.code }}',
    });
    const { tag: ruled } = await ok('POST', '/api/tags', {
      name: 'big spender',
      rule: { type: 'field', field: 'spendCents', op: 'gte', value: 100000 },
    });
    const bad = await call('POST', '/api/flows', {
      name: 'Broken',
      trigger: { type: 'tier_upgraded', tier: 'Emperor' },
      segmentId: '00000000-0000-4000-8000-000000000000',
      steps: [
        { id: 'one', type: 'send', templateId: withCoupon.templateId },
        { id: 'one', type: 'tag', tagId: ruled.tagId, action: 'add' },
        {
          type: 'branch',
          condition: { type: 'field', field: 'shoeSize', op: 'eq', value: 42 },
          yes: [{ type: 'coupon', couponId: coupon.couponId }],
          no: [],
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      [
        'body.segmentId',
        'body.steps.0.templateId',
        'body.steps.1.id',
        'body.steps.1.tagId',
        'body.steps.2.condition.field',
        'body.trigger.tier',
      ].sort(),
    );
    const shape = await call('POST', '/api/flows', {
      name: 'Shapeless',
      trigger: { type: 'date', month: 2, day: 30 },
      steps: [{ type: 'wait', days: -1 }, { type: 'teleport' }],
    });
    expect(shape.status).toBe(400);
    const fields = shape.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body.trigger.day', 'body.steps.0.days', 'body.steps.1.type']),
    );
    // A code good for a week would be stale when shown ten days on: refused; within the week it is fine.
    const week = await ok('POST', '/api/coupons', {
      name: 'A week',
      kind: 'percent',
      percent: 5,
      validDays: 7,
    });
    const stale = (days: number) =>
      call('POST', '/api/flows', {
        name: `Stale after ${days}`,
        trigger: { type: 'joined' },
        steps: [
          { type: 'coupon', couponId: week.couponId },
          { type: 'wait', days: 3 },
          {
            type: 'branch',
            condition: { type: 'field', field: 'orderCount', op: 'gte', value: 1 },
            yes: [{ type: 'send', templateId: withCoupon.templateId }],
            no: [
              { type: 'wait', days: days - 3 },
              { type: 'send', templateId: withCoupon.templateId },
            ],
          },
        ],
      });
    const late = await stale(10);
    expect(late.status).toBe(400);
    expect(late.body.details).toEqual([
      {
        field: 'body.steps.2.no.1.templateId',
        message:
          'the code shown here is good for 7 days from its issue, and this message goes 10 days after it: it would arrive expired',
      },
    ]);
    expect((await stale(6)).status).toBe(201);
    const taken = await call('POST', '/api/flows', {
      name: 'Win back',
      trigger: { type: 'joined' },
      steps: [{ type: 'wait', days: 1 }],
    });
    expect(taken.body.details).toEqual([{ field: 'body.name', message: 'taken' }]);
    const empty = await call('POST', '/api/flows', { name: 'Empty', trigger: { type: 'joined' }, steps: [] });
    expect(empty.body.details).toEqual([{ field: 'body.steps', message: 'a flow needs at least one step' }]);
  });

  it('lets nobody past a coupon step whose coupon has ended, and saves no flow with one', async () => {
    const coupon = await ok('POST', '/api/coupons', {
      name: 'Two-day thanks',
      kind: 'amount',
      amountCents: 800,
      validUntil: new Date(Date.now() + 2 * DAY).toISOString(),
    });
    const template = await ok('POST', '/api/templates', {
      name: 'Late thanks',
      channel: 'email',
      subject: 'Thanks',
      body: '<p>{{ coupon.code }}</p>',
    });
    const flow = await ok('POST', '/api/flows', {
      name: 'Thanks after four days',
      trigger: { type: 'order_paid' },
      steps: [
        { type: 'wait', days: 4 },
        { id: 'gift', type: 'coupon', couponId: coupon.couponId },
        { type: 'send', templateId: template.templateId },
      ],
    });
    await ok('POST', `/api/flows/${flow.flowId}/activate`, { catchUpDays: 0 });
    await settleJobs(t.jobs, db(), a.shop.shopId);
    await order('late', 0);
    await optIn('late');
    // Four days on the coupon's window has closed: a code now would arrive expired, so she leaves, with why.
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 4 * DAY + 60_000));
    const r = await report(flow.flowId);
    expect(r.entered).toBe(1);
    expect(r.steps.gift).toBeUndefined();
    expect(Object.entries(r.exitedBecause)).toEqual([
      [expect.stringMatching(/^The coupon 'Two-day thanks' ended at .+: its codes would arrive expired$/), 1],
    ]);
    expect(r.coupons.issued).toBe(0);
    const [queued] = await db().query<{ n: number }>(
      'select count(*)::int as n from messages where shop_id = $1 and flow_id = $2',
      [a.shop.shopId, flow.flowId],
    );
    expect(queued!.n).toBe(0);

    // Issued in time, but the window closed while the message waited: it fails with why, unsent.
    const waitThenSend = await ok('POST', '/api/flows', {
      name: 'Code then a wait',
      trigger: { type: 'order_paid' },
      steps: [
        { type: 'coupon', couponId: coupon.couponId },
        { type: 'wait', days: 3 },
        { type: 'send', templateId: template.templateId },
      ],
    });
    await ok('POST', `/api/flows/${waitThenSend.flowId}/activate`, { catchUpDays: 0 });
    await settleJobs(t.jobs, db(), a.shop.shopId);
    await order('later', 0);
    await optIn('later');
    await run();
    const [issued] = (await ok('GET', `/api/customers/${ids.later}/coupons`)).items;
    expect(issued.code).toMatch(/^[A-Z0-9]+-[0-9A-F]{16}$/);
    // Three days on (the code's expiry and the message's time moved back instead of the clock forward).
    await runFlows(db(), a.shop.shopId, new Date(Date.now() + 3 * DAY + 60_000));
    await db().query(
      `update coupon_codes set expires_at = now() - interval '1 minute' where shop_id = $1 and code = $2`,
      [a.shop.shopId, issued.code],
    );
    await db().query(`update messages set not_before = now() where shop_id = $1 and flow_id = $2`, [
      a.shop.shopId,
      waitThenSend.flowId,
    ]);
    await enqueueJob(db(), a.shop.shopId, 'messages.deliver');
    await settleJobs(t.jobs, db(), a.shop.shopId);
    const [message] = (await ok('GET', `/api/messages?customerId=${ids.later}`)).items;
    expect(message).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        new RegExp(`^The coupon code ${issued.code} expired at \\S+Z, before this message went$`),
      ),
    });
    expect(mailsTo('later')).toHaveLength(0);

    // Nor with a coupon the shop retired.
    const paused = await ok('POST', '/api/coupons', {
      name: 'Paused gift',
      kind: 'amount',
      amountCents: 300,
    });
    await ok('PATCH', `/api/coupons/${paused.couponId}`, { retired: true });
    const withRetired = await call('POST', '/api/flows', {
      name: 'Retired gift',
      trigger: { type: 'joined' },
      steps: [{ type: 'coupon', couponId: paused.couponId }],
    });
    expect(withRetired.body.details).toEqual([
      { field: 'body.steps.0.couponId', message: 'the coupon was retired: it gives out no more codes' },
    ]);

    // Once it has ended, no flow can be saved with it.
    await db().query(
      `update coupons set valid_until = now() - interval '1 minute' where shop_id = $1 and coupon_id = $2`,
      [a.shop.shopId, coupon.couponId],
    );
    const refused = await call('PUT', `/api/flows/${flow.flowId}`, {
      name: 'Thanks after four days',
      trigger: { type: 'order_paid' },
      steps: flow.steps,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      {
        field: 'body.steps.1.couponId',
        message: expect.stringMatching(/^the coupon ended at .+: its codes would arrive expired$/),
      },
    ]);
  });

  it('keeps one shop’s flows from another', async () => {
    const f = await ok('POST', '/api/flows', {
      name: 'Private',
      trigger: { type: 'joined' },
      steps: [{ type: 'wait', days: 1 }],
    });
    for (const [method, url] of [
      ['GET', `/api/flows/${f.flowId}`],
      ['GET', `/api/flows/${f.flowId}/report`],
      ['GET', `/api/flows/${f.flowId}/enrollments`],
      ['POST', `/api/flows/${f.flowId}/activate`],
      ['POST', `/api/flows/${f.flowId}/pause`],
      ['DELETE', `/api/flows/${f.flowId}`],
    ] as const)
      expect((await call(method, url, method === 'POST' ? {} : undefined, b)).status, url).toBe(404);
    expect((await ok('GET', '/api/flows', undefined, b)).items).toEqual([]);
    // A flow of shop B cannot name shop A's templates.
    const template = (await ok('GET', '/api/templates')).items[0];
    const theirs = await call(
      'POST',
      '/api/flows',
      {
        name: 'Borrowed',
        trigger: { type: 'joined' },
        steps: [{ type: 'send', templateId: template.templateId }],
      },
      b,
    );
    expect(theirs.status).toBe(400);
    expect(theirs.body.details[0].field).toBe('body.steps.0.templateId');
  });
});
