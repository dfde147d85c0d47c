// Sales by category and brand (analytics/lineSales.ts): a hand-computed April, through ingestion's
// changes and replays, for all customers and for a segment, and through the API for one shop only.
import { expect, it } from 'vitest';
import { lineSales } from '../src/analytics/lineSales.js';
import { ingestOrders } from '../src/orders/ingest.js';
import { normalizeOrder, OrderInput } from '../src/orders/input.js';
import { saveSegment } from '../src/segments/segments.js';
import type { Shop } from '../src/shops/shops.js';
import { testApp, testTenant } from './support/app.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('sales by category and brand', ({ db, newShop }) => {
  const normalized = (shop: Shop, input: object) => {
    const r = normalizeOrder(OrderInput.parse({ status: 'paid', channel: 'online', ...input }), shop);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.order;
  };
  const ingest = (shop: Shop, inputs: object[]) =>
    db().transaction((tx) =>
      ingestOrders(
        tx,
        shop.shopId,
        inputs.map((i) => normalized(shop, i)),
        'test',
      ),
    );
  const line = (title: string, quantity: number, yuan: number, more: object = {}) => ({
    title,
    quantity,
    unitPriceCents: yuan * 100,
    ...more,
  });
  const noon = (day: string) => `${day}T12:00:00+08:00`;

  /** April in Shanghai (UTC+8), with an order on each side of it. */
  const april = async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const who = (name: string) => ({ customer: { email: `${name}@example.com` } });
    const orders = {
      // a's first skincare, in March: a buys skincare again in April, but is no new buyer of it.
      march: {
        externalId: 'L-MARCH',
        totalCents: 10_000,
        orderedAt: noon('2026-03-20'),
        items: [line('Serum', 1, 100, { category: 'Skincare' })],
        ...who('a'),
      },
      a: {
        externalId: 'L-A',
        totalCents: 25_000,
        orderedAt: noon('2026-04-02'),
        items: [
          line('Serum', 2, 100, { category: 'Skincare', brand: 'Velvet Lip' }),
          line('Lipstick', 1, 50, { category: 'Makeup', brand: 'Velvet Lip' }),
        ],
        ...who('a'),
      },
      b: {
        externalId: 'L-B',
        totalCents: 12_000,
        orderedAt: noon('2026-04-05'),
        items: [line('Lipstick', 3, 40, { category: 'makeup', brand: 'Bloom' })],
        ...who('b'),
      },
      // Wholly refunded: every unit came back, whatever its lines say.
      c: {
        externalId: 'L-C',
        status: 'refunded',
        totalCents: 8_000,
        refundedCents: 8_000,
        orderedAt: noon('2026-04-10'),
        items: [line('Serum', 1, 80, { category: 'Skincare', brand: 'Acme' })],
        ...who('c'),
      },
      cancelled: {
        externalId: 'L-D',
        status: 'cancelled',
        totalCents: 50_000,
        orderedAt: noon('2026-04-12'),
        items: [line('Serum', 5, 100, { category: 'Skincare', brand: 'Acme' })],
        ...who('d'),
      },
      // Half past midnight on 1 April in Shanghai (still 31 March in UTC): April's, naming nothing.
      unnamed: {
        externalId: 'L-E',
        totalCents: 1_000,
        orderedAt: '2026-03-31T16:30:00Z',
        items: [line('Gift card', 1, 10)],
        ...who('e'),
      },
      // Half past midnight on 1 May in Shanghai: not April's.
      may: {
        externalId: 'L-F',
        totalCents: 9_900,
        orderedAt: '2026-04-30T16:30:00Z',
        items: [line('Serum', 1, 99, { category: 'Skincare', brand: 'Bloom' })],
        ...who('f'),
      },
    };
    await ingest(shop, Object.values(orders));
    // Later, b returns one lipstick of three: the order changes, and its sales with it.
    await ingest(shop, [
      {
        ...orders.b,
        status: 'partially_refunded',
        refundedCents: 4_000,
        items: [{ ...orders.b.items[0]!, refundedQuantity: 1 }],
      },
    ]);
    return { shop, orders };
  };

  const APRIL = { from: '2026-04-01', to: '2026-04-30' };

  it('sums what each category and brand sold and got back in April, and who bought it first', async () => {
    const { shop, orders } = await april();
    const byCategory = await lineSales(db(), shop.shopId, APRIL);
    expect(byCategory).toMatchObject({ by: 'category', currency: 'CNY', others: null });
    expect(byCategory.total).toEqual({
      units: 8,
      grossCents: 46_000,
      returnedUnits: 2,
      returnedCents: 12_000,
      netCents: 34_000,
    });
    expect(byCategory.rows).toEqual([
      {
        name: 'Skincare',
        orders: 2,
        units: 3,
        grossCents: 28_000,
        returnedUnits: 1,
        returnedCents: 8_000,
        netCents: 20_000,
        newBuyers: 0,
        share: 20_000 / 34_000,
      },
      {
        // Spelled as its latest order wrote it (b's, 5 April).
        name: 'makeup',
        orders: 2,
        units: 4,
        grossCents: 17_000,
        returnedUnits: 1,
        returnedCents: 4_000,
        netCents: 13_000,
        newBuyers: 2,
        share: 13_000 / 34_000,
      },
      {
        name: null,
        orders: 1,
        units: 1,
        grossCents: 1_000,
        returnedUnits: 0,
        returnedCents: 0,
        netCents: 1_000,
        newBuyers: 0,
        share: 1_000 / 34_000,
      },
    ]);

    // By brand, two listed and the rest summed.
    const byBrand = await lineSales(db(), shop.shopId, { ...APRIL, by: 'brand', limit: 2 });
    expect(byBrand.total.netCents).toBe(34_000);
    expect(byBrand.rows.map((r) => [r.name, r.orders, r.units, r.netCents, r.newBuyers])).toEqual([
      ['Velvet Lip', 1, 3, 25_000, 1],
      ['Bloom', 1, 3, 8_000, 1],
    ]);
    expect(byBrand.others).toEqual({
      names: 2,
      units: 2,
      grossCents: 9_000,
      returnedUnits: 1,
      returnedCents: 8_000,
      netCents: 1_000,
      newBuyers: 0,
      share: 1_000 / 34_000,
    });

    // Replaying every order, and the return, changes nothing.
    await ingest(shop, Object.values(orders));
    await ingest(shop, [
      {
        ...orders.b,
        status: 'partially_refunded',
        refundedCents: 4_000,
        items: [{ ...orders.b.items[0]!, refundedQuantity: 1 }],
      },
    ]);
    expect(await lineSales(db(), shop.shopId, APRIL)).toEqual(byCategory);
    // Cancelling a's April order takes its lines away; nothing else moves.
    await ingest(shop, [{ ...orders.a, status: 'cancelled' }]);
    const after = await lineSales(db(), shop.shopId, APRIL);
    expect(after.total).toEqual({
      units: 5,
      grossCents: 21_000,
      returnedUnits: 2,
      returnedCents: 12_000,
      netCents: 9_000,
    });
    expect(after.rows.map((r) => [r.name, r.orders, r.netCents, r.newBuyers])).toEqual([
      ['makeup', 1, 8_000, 1],
      [null, 1, 1_000, 0],
      ['Skincare', 1, 0, 0],
    ]);
  });

  it('reads a segment’s members’ own orders, and refuses what is not a request', async () => {
    const { shop } = await april();
    // Customer a alone has two purchases.
    const segment = await saveSegment(db(), shop.shopId, {
      name: 'Two orders or more',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 2 },
    });
    const theirs = await lineSales(db(), shop.shopId, { ...APRIL, segmentId: segment.segmentId });
    expect(theirs.total).toEqual({
      units: 3,
      grossCents: 25_000,
      returnedUnits: 0,
      returnedCents: 0,
      netCents: 25_000,
    });
    expect(theirs.rows.map((r) => [r.name, r.orders, r.units, r.netCents, r.newBuyers, r.share])).toEqual([
      ['Skincare', 1, 2, 20_000, 0, 0.8],
      ['Makeup', 1, 1, 5_000, 1, 0.2],
    ]);
    // In May, b gives a phone, and an order of a's gives the same phone: a and b are one person, and b's
    // April order, moved to the one profile, is the member's too.
    const may = (externalId: string, customer: object) => ({
      externalId,
      totalCents: 1_000,
      orderedAt: noon('2026-05-10'),
      items: [line('Gift card', 1, 10)],
      customer,
    });
    await ingest(shop, [may('L-M1', { email: 'b@example.com', phone: '13800138000' })]);
    await ingest(shop, [may('L-M2', { email: 'a@example.com', phone: '13800138000' })]);
    const merged = await lineSales(db(), shop.shopId, { ...APRIL, segmentId: segment.segmentId });
    expect(merged.total).toEqual({
      units: 6,
      grossCents: 37_000,
      returnedUnits: 1,
      returnedCents: 4_000,
      netCents: 33_000,
    });
    await expect(
      lineSales(db(), shop.shopId, { ...APRIL, by: 'colour' as 'brand', limit: 0 }),
    ).rejects.toMatchObject({
      details: expect.arrayContaining([
        expect.objectContaining({ field: 'by' }),
        expect.objectContaining({ field: 'limit' }),
      ]),
    });
  });

  it('counts the orders of the period’s first and last millisecond, and none either side, for a segment too', async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const at = (externalId: string, orderedAt: string, category: string) => ({
      externalId,
      totalCents: 1_000,
      orderedAt,
      items: [line('Item', 1, 10, { category })],
      customer: { email: 'edge@example.com' },
    });
    await ingest(shop, [
      at('E-1', '2026-03-31T15:59:59.999Z', 'before'),
      at('E-2', '2026-03-31T16:00:00.000Z', 'first'),
      at('E-3', '2026-04-30T15:59:59.999Z', 'last'),
      at('E-4', '2026-04-30T16:00:00.000Z', 'after'),
    ]);
    const segment = await saveSegment(db(), shop.shopId, {
      name: 'Buyers',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 1 },
    });
    // Everyone from the day rows; the segment from its members' orders, read as a range of order ids.
    for (const audience of [{}, { segmentId: segment.segmentId }]) {
      const april = await lineSales(db(), shop.shopId, { ...APRIL, ...audience });
      expect(april.rows.map((r) => r.name).sort()).toEqual(['first', 'last']);
    }
  });

  it('answers through the API for one shop only, naming each bad field', async () => {
    const t = await testApp(db());
    const a = await testTenant(db(), 'Lines shop');
    const b = await testTenant(db(), 'Other lines shop');
    const get = (url: string, who = a) => t.app.inject({ method: 'GET', url, headers: who.auth });
    const posted = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: a.auth,
      payload: {
        externalId: 'API-L1',
        status: 'paid',
        totalCents: 9_000,
        orderedAt: noon('2026-04-03'),
        customer: { email: 'lines@example.com' },
        items: [{ title: 'Toner', category: 'Skincare', brand: 'Acme', quantity: 3, unitPriceCents: 3_000 }],
      },
    });
    expect(posted.statusCode).toBeLessThan(300);
    const mine = await get('/api/analytics/line-sales?from=2026-04-01&to=2026-04-30&by=brand');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().rows).toEqual([
      {
        name: 'Acme',
        orders: 1,
        units: 3,
        grossCents: 9_000,
        returnedUnits: 0,
        returnedCents: 0,
        netCents: 9_000,
        newBuyers: 1,
        share: 1,
      },
    ]);
    // The dashboard's export carries them too, by category and by brand.
    const csv = (await get('/api/analytics/dashboard/export?from=2026-04-01&to=2026-04-30&format=csv')).body;
    expect(csv).toContain('sales by category,Skincare.netCents,9000');
    expect(csv).toContain('sales by category,(all lines).units,3');
    expect(csv).toContain('sales by brand,Acme.grossCents,9000');
    const theirs = await get('/api/analytics/line-sales?from=2026-04-01&to=2026-04-30&by=brand', b);
    expect(theirs.json()).toMatchObject({ rows: [], others: null, total: { netCents: 0 } });
    const seg = await t.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: a.auth,
      payload: { name: 'All', rule: { type: 'and', rules: [] } },
    });
    const borrowed = await get(
      `/api/analytics/line-sales?from=2026-04-01&to=2026-04-30&segmentId=${seg.json().segmentId}`,
      b,
    );
    expect(borrowed.statusCode).toBe(400);
    expect(borrowed.json().details).toEqual([{ field: 'querystring.segmentId', message: 'no such segment' }]);
    const bad = await get('/api/analytics/line-sales?from=2026-04-01&to=2026-04-31&by=colour&limit=0');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['querystring.by', 'querystring.limit', 'querystring.to']);
    const spec = (await get('/api/openapi.json')).json();
    expect(
      spec.paths['/api/analytics/line-sales'].get.parameters.map((p: { name: string }) => p.name),
    ).toEqual(expect.arrayContaining(['from', 'to', 'segmentId', 'by', 'limit']));
  });
});
