// The `recommended` template variable (engage/recipients.ts): the best sellers of the last 180 days in
// the customer's favourite category, by units kept, that the customer has not bought — read through a
// preview, as an operator writing a template sees it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';
import { testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';

describeEachDb('recommended products', ({ db }) => {
  let t: TestApp;
  let shop: TestTenant;
  beforeAll(async () => {
    t = await testApp(db());
    shop = await testTenant(db());
  });
  afterAll(() => t.app.close());

  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
  let n = 0;
  /** One order of one line, bought by the phone's owner `days` ago. */
  const buy = async (
    phone: string,
    days: number,
    line: { title: string; sku: string; category: string; quantity: number; yuan: number },
    refund: 'whole' | null = null,
  ) => {
    const totalCents = line.quantity * line.yuan * 100;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: shop.auth,
      payload: {
        externalId: `R-${++n}`,
        status: refund ? 'refunded' : 'completed',
        totalCents,
        refundedCents: refund ? totalCents : 0,
        orderedAt: daysAgo(days),
        customer: { phone },
        items: [
          {
            title: line.title,
            sku: line.sku,
            category: line.category,
            quantity: line.quantity,
            unitPriceCents: line.yuan * 100,
          },
        ],
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json<{ customerId: string }>().customerId;
  };
  const oily = (title: string, sku: string, quantity: number, yuan: number) => ({
    title,
    sku,
    category: 'skincare/oily',
    quantity,
    yuan,
  });

  it('offers the last 180 days’ best sellers of the favourite category, by units kept, not bought yet', async () => {
    // The customer: two oil serums and one lip tint, so skincare/oily is the favourite.
    const me = await buy('13700000001', 10, oily('Oil Serum', 'OS', 2, 120));
    await buy('13700000001', 20, { title: 'Lip Tint', sku: 'LT', category: 'makeup', quantity: 1, yuan: 60 });
    // Others' purchases of the category.
    await buy('13700000002', 5, oily('Oil Serum', 'OS', 20, 120)); // theirs already: never offered
    await buy('13700000003', 30, oily('Clay Mask', 'CM', 5, 59));
    await buy('13700000004', 40, oily('Toner', 'TN', 3, 39));
    // Refunded whole: every unit came back, though its line does not say so.
    await buy('13700000005', 50, oily('Gel Cream', 'GC', 4, 99), 'whole');
    await buy('13700000006', 60, oily('Sun Fluid', 'SF', 1, 88));
    await buy('13700000007', 200, oily('Old Classic', 'OC', 10, 45)); // before the 180 days
    await buy('13700000008', 15, { title: 'Lipstick', sku: 'LS', category: 'makeup', quantity: 9, yuan: 80 });

    const preview = await t.app.inject({
      method: 'POST',
      url: '/api/templates/preview',
      headers: shop.auth,
      payload: {
        customerId: me,
        template: {
          name: 'Picks',
          channel: 'sms',
          body: '{% for p in recommended %}{{ p.title }} ({{ p.sku }}, {{ p.category }}) {{ p.price }} {{ p.currency }}; {% endfor %}',
        },
      },
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json<{ body: string }>().body).toBe(
      'Clay Mask (CM, skincare/oily) 59.00 CNY; Toner (TN, skincare/oily) 39.00 CNY; ' +
        'Sun Fluid (SF, skincare/oily) 88.00 CNY; ',
    );
  });
});
