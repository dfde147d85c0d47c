// A refund recorded against a known order through the API (the console's Refund on a profile's order):
// points taken back in proportion, stats following, idempotent by the refunded amount in all, refused
// when it would shrink or outgrow the order, and another shop's order out of reach. And the categories
// and stores bought in, which the console offers where a purchase is entered by hand.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';
import {
  signedInStaff,
  signInAs,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';

describeEachDb('refunds', ({ db, kind }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
  });
  afterAll(() => t.app.close());

  const call = (
    method: 'GET' | 'POST',
    url: string,
    payload?: object,
    who: { headers?: Record<string, string>; cookies?: Record<string, string> } = { headers: a.auth },
  ) => t.app.inject({ method, url, payload, ...who });
  const place = async (externalId: string, over: object = {}) =>
    (
      await call('POST', '/api/orders', {
        source: 'till',
        externalId,
        channel: 'offline',
        storeId: 'SH-01',
        status: 'paid',
        totalCents: 10_000,
        orderedAt: new Date(Date.now() - 3_600_000).toISOString(),
        customer: { phone: '13900001234', memberCard: 'R-1' },
        ...over,
      })
    ).json<{ orderId: string; customerId: string }>();
  const balance = async (customerId: string) =>
    (await call('GET', `/api/customers/${customerId}/points`)).json<{ balance: number }>().balance;
  const refund = (orderId: string, refundedCents: number, who?: Parameters<typeof call>[3]) =>
    call('POST', `/api/orders/${orderId}/refund`, { refundedCents }, who);

  it('takes the points back in proportion, once, as the refund adds up to the whole order', async () => {
    const { orderId, customerId } = await place('R-100');
    expect(await balance(customerId)).toBe(100);

    const part = await refund(orderId, 3_000);
    expect(part.statusCode).toBe(200);
    expect(part.json()).toMatchObject({
      outcome: 'updated',
      order: { orderId, status: 'partially_refunded', refundedCents: 3_000, totalCents: 10_000 },
    });
    expect(await balance(customerId)).toBe(70);
    // Sent again (a retry, a second click): the refunded amount in all is already that.
    expect((await refund(orderId, 3_000)).json().outcome).toBe('unchanged');
    expect(await balance(customerId)).toBe(70);
    const customer = (await call('GET', `/api/customers/${customerId}`)).json();
    expect(customer).toMatchObject({ spendCents: 10_000, refundedCents: 3_000 });

    // It cannot shrink, nor outgrow the order; each refusal names the field.
    const shrink = await refund(orderId, 2_000);
    expect(shrink.statusCode).toBe(400);
    expect(shrink.json()).toMatchObject({
      message: 'Refunds only add up',
      details: [
        {
          field: 'refundedCents',
          message: 'the order has 30.00 CNY refunded already: give the refunded amount in all',
        },
      ],
    });
    const over = await refund(orderId, 10_001);
    expect(over.statusCode).toBe(400);
    expect(over.json().details).toEqual([
      { field: 'refundedCents', message: "at most the order's total, 100.00 CNY" },
    ]);
    expect((await refund(orderId, 0)).statusCode).toBe(400);

    const rest = await refund(orderId, 10_000);
    expect(rest.json()).toMatchObject({ outcome: 'updated', order: { status: 'refunded' } });
    expect(await balance(customerId)).toBe(0);
    const timeline = (await call('GET', `/api/customers/${customerId}/timeline`)).json().items as {
      type: string;
      source: string;
      data: { to?: { status: string } };
    }[];
    expect(
      timeline.filter((e) => e.type === 'order.updated').map((e) => [e.source, e.data.to?.status]),
    ).toEqual([
      ['api', 'refunded'],
      ['api', 'partially_refunded'],
    ]);
  });

  it('refuses an order never paid, and keeps orders to their shop and refunds to operators', async () => {
    const pending = await place('R-200', { status: 'pending' });
    const never = await refund(pending.orderId, 1_000);
    expect(never.statusCode).toBe(409);
    expect(never.json()).toMatchObject({
      error: 'not_refundable',
      message: 'The order R-200 is pending, not paid: there is nothing to refund',
    });
    const { orderId } = await place('R-201');
    expect((await refund(orderId, 1_000, { headers: b.auth })).statusCode).toBe(404);
    expect((await refund('not-an-id', 1_000)).statusCode).toBe(404);
    const viewer = await signedInStaff(t, a, 'viewer');
    expect((await refund(orderId, 1_000, { cookies: viewer })).statusCode).toBe(403);

    // Staff at the console: the refund is in the activity record, and its events are put down to them.
    const owner = (await signInAs(t.app, a.email, a.password))!;
    expect((await refund(orderId, 1_000, { cookies: owner })).json().outcome).toBe('updated');
    const entry = (await call('GET', '/api/activity', undefined, { cookies: owner })).json().items[0];
    expect(entry).toMatchObject({
      route: '/api/orders/:orderId/refund',
      params: { orderId, refundedCents: 1_000, outcome: 'updated', customerId: expect.any(String) },
      status: 200,
    });
  });

  it('takes particular lines back: what they were paid, and no longer bought; a source may say so too', async () => {
    // Two creams and a lipstick, 100 yuan of prices sold for 72 after a discount.
    const { orderId, customerId } = await place('R-400', {
      customer: { phone: '13900004321' },
      totalCents: 7_200,
      discountCents: 2_800,
      items: [
        {
          title: 'Oil-control cream',
          sku: 'CR-1',
          category: 'Skincare/Oily',
          quantity: 2,
          unitPriceCents: 4_000,
        },
        { title: 'Lipstick', sku: 'LP-1', category: 'Makeup', quantity: 1, unitPriceCents: 2_000 },
      ],
    });
    // This shop's other orders carry no lines: whoever bought a category or product here is this buyer.
    const buyers = async (rule: object) =>
      (await call('POST', '/api/segments/count', { rule })).json<{ customers: number }>().customers;
    expect(await buyers({ type: 'purchased', categories: ['makeup'] })).toBe(1);
    expect(await balance(customerId)).toBe(72);

    const lines = (refundedQuantity: number, lineNo = 2) => ({ lines: [{ lineNo, refundedQuantity }] });
    const back = await call('POST', `/api/orders/${orderId}/refund`, lines(1));
    expect(back.statusCode).toBe(200);
    // The lipstick's 20 of the 100 yuan of prices, of the 72 paid.
    expect(back.json()).toMatchObject({
      outcome: 'updated',
      order: {
        status: 'partially_refunded',
        refundedCents: 1_440,
        items: [
          { lineNo: 1, refundedQuantity: 0 },
          { lineNo: 2, refundedQuantity: 1 },
        ],
      },
    });
    // A fifth of the amount back, a fifth of the 72 points (14.4, rounded).
    expect(await balance(customerId)).toBe(58);
    // Bought no longer, by category (the customer's category rows) nor by product (the order lines).
    expect(await buyers({ type: 'purchased', categories: ['makeup'] })).toBe(0);
    expect(await buyers({ type: 'purchased', skus: ['LP-1'] })).toBe(0);
    expect(await buyers({ type: 'purchased', categories: ['skincare/oily'] })).toBe(1);
    expect((await call('POST', `/api/orders/${orderId}/refund`, lines(1))).json().outcome).toBe('unchanged');

    // Returns only add up, to the units bought, on lines the order has; each refusal names its line.
    for (const [body, field, message] of [
      [
        lines(0),
        'lines.0.refundedQuantity',
        '1 of Lipstick returned already: give the units returned in all',
      ],
      [lines(3, 1), 'lines.0.refundedQuantity', 'at most the 2 bought of Oil-control cream'],
      [lines(1, 3), 'lines.0.lineNo', 'the order has no line 3'],
    ] as const) {
      const refused = await call('POST', `/api/orders/${orderId}/refund`, body);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().details).toEqual([{ field, message }]);
    }
    expect((await call('POST', `/api/orders/${orderId}/refund`, {})).statusCode).toBe(400);

    // The till reports the creams returned too, with the whole amount: the order is refunded, and its
    // lines say what came back. Sent again without a word on lines, they keep what they have.
    const resend = (items: object[], refundedCents: number, status: string) =>
      call('POST', '/api/orders', {
        source: 'till',
        externalId: 'R-400',
        channel: 'offline',
        storeId: 'SH-01',
        status,
        totalCents: 7_200,
        refundedCents,
        orderedAt: new Date(Date.now() - 3_600_000).toISOString(),
        customer: { phone: '13900004321' },
        items,
      });
    const cream = { title: 'Oil-control cream', quantity: 2, unitPriceCents: 4_000 };
    const lipstick = { title: 'Lipstick', quantity: 1, unitPriceCents: 2_000 };
    const all = await resend(
      [
        { ...cream, refundedQuantity: 2 },
        { ...lipstick, refundedQuantity: 1 },
      ],
      7_200,
      'refunded',
    );
    expect(all.json()).toMatchObject({ outcome: 'updated' });
    expect(await buyers({ type: 'purchased', categories: ['skincare/oily'] })).toBe(0);
    expect((await resend([cream, lipstick], 7_200, 'refunded')).json().outcome).toBe('unchanged');
    const order = (await call('GET', `/api/orders/${orderId}`)).json();
    expect(order.items.map((i: { refundedQuantity: number }) => i.refundedQuantity)).toEqual([2, 1]);
    const updates = (await call('GET', `/api/customers/${customerId}/timeline`))
      .json()
      .items.filter((e: { type: string }) => e.type === 'order.updated')
      .map((e: { data: { returns?: unknown } }) => e.data.returns);
    expect(updates).toEqual([
      [{ lineNo: 1, title: 'Oil-control cream', from: 0, to: 2 }],
      [{ lineNo: 2, title: 'Lipstick', from: 0, to: 1 }],
    ]);
    // A free gift handed back refunds nothing: the order stays paid, and the gift was not bought.
    const gift = await place('R-401', {
      customer: { phone: '13900004321' },
      totalCents: 5_000,
      items: [
        { title: 'Toner', category: 'Skincare/Oily', quantity: 1, unitPriceCents: 5_000 },
        { title: 'Sample pouch', category: 'Gifts', quantity: 1, unitPriceCents: 0 },
      ],
    });
    expect(await buyers({ type: 'purchased', categories: ['gifts'] })).toBe(1);
    const handedBack = await call('POST', `/api/orders/${gift.orderId}/refund`, lines(1));
    expect(handedBack.json()).toMatchObject({
      outcome: 'updated',
      order: { status: 'paid', refundedCents: 0, items: [{ refundedQuantity: 0 }, { refundedQuantity: 1 }] },
    });
    expect(await buyers({ type: 'purchased', categories: ['gifts'] })).toBe(0);
    expect(await buyers({ type: 'purchased', categories: ['skincare/oily'] })).toBe(1);

    // A free order (two samples) is refunded only once both come back.
    const samples = await place('R-402', {
      customer: { phone: '13900004321' },
      totalCents: 0,
      items: [
        { title: 'Toner sample', category: 'Samples', quantity: 1, unitPriceCents: 0 },
        { title: 'Cream sample', category: 'Samples', quantity: 1, unitPriceCents: 0 },
      ],
    });
    const returnSample = (lineNo: number) =>
      call('POST', `/api/orders/${samples.orderId}/refund`, lines(1, lineNo));
    expect((await returnSample(1)).json().order.status).toBe('paid');
    expect(await buyers({ type: 'purchased', categories: ['samples'] })).toBe(1);
    expect((await returnSample(2)).json().order.status).toBe('refunded');
    expect(await buyers({ type: 'purchased', categories: ['samples'] })).toBe(0);

    // More returned than bought is refused where the order comes in, naming the line.
    const tooMany = await resend([{ ...cream, refundedQuantity: 3 }], 7_200, 'refunded');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().details).toEqual([
      { field: 'items.0.refundedQuantity', message: 'more units returned than bought' },
    ]);
  });

  it('finds a line sent again by its SKU, product or title wherever it is, and a renamed one by its place', async () => {
    const toner = { title: 'Toner', sku: 'TN-1', quantity: 1, unitPriceCents: 3_000 };
    const serum = { title: 'Serum', productId: 'P-SERUM', quantity: 2, unitPriceCents: 2_500 };
    const box = { title: 'Gift box', quantity: 1, unitPriceCents: 500 };
    const { orderId } = await place('R-500', {
      customer: { phone: '13900005690' },
      totalCents: 8_500,
      items: [toner, serum, box],
    });
    const resend = (items: object[], refundedCents: number) =>
      call('POST', '/api/orders', {
        source: 'till',
        externalId: 'R-500',
        channel: 'offline',
        storeId: 'SH-01',
        status: 'partially_refunded',
        totalCents: 8_500,
        refundedCents,
        orderedAt: new Date(Date.now() - 3_600_000).toISOString(),
        customer: { phone: '13900005690' },
        items,
      });
    const returned = async () =>
      (await call('GET', `/api/orders/${orderId}`))
        .json<{ items: { lineNo: number; refundedQuantity: number }[] }>()
        .items.map((i) => [i.lineNo, i.refundedQuantity]);

    // The till groups the sale differently when it re-sends it: the box and a serum came back.
    const regrouped = await resend(
      [
        { ...box, refundedQuantity: 1 },
        { ...serum, refundedQuantity: 1 },
        { ...toner, refundedQuantity: 0 },
      ],
      3_000,
    );
    expect(regrouped.json()).toMatchObject({ outcome: 'updated' });
    expect(await returned()).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
    ]);
    // The same SKU under a new title is still the toner; a line without SKU or product id, renamed, is
    // the one in its place.
    const renamed = await resend(
      [
        {
          title: 'Balancing toner 200 ml',
          sku: 'TN-1',
          quantity: 1,
          unitPriceCents: 3_000,
          refundedQuantity: 1,
        },
        { ...serum, refundedQuantity: 1 },
        { title: 'Festive gift box', quantity: 1, unitPriceCents: 500, refundedQuantity: 1 },
      ],
      6_000,
    );
    expect(renamed.json()).toMatchObject({ outcome: 'updated' });
    expect(await returned()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    // Sent again as it is now, in yet another order, nothing moves.
    const again = await resend(
      [
        { ...serum, refundedQuantity: 1 },
        { ...toner, refundedQuantity: 1 },
        { ...box, refundedQuantity: 1 },
      ],
      6_000,
    );
    expect(again.json().outcome).toBe('unchanged');
  });

  it("lists the categories, brands and stores the shop's customers bought, most bought first", async () => {
    const shop = await testTenant(db());
    const order = (
      externalId: string,
      phone: string,
      storeId: string | null,
      category: string,
      brand: string,
    ) =>
      call(
        'POST',
        '/api/orders',
        {
          externalId,
          status: 'paid',
          totalCents: 1_000,
          orderedAt: '2026-09-01T10:00:00+08:00',
          ...(storeId ? { channel: 'offline', storeId } : {}),
          customer: { phone },
          items: [{ title: 'x', category, brand, quantity: 1, unitPriceCents: 1_000 }],
        },
        { headers: shop.auth },
      );
    await order('K-1', '13900000001', 'SH-01', 'Skincare/Oily', 'Dew');
    await order('K-2', '13900000002', 'SH-01', 'skincare/oily', 'Bloom');
    await order('K-3', '13900000002', 'BJ-02', 'skincare/dry', 'DEW');
    await order('K-5', '13900000004', null, 'skincare/oily', 'Dew');
    // A cancelled order bought nothing: its category and brand are not offered.
    await call(
      'POST',
      '/api/orders',
      {
        externalId: 'K-4',
        status: 'cancelled',
        totalCents: 1_000,
        orderedAt: '2026-09-01T10:00:00+08:00',
        customer: { phone: '13900000003' },
        items: [{ title: 'y', category: 'makeup', brand: 'Cera', quantity: 1, unitPriceCents: 1_000 }],
      },
      { headers: shop.auth },
    );
    const catalog = await call('GET', '/api/catalog', undefined, { headers: shop.auth });
    expect(catalog.statusCode).toBe(200);
    const { brands, ...bought } = catalog.json();
    expect(bought).toEqual({
      categories: [
        { category: 'skincare/oily', buyers: 3 },
        { category: 'skincare/dry', buyers: 1 },
      ],
      stores: [
        { storeId: 'SH-01', buyers: 2 },
        { storeId: 'BJ-02', buyers: 1 },
      ],
    });
    // One name whatever its case, spelled as most of its buyers bought it.
    expect(brands).toEqual([
      { brand: 'Dew', buyers: 3 },
      { brand: 'Bloom', buyers: 1 },
    ]);
    const one = await call('GET', '/api/catalog?limit=1', undefined, { headers: shop.auth });
    expect(one.json().categories).toEqual([{ category: 'skincare/oily', buyers: 3 }]);
    expect(one.json().brands).toEqual([{ brand: 'Dew', buyers: 3 }]);
    expect((await call('GET', '/api/catalog?limit=0', undefined, { headers: shop.auth })).statusCode).toBe(
      400,
    );
    // Another shop's customers bought elsewhere.
    const theirs = (await call('GET', '/api/catalog', undefined, { headers: b.auth })).json();
    expect(theirs).toEqual({ categories: [], stores: [], brands: [] });
  });

  it.runIf(kind === 'postgres')('counts one refund sent many times at once only once', async () => {
    const { orderId, customerId } = await place('R-300', { customer: { phone: '13900005678' } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => refund(orderId, 5_000)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(answers.map((r) => r.json().outcome).sort()).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'updated',
    ]);
    expect(await balance(customerId)).toBe(50);
  });
});
