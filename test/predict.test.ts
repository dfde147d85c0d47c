// Predictions on real data: the CDNOW sample of Fader, Hardie & Lee (2005) imported as orders, the
// CRM's own per-customer histories checked against the published summary, and the models fitted on them;
// then the per-category cycles on a small shop built to have every case in them.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createImport } from '../src/imports/imports.js';
import { runImport } from '../src/imports/run.js';
import { ingestOrders } from '../src/orders/ingest.js';
import { normalizeOrder, OrderInput, type NormalizedOrder } from '../src/orders/input.js';
import { customerHistories } from '../src/predict/history.js';
import { listJobs } from '../src/jobs/jobs.js';
import { PREDICT, schedulePredictions } from '../src/predict/jobs.js';
import { customerCycles, runPredictions } from '../src/predict/predictions.js';
import type { Shop } from '../src/shops/shops.js';
import { settleJobs, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';
import { describeEachDb } from './support/databases.js';
import { sharedData } from './support/shared.js';

const data = (file: string) => sharedData('cdnow', file);

/**
 * CDNOW_sample.txt has no header and no order ids: master id, sample id, date (YYYYMMDD), CDs and dollars,
 * separated by spaces, one purchase per line. The generic import reads it with a mapping by position.
 */
const CDNOW_MAPPING = {
  order_id: '#row',
  customer_id: '#2',
  ordered_at: '#3',
  item_quantity: '#4',
  total: '#5',
  status: '=completed',
  currency: '=USD',
  item_title: '=CD',
  item_category: '=music',
};

describeEachDb('predictions on CDNOW', ({ db }) => {
  let t: TestApp;
  let tenant: TestTenant;
  let shop: Shop;
  beforeAll(async () => {
    t = await testApp(db());
    tenant = await testTenant(db());
    shop = tenant.shop;
    const { record } = await createImport(db(), shop.shopId, {
      filePath: data('CDNOW_sample.txt'),
      format: 'generic',
      source: 'cdnow',
      mapping: CDNOW_MAPPING,
    });
    const done = await runImport(db(), shop.shopId, record.importId);
    expect(done.failure).toBeNull();
    expect(done).toMatchObject({
      status: 'completed',
      ordersCreated: 6919,
      errorRows: 0,
      customersCreated: 2357,
    });
    // The same file again changes nothing: its order ids are its row numbers under the file's fingerprint.
    const again = await createImport(db(), shop.shopId, {
      filePath: data('CDNOW_sample.txt'),
      format: 'generic',
      source: 'cdnow',
      mapping: CDNOW_MAPPING,
    });
    expect(await runImport(db(), shop.shopId, again.record.importId)).toMatchObject({
      ordersCreated: 0,
      ordersUnchanged: 6919,
    });
  }, 120_000);
  afterAll(() => t.app.close());

  it('computes each customer’s frequency, recency and T over the 39-week calibration as the published summary', async () => {
    const summary = new Map(
      readFileSync(data('cdnow_customers_summary.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [id, x, tx, T] = line.split(',').map(Number);
          return [String(id), { frequency: x!, recencyWeeks: tx!, ageWeeks: T! }];
        }),
    );
    const ids = new Map(
      (
        await db().query<{ customerId: string; value: string }>(
          `select customer_id as "customerId", value from customer_identities where shop_id = $1 and kind = 'platform_id'`,
          [shop.shopId],
        )
      ).map((r) => [r.customerId, String(Number(r.value.replace('cdnow:', '')))]),
    );
    const histories = await customerHistories(db(), shop.shopId, '1997-09-30', shop.timeZone);
    expect(histories).toHaveLength(2357);
    const mismatches = histories.filter((h) => {
      const s = summary.get(ids.get(h.customerId)!)!;
      return (
        s.frequency !== h.frequency ||
        Math.abs(s.recencyWeeks - h.recencyWeeks) > 0.006 ||
        Math.abs(s.ageWeeks - h.ageWeeks) > 0.006
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('fits the published MBG/NBD estimates on those histories and scores every customer', async () => {
    // Noon UTC on 30 September is evening of the same day in the shop's time zone (Asia/Shanghai).
    const model = await runPredictions(db(), shop.shopId, new Date('1997-09-30T12:00:00Z'));
    expect(model.calibrationEnd).toBe('1997-09-30');
    expect(model.purchases.model).toBe('MBG/NBD');
    const { r, alpha, a, b } = model.purchases.params;
    expect([r, alpha, a, b].map((v, i) => Math.abs(v / [0.525, 6.183, 0.891, 1.614][i]! - 1) < 0.01)).toEqual(
      [true, true, true, true],
    );
    // One-time buyers are not alive for certain (the BG/NBD had them all at 1): the earliest of them,
    // silent since January, less likely than the latest, who bought in March.
    const [once] = await db().query<{ highest: number; earliest: number; latest: number }>(
      `select max(p_alive) as highest,
              (array_agg(p_alive order by first_order_at))[1] as earliest,
              (array_agg(p_alive order by first_order_at desc))[1] as latest
         from customers where shop_id = $1 and order_count = 1`,
      [shop.shopId],
    );
    expect(once!.highest).toBeLessThan(0.75);
    expect(once!.earliest).toBeLessThan(once!.latest);
    const [scored] = await db().query<{ n: number; alive: number; value: number }>(
      `select count(*) filter (where p_alive is not null)::int as n, avg(p_alive)::float8 as alive,
              sum(predicted_value_cents)::int8 as value
         from customers where shop_id = $1`,
      [shop.shopId],
    );
    expect(scored!.n).toBe(2357);
    expect(scored!.alive).toBeGreaterThan(0.3);
    expect(scored!.alive).toBeLessThan(1);
    expect(scored!.value).toBeGreaterThan(0);
    // Customer 1 of the sample bought on 1 Jan, 18 Jan and 2 Aug 1997: gaps of 17 and 196 days, a median
    // cycle of 106.5, so the next purchase is due 107 days after 2 August.
    const [one] = await db().query<{ customerId: string; cycle: number; next: Date; orders: number }>(
      `select c.customer_id as "customerId", c.purchase_cycle_days as cycle, c.next_purchase_at as next,
              c.expected_orders_12m as orders
         from customers c join customer_identities i using (shop_id, customer_id)
        where c.shop_id = $1 and i.kind = 'platform_id' and i.value = 'cdnow:0001'`,
      [shop.shopId],
    );
    expect(one!.cycle).toBeCloseTo(106.5, 1);
    expect(one!.next).toEqual(new Date('1997-11-16T16:00:00Z')); // midnight of 17 November in Shanghai
    expect(one!.orders).toBeGreaterThan(1);
    // Every CDNOW order is one music item: the category's cycle is the customer's.
    expect(await customerCycles(db(), shop.shopId, one!.customerId)).toEqual([
      {
        category: 'music',
        purchaseDays: 3,
        cycleDays: 106.5,
        lastPurchaseAt: new Date('1997-08-01T16:00:00Z'),
        nextPurchaseAt: new Date('1997-11-16T16:00:00Z'),
      },
    ]);
  });

  it('runs through the API as a job, answers the model and each customer’s cycles, and only to its shop', async () => {
    const auth = { headers: tenant.auth };
    const run = await t.app.inject({ method: 'POST', url: '/api/predictions/run', ...auth });
    expect(run.statusCode).toBe(202);
    await settleJobs(t.jobs, db(), shop.shopId);
    const job = (await t.app.inject({ method: 'GET', url: `/api/jobs/${run.json().jobId}`, ...auth })).json();
    expect(job.failure).toBeNull();
    expect(job).toMatchObject({ status: 'completed', done: 2357, total: 2357, result: { customers: 2357 } });
    const model = (await t.app.inject({ method: 'GET', url: '/api/predictions/model', ...auth })).json();
    expect(model.gammaGamma.params.p).toBeGreaterThan(0);
    expect(model.purchases.model).toBe('MBG/NBD');
    const [someone] = await db().query<{ customerId: string }>(
      'select customer_id as "customerId" from customers where shop_id = $1 and purchase_cycle_days is not null limit 1',
      [shop.shopId],
    );
    const profile = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${someone!.customerId}`, ...auth })
    ).json();
    expect(profile.pAlive).toBeGreaterThan(0);
    expect(profile.nextPurchaseAt).not.toBeNull();
    const cycles = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${someone!.customerId}/cycles`,
      ...auth,
    });
    expect(cycles.json().items[0]).toMatchObject({ category: 'music' });

    const other = await testTenant(db());
    const outsider = { headers: other.auth };
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/predictions/model', ...outsider })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/customers/${someone!.customerId}/cycles`,
          ...outsider,
        })
      ).statusCode,
    ).toBe(404);
    const tooSmall = await t.app.inject({ method: 'POST', url: '/api/predictions/run', ...outsider });
    await settleJobs(t.jobs, db(), other.shop.shopId);
    const failed = (
      await t.app.inject({ method: 'GET', url: `/api/jobs/${tooSmall.json().jobId}`, ...outsider })
    ).json();
    expect(failed).toMatchObject({ status: 'failed' });
    expect(failed.failure).toContain('Predictions need at least 50 buyers');
  });

  it('queues a nightly run at the shop’s midnight once it has returning buyers', async () => {
    const at = new Date('2026-11-24T19:00:00Z'); // 03:00 on 25 November in Shanghai
    const waiting = async () =>
      (await listJobs(db(), shop.shopId, { kind: PREDICT, limit: 10 })).filter((j) => j.status === 'queued');
    const before = (await waiting()).length;
    await schedulePredictions(db(), at);
    expect(await waiting()).toHaveLength(before);
    const [row] = await db().query<{ next: Date }>(
      'select next_run_at as next from prediction_schedules where shop_id = $1',
      [shop.shopId],
    );
    expect(row!.next).toEqual(new Date('2026-11-25T16:00:00Z'));
    await schedulePredictions(db(), new Date('2026-11-25T16:00:01Z'));
    expect(await waiting()).toHaveLength(before + 1);
  });
});

