// A customer's buying habits through the API: read from the purchases they kept (a cancelled order and a
// returned unit say nothing of what they like), in the shop's time zone, and kept to the shop.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';
import { testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';

describeEachDb('buying habits', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
  });
  afterAll(() => t.app.close());

  const call = async (method: 'GET' | 'POST', url: string, payload?: object, tenant = a) => {
    const r = await t.app.inject({ method, url, payload, headers: tenant.auth });
    return { status: r.statusCode, body: r.json() };
  };
  const cleanser = (title: string, quantity: number) => ({
    sku: 'CL-1',
    title,
    category: 'Skincare/Oily',
    brand: 'Clearskin',
    quantity,
    unitPriceCents: 8000,
  });
  const balm = (quantity: number, refundedQuantity = 0, brand = 'LipCo') => ({
    title: 'Lip balm',
    category: 'Makeup',
    brand,
    quantity,
    unitPriceCents: 3000,
    refundedQuantity,
  });

  it('tells what a customer buys, where, how much a discount moves them and when they buy', async () => {
    const customer = { phone: '13800000081' };
    const orders = [
      // Saturday evening, online.
      {
        externalId: 'H1',
        orderedAt: '2026-09-05T20:15:00+08:00',
        totalCents: 16000,
        items: [cleanser('Oil-free cleanser', 2)],
      },
      // Saturday evening at store S01, 1,000 off 11,000.
      {
        externalId: 'H2',
        orderedAt: '2026-09-12T20:40:00+08:00',
        channel: 'offline',
        storeId: 'S01',
        totalCents: 10000,
        discountCents: 1000,
        // The brand as this store's till spells it: one brand with the online shop's "LipCo".
        items: [cleanser('Oil-free cleanser', 1), balm(1, 0, 'LIPCO')],
      },
      // A Wednesday morning at S01, 20 % off; the cleanser has a new name.
      {
        externalId: 'H3',
        orderedAt: '2026-09-16T10:00:00+08:00',
        channel: 'offline',
        storeId: 'S01',
        totalCents: 8000,
        discountCents: 2000,
        items: [cleanser('Oil-free cleanser 2.0', 1)],
      },
      // Cancelled: the night cream says nothing of what she likes.
      {
        externalId: 'H4',
        orderedAt: '2026-09-19T20:00:00+08:00',
        status: 'cancelled',
        totalCents: 50000,
        items: [{ title: 'Night cream', category: 'Skincare/Dry', quantity: 1, unitPriceCents: 50000 }],
      },
      // Saturday night, one of two balms returned.
      {
        externalId: 'H5',
        orderedAt: '2026-09-26T21:00:00+08:00',
        status: 'partially_refunded',
        totalCents: 6000,
        refundedCents: 3000,
        items: [balm(2, 1)],
      },
    ];
    let customerId = '';
    for (const o of orders) {
      const r = await call('POST', '/api/orders', { status: 'paid', ...o, customer });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      customerId = r.body.customerId;
    }
    const habits = await call('GET', `/api/customers/${customerId}/habits`);
    expect(habits.status).toBe(200);
    expect(habits.body).toEqual({
      purchases: 4,
      averageOrderCents: (16000 + 10000 + 8000 + 3000) / 4,
      discounted: 2,
      averageDiscount: expect.closeTo((1000 / 11000 + 2000 / 10000) / 2, 9),
      // Three of four on a Saturday evening.
      usualWeekday: 6,
      usualDaypart: 'evening',
      categories: [
        {
          category: 'skincare/oily',
          orders: 3,
          units: 4,
          spendCents: 32000,
          lastAt: '2026-09-16T02:00:00.000Z',
        },
        { category: 'makeup', orders: 2, units: 2, spendCents: 6000, lastAt: '2026-09-26T13:00:00.000Z' },
      ],
      brands: [
        { brand: 'Clearskin', orders: 3, units: 4, spendCents: 32000, lastAt: '2026-09-16T02:00:00.000Z' },
        { brand: 'LipCo', orders: 2, units: 2, spendCents: 6000, lastAt: '2026-09-26T13:00:00.000Z' },
      ],
      products: [
        { title: 'Oil-free cleanser 2.0', orders: 3, units: 4, lastAt: '2026-09-16T02:00:00.000Z' },
        { title: 'Lip balm', orders: 2, units: 2, lastAt: '2026-09-26T13:00:00.000Z' },
      ],
      stores: [{ storeId: 'S01', orders: 2, lastAt: '2026-09-16T02:00:00.000Z' }],
    });

    // Someone who has bought nothing yet has no habits; another shop cannot read hers.
    const newcomer = await call('POST', '/api/customers', { name: 'Newcomer', phone: '13800000082' });
    expect(newcomer.status, JSON.stringify(newcomer.body)).toBe(201);
    expect((await call('GET', `/api/customers/${newcomer.body.customerId}/habits`)).body).toEqual({
      purchases: 0,
      averageOrderCents: null,
      discounted: 0,
      averageDiscount: null,
      usualWeekday: null,
      usualDaypart: null,
      categories: [],
      brands: [],
      products: [],
      stores: [],
    });
    const b = await testTenant(db());
    expect((await call('GET', `/api/customers/${customerId}/habits`, undefined, b)).status).toBe(404);
  });
});
