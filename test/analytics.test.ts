// The dashboard's figures on a small shop computed by hand: refunded and cancelled orders, a customer
// buying in two channels, orders half an hour either side of the shop's midnight, dormant customers who
// come back and those who do not, a segment filter, spend and acquisition cost, points and tier moves,
// and the service desk's cases.
import { expect, it } from 'vitest';
import { dashboard } from '../src/analytics/dashboard.js';
import { promotionReport } from '../src/analytics/promotion.js';
import { saveSpend } from '../src/analytics/spend.js';
import { recordEvents } from '../src/customers/timeline.js';
import { standing as standingOf } from '../src/analytics/standing.js';
import { periodOf } from '../src/analytics/period.js';
import { pointsMoved, tierMigration } from '../src/membership/figures.js';
import { getProgram } from '../src/membership/program.js';
import { tierDistribution } from '../src/membership/distribution.js';
import { computeRfm, rfmGrid } from '../src/rfm/rfm.js';
import { adjustPoints, redeemPoints } from '../src/membership/redemptions.js';
import { ingestOrders } from '../src/orders/ingest.js';
import { normalizeOrder, OrderInput } from '../src/orders/input.js';
import { saveSegment } from '../src/segments/segments.js';
import { CaseInput } from '../src/service/cases.js';
import { openCase, updateCase } from '../src/service/desk.js';
import { setServiceHours } from '../src/service/hours.js';
import { setServiceTargets } from '../src/service/targets.js';
import type { Shop } from '../src/shops/shops.js';
import { testApp, testTenant } from './support/app.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('analytics', ({ db, newShop }) => {
  let n = 0;
  const buy = async (shop: Shop, who: string, at: string, total: number, extra: object = {}) => {
    const r = normalizeOrder(
      OrderInput.parse({
        externalId: `A-${(n += 1)}`,
        status: 'paid',
        totalCents: total * 100,
        orderedAt: at,
        channel: 'online',
        customer: { email: `${who}@example.com`, name: who },
        ...extra,
      }),
      shop,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const [result] = [await db().transaction((tx) => ingestOrders(tx, shop.shopId, [r.order], 'test'))];
    return result!.customerIds[0]!;
  };

  /** The shop of the hand computation (Asia/Shanghai, UTC+8); noon local unless a time says otherwise. */
  const handShop = async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const noon = (day: string) => `${day}T12:00:00+08:00`;
    const ids: Record<string, string> = {};
    ids.a = await buy(shop, 'a', noon('2026-01-10'), 100);
    await buy(shop, 'a', noon('2026-03-05'), 200, { status: 'partially_refunded', refundedCents: 2000 });
    await buy(shop, 'a', noon('2026-03-20'), 50, { discountCents: 1000, status: 'completed' });
    ids.b = await buy(shop, 'b', noon('2026-03-02'), 300, { couponCode: 'SPRING' });
    await buy(shop, 'b', noon('2026-03-15'), 80, { status: 'refunded', refundedCents: 8000 });
    // Half an hour past midnight on 1 March in Shanghai is still 28 February in UTC: March's.
    ids.c = await buy(shop, 'c', '2026-02-28T16:30:00Z', 120);
    // Half an hour past midnight on 1 April in Shanghai: not March's.
    ids.d = await buy(shop, 'd', '2026-03-31T16:30:00Z', 70);
    await buy(shop, 'e', noon('2026-03-10'), 500, { status: 'cancelled' });
    ids.f = await buy(shop, 'f', noon('2025-06-01'), 90);
    await buy(shop, 'f', noon('2026-03-25'), 60, { channel: 'offline', storeId: 'S1' });
    await buy(shop, 'f', noon('2026-03-26'), 40);
    ids.g = await buy(shop, 'g', noon('2025-07-01'), 50);
    return { shop, ids };
  };

  it('splits March’s sales into new and returning customers, by the shop’s calendar', async () => {
    const { shop } = await handShop();
    await saveSpend(db(), shop.shopId, { month: '2026-03', channel: 'Douyin ads', amountCents: 100_000 });
    await saveSpend(db(), shop.shopId, { month: '2026-03', channel: 'SMS', amountCents: 20_000 });
    const d = await dashboard(db(), shop.shopId, { from: '2026-03-01', to: '2026-03-31' });
    expect(d.sales).toEqual({
      orders: 7,
      customers: 4,
      grossCents: 85_000,
      refundedCents: 10_000,
      netCents: 75_000,
      newCustomers: 2,
      newNetCents: 42_000,
      returningOrders: 5,
      returningCustomers: 3,
      returningNetCents: 33_000,
      returningShare: 0.44,
      previousBuyers: 3,
      returningConversion: 2 / 3,
      repeatCustomers: 3,
      repurchaseRate: 0.75,
      secondOrders: 3,
      medianDaysToSecondOrder: 54,
      aovCents: 12_143,
      frequency: 1.75,
      refundedOrders: 2,
      refundOrderRate: 2 / 7,
      refundAmountRate: 10_000 / 85_000,
      discountedOrders: 2,
      discountOrderShare: 2 / 7,
      discountRevenueShare: 35_000 / 85_000,
      // Of all their purchases by the end of March: a 1 of 3 (January's was not), b 1 of 2, c and f none.
      customersByDiscount: { none: 2, some: 1, mostly: 1 },
      channels: { onlineOrders: 6, offlineOrders: 1, bothChannelsCustomers: 1 },
    });
    expect(d.series).toEqual([
      { bucket: '2026-03-01', orders: 1, newNetCents: 12_000, returningNetCents: 0 },
      { bucket: '2026-03-02', orders: 1, newNetCents: 30_000, returningNetCents: 0 },
      { bucket: '2026-03-05', orders: 1, newNetCents: 0, returningNetCents: 18_000 },
      { bucket: '2026-03-15', orders: 1, newNetCents: 0, returningNetCents: 0 },
      { bucket: '2026-03-20', orders: 1, newNetCents: 0, returningNetCents: 5_000 },
      { bucket: '2026-03-25', orders: 1, newNetCents: 0, returningNetCents: 6_000 },
      { bucket: '2026-03-26', orders: 1, newNetCents: 0, returningNetCents: 4_000 },
    ]);
    // F last bought ten months before March and came back; G did not. At March's end G is churned.
    expect(d.dormancy).toEqual({
      days: 180,
      dormant: 2,
      reactivated: 1,
      rate: 0.5,
      buyers: 5,
      churned: 1,
      churnRate: 0.2,
    });
    expect(d.acquisition).toEqual({
      months: [{ month: '2026-03', spendCents: 120_000, newCustomers: 2, cacCents: 60_000 }],
      spendCents: 120_000,
      newCustomers: 2,
      cacCents: 60_000,
    });
    // A segment of everyone takes the other road — its members' purchase days and customer rows instead
    // of the shop-wide pair counts — and must arrive at the same figures, here and with a shorter
    // dormancy line (F's gap of ten months, G's of eight, both beyond 90 days; A's two months not).
    // Tiers and RFM cells, read in one pass with the points owed, are what their own modules count.
    await computeRfm(db(), shop.shopId, new Date('2026-04-01T00:00:00Z'));
    const { program } = await getProgram(db(), shop.shopId);
    const scored = await dashboard(db(), shop.shopId, { from: '2026-03-01', to: '2026-03-31' });
    expect(scored.tiers).toEqual(await tierDistribution(db(), shop.shopId, program));
    expect(scored.rfm).toEqual(await rfmGrid(db(), shop.shopId));
    expect(scored.rfm.reduce((n, c) => n + c.customers, 0)).toBe(6);
    // Customers on a 30-day line (30 January for the period's start, 2 March for its end): two whose
    // gaps end on it, and two who last bought on it and never again.
    const noon = (day: string) => `${day}T12:00:00+08:00`;
    await buy(shop, 'h', noon('2026-01-30'), 10);
    await buy(shop, 'h', noon('2026-03-10'), 10);
    await buy(shop, 'i', noon('2026-03-01'), 10);
    await buy(shop, 'i', noon('2026-04-05'), 10);
    await buy(shop, 'j', noon('2026-01-30'), 10);
    await buy(shop, 'k', noon('2026-03-02'), 10);
    const everyone = await saveSegment(db(), shop.shopId, {
      name: 'Everyone',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 0 },
    });
    for (const dormantDays of [180, 90, 30]) {
      const all = await dashboard(db(), shop.shopId, { from: '2026-03-01', to: '2026-03-31', dormantDays });
      const segment = await dashboard(db(), shop.shopId, {
        from: '2026-03-01',
        to: '2026-03-31',
        dormantDays,
        segmentId: everyone.segmentId,
      });
      for (const key of ['sales', 'series', 'cohorts', 'dormancy', 'acquisition'] as const) {
        expect(segment[key], `${key} with ${dormantDays} days`).toEqual(all[key]);
      }
    }
  });

  it('follows monthly cohorts and reports a promotion before, during and after', async () => {
    const { shop } = await handShop();
    const d = await dashboard(db(), shop.shopId, { from: '2026-01-01', to: '2026-03-31' });
    expect(d.cohorts).toEqual([
      { month: '2026-01', customers: 1, active: [1, 0, 1] },
      { month: '2026-03', customers: 2, active: [2] },
    ]);
    const p = await promotionReport(db(), shop.shopId, { from: '2026-03-01', to: '2026-03-10' });
    expect(
      p.map((w) => [w.window, w.from, w.to, w.orders, w.newCustomers, w.netCents, w.returningNetCents]),
    ).toEqual([
      ['before', '2026-02-19', '2026-02-28', 0, 0, 0, 0],
      ['during', '2026-03-01', '2026-03-10', 3, 2, 60_000, 18_000],
      ['after', '2026-03-11', '2026-03-20', 2, 0, 5_000, 5_000],
    ]);
  });

  it('measures a segment only, and refuses what is not a period', async () => {
    const { shop } = await handShop();
    const segment = await saveSegment(db(), shop.shopId, {
      name: 'Bought offline',
      rule: { type: 'field', field: 'offlineOrderCount', op: 'gte', value: 1 },
    });
    const d = await dashboard(db(), shop.shopId, {
      from: '2026-03-01',
      to: '2026-03-31',
      segmentId: segment.segmentId,
    });
    expect(d.sales).toMatchObject({
      orders: 2,
      customers: 1,
      netCents: 10_000,
      newCustomers: 0,
      previousBuyers: 1,
    });
    expect(d.dormancy).toMatchObject({ dormant: 1, reactivated: 1, buyers: 1, churned: 0 });
    await expect(dashboard(db(), shop.shopId, { from: '2026-03-31', to: '2026-03-01' })).rejects.toThrow();
    await expect(
      dashboard(db(), shop.shopId, { from: '2026-03-01', to: '2026-03-31', segmentId: shop.shopId }),
    ).rejects.toMatchObject({ details: [{ field: 'segmentId', message: 'no such segment' }] });
  });

  it('counts the service desk’s cases of the period, for everyone or a segment', async () => {
    const { shop, ids } = await handShop();
    const by = { name: 'Desk' };
    const at = (local: string) => new Date(`${local}+08:00`);
    const open = async (customerId: string, input: object, when: string) =>
      (
        await openCase(
          db(),
          shop.shopId,
          customerId,
          CaseInput.parse({ ...input, openedAt: at(when).toISOString() }),
          by,
          'console',
          at(when),
        )
      ).caseId;
    const resolve = (caseId: string, when: string) =>
      updateCase(db(), shop.shopId, caseId, { status: 'resolved' }, by, 'console', at(when));
    await resolve(
      await open(ids.a!, { kind: 'complaint', subject: 'Late' }, '2026-03-05T10:00:00'),
      '2026-03-05T16:00:00',
    );
    await open(ids.b!, { kind: 'review', subject: 'Meh', rating: 2 }, '2026-03-16T12:00:00');
    await resolve(
      await open(ids.b!, { kind: 'review', subject: 'Fine', rating: 4 }, '2026-03-20T12:00:00'),
      '2026-03-22T12:00:00',
    );
    // Opened in February, resolved in March: March's resolution, February's case.
    await resolve(
      await open(ids.c!, { kind: 'inquiry', subject: 'Size?' }, '2026-02-27T12:00:00'),
      '2026-03-02T12:00:00',
    );
    // Half an hour into April in Shanghai: not March's.
    await open(ids.f!, { kind: 'after_sale', subject: 'Exchange' }, '2026-04-01T00:30:00');

    // The complaint resolved in 6 hours is within a day; the review in 48 is not; questions have none.
    await setServiceTargets(db(), shop.shopId, { complaint: 24, review: 24 });
    const march = { from: '2026-03-01', to: '2026-03-31' };
    expect((await dashboard(db(), shop.shopId, march)).service).toEqual({
      opened: { inquiry: 0, after_sale: 0, complaint: 1, dispute: 0, review: 2 },
      customers: 2,
      stillOpen: 1,
      resolved: 3,
      resolvedWithTarget: 2,
      resolvedOnTarget: 1,
      medianHoursToResolve: 48,
      averageRating: 3,
    });
    // Counted in the desk's working hours (weekdays, 9 to 6), the review of Friday noon was due on
    // Tuesday evening: resolved on the Sunday, it was within its target. The time to resolve counts the
    // same hours: 6 (Thursday 10 to 4), 6 (Friday noon to six; the weekend closed) and 9 (Friday noon
    // to Monday noon) — a median of 6 open hours, where the clock says 48.
    const weekdays = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '09:00', closes: '18:00' }));
    await setServiceHours(db(), shop.shopId, { days: weekdays, holidays: [] });
    expect((await dashboard(db(), shop.shopId, march)).service).toMatchObject({
      resolvedWithTarget: 2,
      resolvedOnTarget: 2,
      medianHoursToResolve: 6,
    });
    // Monday 2 March a holiday: the question took Friday's 6 hours only.
    await setServiceHours(db(), shop.shopId, { days: weekdays, holidays: ['2026-03-02'] });
    const rows = await db().query<{ hours: number }>(`select service_open_hours($1, $2, $3) as hours`, [
      shop.shopId,
      at('2026-02-27T12:00:00'),
      at('2026-03-02T12:00:00'),
    ]);
    expect(Number(rows[0]!.hours)).toBe(6);
    await setServiceHours(db(), shop.shopId, { days: [], holidays: [] });
    const segment = await saveSegment(db(), shop.shopId, {
      name: 'Complained',
      rule: { type: 'service', kinds: ['complaint'] },
    });
    expect((await dashboard(db(), shop.shopId, { ...march, segmentId: segment.segmentId })).service).toEqual({
      opened: { inquiry: 0, after_sale: 0, complaint: 1, dispute: 0, review: 0 },
      customers: 1,
      stillOpen: 0,
      resolved: 1,
      resolvedWithTarget: 1,
      resolvedOnTarget: 1,
      medianHoursToResolve: 6,
      averageRating: null,
    });
    const april = await dashboard(db(), shop.shopId, { from: '2026-04-01', to: '2026-04-30' });
    expect(april.service).toMatchObject({
      opened: { after_sale: 1 },
      customers: 1,
      stillOpen: 1,
      resolved: 0,
    });
    expect(april.service.medianHoursToResolve).toBeNull();
  });

  it('counts points moved in a period and tier moves between two moments', async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const start = new Date();
    const who = await buy(shop, 'p', '2025-11-01T12:00:00+08:00', 40);
    await buy(shop, 'p', new Date().toISOString(), 60);
    await redeemPoints(
      db(),
      shop,
      who,
      { points: 30, purpose: 'gift', idempotencyKey: 'redeem-test-1' },
      null,
    );
    await adjustPoints(db(), shop, who, { points: -10, reason: 'correction' }, null);
    const end = new Date(Date.now() + 1000);
    const moved = await pointsMoved(db(), shop.shopId, start, end, { where: 'true', params: [] });
    // The order of last November earned its points then, not when it was sent in.
    expect(moved).toEqual({ earned: 60, added: 0, reversed: 0, redeemed: 30, expired: 0, deducted: 10 });
    const november = await pointsMoved(db(), shop.shopId, new Date('2025-11-01'), new Date('2025-11-02'), {
      where: 'true',
      params: [],
    });
    expect(november.earned).toBe(40);
    const { program } = await getProgram(db(), shop.shopId);
    const today = new Date().toISOString().slice(0, 10);
    const standing = await standingOf(db(), shop.shopId, program, periodOf(today, today, 'UTC'), 180, () => ({
      everyone: true,
      where: 'true',
      params: [],
    }));
    expect(standing).toMatchObject({ outstanding: 60, members: 1 });
    expect(standing.tiers.reduce((n, t) => n + t.customers, 0)).toBe(1);
    // Two customers: one upgraded 0 → 2 in February, one 0 → 1 in January and back to 0 in March.
    const other = await buy(shop, 'q', '2025-12-01T12:00:00+08:00', 10);
    const t = (day: string) => new Date(`${day}T12:00:00+08:00`);
    await recordEvents(db(), shop.shopId, [
      {
        customerId: who,
        type: 'tier.changed',
        occurredAt: t('2026-02-10'),
        source: 'test',
        data: { from: 0, to: 2 },
      },
      {
        customerId: other,
        type: 'tier.changed',
        occurredAt: t('2026-01-10'),
        source: 'test',
        data: { from: 0, to: 1 },
      },
      {
        customerId: other,
        type: 'tier.changed',
        occurredAt: t('2026-03-10'),
        source: 'test',
        data: { from: 1, to: 0 },
      },
    ]);
    expect(
      await tierMigration(db(), shop.shopId, t('2026-02-01'), t('2026-03-31'), { where: 'true', params: [] }),
    ).toEqual([
      { from: 0, to: 2, customers: 1 },
      { from: 1, to: 0, customers: 1 },
    ]);
  });

  it('answers through the API for one shop only, field by field, and exports CSV and XLSX', async () => {
    const t = await testApp(db());
    const a = await testTenant(db(), 'Measured shop');
    const b = await testTenant(db(), 'Other shop');
    const get = (url: string, who = a) => t.app.inject({ method: 'GET', url, headers: who.auth });
    for (const [i, day] of ['2026-03-02', '2026-03-09'].entries())
      await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: a.auth,
        payload: {
          externalId: `API-${i}`,
          status: 'paid',
          totalCents: 10_000,
          orderedAt: `${day}T12:00:00+08:00`,
          customer: { email: 'api@example.com' },
        },
      });
    const mine = await get('/api/analytics/dashboard?from=2026-03-01&to=2026-03-31');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().sales).toMatchObject({ orders: 2, customers: 1, newCustomers: 1, repurchaseRate: 1 });
    // 200 points earned (one a yuan) are worth ¥2.00 as money off (100 points a yuan).
    expect(mine.json().points).toMatchObject({ outstanding: 200, outstandingValueCents: 200 });
    // The other shop sees none of it, nor can it measure with this shop's segment.
    const theirs = await get('/api/analytics/dashboard?from=2026-03-01&to=2026-03-31', b);
    expect(theirs.json().sales).toMatchObject({ orders: 0, customers: 0, returningShare: null });
    const seg = await t.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: a.auth,
      payload: { name: 'All', rule: { type: 'and', rules: [] } },
    });
    const borrowed = await get(
      `/api/analytics/dashboard?from=2026-03-01&to=2026-03-31&segmentId=${seg.json().segmentId}`,
      b,
    );
    expect(borrowed.statusCode).toBe(400);
    expect(borrowed.json().details).toEqual([{ field: 'querystring.segmentId', message: 'no such segment' }]);
    // A day that does not exist is that one problem, not also a period the wrong way round.
    const bad = await get('/api/analytics/dashboard?from=2026-03-31&to=2026-02-30&dormantDays=5');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['querystring.dormantDays', 'querystring.to']);
    const backwards = await get('/api/analytics/dashboard?from=2026-03-31&to=2026-02-28');
    expect(backwards.json().details).toEqual([
      { field: 'querystring.from', message: 'must not be after to' },
    ]);
    const spend = await t.app.inject({
      method: 'PUT',
      url: '/api/analytics/spend',
      headers: a.auth,
      payload: { month: '2026-13', channel: '', amountCents: -1 },
    });
    expect(
      spend
        .json()
        .details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(['body.amountCents', 'body.channel', 'body.month'].sort());
    const csv = await get('/api/analytics/dashboard/export?from=2026-03-01&to=2026-03-31&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('sales,orders,2');
    expect(csv.body).toContain('sales,newNetCents,10000');
    const xlsx = await get('/api/analytics/dashboard/export?from=2026-03-01&to=2026-03-31&format=xlsx');
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const promo = await get('/api/analytics/promotion?from=2026-03-08&to=2026-03-10&days=7');
    expect(promo.json().windows.map((w: { orders: number }) => w.orders)).toEqual([1, 1, 0]);
    const moves = await get('/api/analytics/tier-migration?from=2026-03-01&to=2026-03-31');
    expect(moves.statusCode).toBe(200);
  });
});