describeEachDb('per-category purchase cycles', ({ db, newShop }) => {
  it('take the median gap between the days a category was bought, in any case, refunds left out', async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const order = (externalId: string, customer: string, at: string, category: string, extra = {}) => {
      const r = normalizeOrder(
        OrderInput.parse({
          externalId,
          customer: { email: `${customer}@example.com` },
          orderedAt: at,
          status: 'paid',
          totalCents: 5000,
          channel: 'online',
          items: [{ title: category, category, quantity: 1, unitPriceCents: 5000 }],
          ...extra,
        }),
        shop,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.order;
    };
    // Sixty buyers who came back once, about five weeks later, so the models have histories to fit.
    const orders: NormalizedOrder[] = Array.from({ length: 60 }, (_, i) => [
      order(`F-${i}-1`, `f${i}`, `2026-0${1 + (i % 6)}-0${1 + (i % 9)}T04:00:00Z`, 'Tea'),
      order(`F-${i}-2`, `f${i}`, `2026-0${2 + (i % 6)}-1${i % 9}T04:00:00Z`, 'Tea'),
    ]).flat();
    // Skincare on 1 and 11 March (twice that day, the second at 23:30 in Shanghai), 21 March written in
    // capitals, and 10 April: four days, gaps of 10, 10 and 20, a median of 10. A refunded order on 5 March
    // is no purchase. Makeup on one day only has no cycle.
    orders.push(
      order('S-1', 'ann', '2026-03-01T02:00:00Z', 'skincare/oily'),
      order('S-2', 'ann', '2026-03-11T02:00:00Z', 'skincare/oily'),
      order('S-3', 'ann', '2026-03-11T15:30:00Z', 'skincare/oily'),
      order('S-4', 'ann', '2026-03-21T02:00:00Z', 'Skincare/Oily'),
      order('S-5', 'ann', '2026-04-10T02:00:00Z', 'skincare/oily'),
      order('S-6', 'ann', '2026-03-05T02:00:00Z', 'skincare/oily', {
        status: 'refunded',
        refundedCents: 5000,
      }),
      order('M-1', 'ann', '2026-03-05T03:00:00Z', 'makeup'),
    );
    await db().transaction((tx) => ingestOrders(tx, shop.shopId, orders, 'test'));
    await runPredictions(db(), shop.shopId, new Date('2026-09-30T12:00:00Z'));
    const [ann] = await db().query<{ customerId: string }>(
      `select customer_id as "customerId" from customers where shop_id = $1 and email = 'ann@example.com'`,
      [shop.shopId],
    );
    expect(await customerCycles(db(), shop.shopId, ann!.customerId)).toEqual([
      {
        category: 'skincare/oily',
        purchaseDays: 4,
        cycleDays: 10,
        lastPurchaseAt: new Date('2026-04-09T16:00:00Z'),
        nextPurchaseAt: new Date('2026-04-19T16:00:00Z'),
      },
    ]);
    // The next night the 10 April order has been refunded and one tea buyer's second order cancelled:
    // Ann's row changes, the tea buyer's goes, the others stay as they were.
    await db().transaction((tx) =>
      ingestOrders(
        tx,
        shop.shopId,
        [
          order('S-5', 'ann', '2026-04-10T02:00:00Z', 'skincare/oily', {
            status: 'refunded',
            refundedCents: 5000,
          }),
          order('F-0-2', 'f0', '2026-02-10T04:00:00Z', 'Tea', { status: 'cancelled' }),
        ],
        'test',
      ),
    );
    const before = await db().query<{ customerId: string }>(
      `select customer_id as "customerId", category, purchase_days, cycle_days, last_purchase_at, next_purchase_at
         from customer_category_cycles where shop_id = $1 and customer_id <> $2 order by 1`,
      [shop.shopId, ann!.customerId],
    );
    await runPredictions(db(), shop.shopId, new Date('2026-10-01T12:00:00Z'));
    expect(await customerCycles(db(), shop.shopId, ann!.customerId)).toEqual([
      {
        category: 'skincare/oily',
        purchaseDays: 3,
        cycleDays: 10,
        lastPurchaseAt: new Date('2026-03-20T16:00:00Z'),
        nextPurchaseAt: new Date('2026-03-30T16:00:00Z'),
      },
    ]);
    const after = await db().query<{ customerId: string }>(
      `select customer_id as "customerId", category, purchase_days, cycle_days, last_purchase_at, next_purchase_at
         from customer_category_cycles where shop_id = $1 and customer_id <> $2 order by 1`,
      [shop.shopId, ann!.customerId],
    );
    const [f0] = await db().query<{ customerId: string }>(
      `select customer_id as "customerId" from customers where shop_id = $1 and email = 'f0@example.com'`,
      [shop.shopId],
    );
    expect(before).toHaveLength(60);
    expect(after).toEqual(before.filter((r) => r.customerId !== f0!.customerId));
  });
});
