// Membership through the API: tiers that upgrade themselves, one points ledger for online and offline,
// member cards bound by a one-time code, and the jobs that re-grade, review and expire.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { createImport } from '../src/imports/imports.js';
import { runImport } from '../src/imports/run.js';
import { requestBinding } from '../src/membership/cards.js';
import { expirePoints } from '../src/membership/expiry.js';
import { DEFAULT_PROGRAM, getProgram } from '../src/membership/program.js';
import { windowStart } from '../src/membership/grading.js';
import { enqueueJob } from '../src/jobs/jobs.js';
import { YEAR } from '../src/membership/schedule.js';
import { gradeAll } from '../src/membership/tiers.js';
import { keepMemberYear, memberYearClock } from '../src/membership/year.js';
import { describeEachDb } from './support/databases.js';
import { createStaff } from '../src/shops/staff.js';
import { settleJobs, signInAs, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';
import { startAliyunSink, startHttpSink, type HttpSink } from './support/sinks.js';

const yuan = (n: number) => n * 100;
let serial = 0;

function client(t: TestApp, tenant: TestTenant) {
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) => {
    const r = await t.app.inject({ method, url, headers: tenant.auth, payload: payload as object });
    return { status: r.statusCode, body: r.json() };
  };
  return {
    call,
    order: async (over: Record<string, unknown>) => {
      const r = await call('POST', '/api/orders', {
        externalId: `O-${++serial}`,
        status: 'paid',
        // A minute apart, in the order sent: points are dated by their order.
        orderedAt: new Date(Date.parse('2026-10-01T10:00:00+08:00') + serial * 60_000).toISOString(),
        ...over,
      });
      expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
      return r.body as { orderId: string; customerId: string };
    },
    customer: async (id: string) => (await call('GET', `/api/customers/${id}`)).body,
    points: async (id: string) => (await call('GET', `/api/customers/${id}/points`)).body,
    ledger: async (id: string) => (await call('GET', `/api/customers/${id}/points/ledger`)).body.items,
    timeline: async (id: string) =>
      (await call('GET', `/api/customers/${id}/timeline`)).body.items as {
        type: string;
        occurredAt: string;
        data: Record<string, unknown>;
      }[],
    runJobs: () => settleJobs(t.jobs, t.db, tenant.shop.shopId),
  };
}

/** Imports generic CSV lines (orders with a phone) into the shop, to completion. */
function importer(db: Db, shopId: string) {
  let dir: string | undefined;
  return async (name: string, lines: string[]) => {
    dir ??= await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, name);
    await writeFile(path, ['order_id,ordered_at,status,total,phone', ...lines].join('\n'));
    const { record } = await createImport(db, shopId, { filePath: path, format: 'generic' });
    const done = await runImport(db, shopId, record.importId);
    expect(done.status).toBe('completed');
    return done;
  };
}

/** Every customer's balance is the sum of its ledger entries. */
async function expectBalanced(db: Db, shopId: string): Promise<void> {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n from customers c
       left join (select customer_id, sum(points) as points from points_ledger where shop_id = $1 group by customer_id) l
         using (customer_id)
      where c.shop_id = $1 and c.points_balance <> coalesce(l.points, 0)`,
    [shopId],
  );
  expect(row!.n).toBe(0);
}

/** The code in the last text the SMS provider received, and that text. */
function lastCode(sms: HttpSink): { to: string; text: string; code: string } {
  const { to, text } = JSON.parse(sms.requests.at(-1)!.body) as { to: string; text: string };
  return { to, text, code: /\d{6}/.exec(text)![0] };
}

describeEachDb('membership', ({ db }) => {
  let t: TestApp;
  let sms: HttpSink;
  beforeAll(async () => {
    t = await testApp(db());
    sms = await startHttpSink();
  });
  afterAll(async () => {
    await t.app.close();
    await sms.close();
  });
  const smsChannel = (c: ReturnType<typeof client>) =>
    c.call('PUT', '/api/channels/sms', {
      channel: 'sms',
      settings: { provider: 'generic-json', url: `${sms.url}/sms` },
    });

  it('runs the seed case: a VIP earns online and offline with the card, then spends it on one purchase', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const first = await c.order({ totalCents: yuan(50), customer: { phone: '13800000001', name: '王芳' } });
    const vip = await c.call('POST', `/api/customers/${first.customerId}/tier`, {
      rank: 2,
      reason: 'Known VIP from the old system',
    });
    expect(vip.status).toBe(200);
    expect((await c.customer(first.customerId)).tierRank).toBe(2);

    // Her offline member card joins her online profile by a code texted to her phone.
    expect((await smsChannel(c)).status).toBe(200);
    const challenge = await c.call('POST', '/api/member-cards/bindings', {
      memberCard: 'vip 0088',
      phone: '138 0000 0001',
    });
    expect(challenge.status).toBe(201);
    expect(challenge.body).toMatchObject({ memberCard: 'VIP0088', phone: '+8613800000001', delivery: 'sms' });
    expect(challenge.body.code).toBeUndefined();
    const texted = lastCode(sms);
    expect(texted.to).toBe('+8613800000001');
    const bound = await c.call('POST', `/api/member-cards/bindings/${challenge.body.bindingId}/confirm`, {
      code: texted.code,
    });
    expect(bound.body).toMatchObject({ customerId: first.customerId, merged: false });

    const before = (await c.points(first.customerId)).balance;
    await c.order({ totalCents: yuan(100), customer: { phone: '+86 13800000001' } });
    expect((await c.points(first.customerId)).balance - before).toBe(100);
    const offline = await c.order({
      channel: 'offline',
      storeId: 'SH-01',
      totalCents: yuan(200),
      customer: { memberCard: 'VIP0088' },
    });
    expect(offline.customerId).toBe(first.customerId);
    expect((await c.points(first.customerId)).balance - before).toBe(300);

    // Spend everything beyond what the first order earned on one purchase: 300 points are 3 yuan off.
    const spend = await c.call('POST', `/api/customers/${first.customerId}/points/redemptions`, {
      points: 300,
      purpose: 'money_off',
      reference: 'POS-SH-01-7781',
      idempotencyKey: 'pos-7781-redeem',
    });
    expect(spend.status).toBe(200);
    expect(spend.body).toMatchObject({
      balance: before,
      valueCents: 300,
      applied: true,
      entry: { kind: 'redeem', points: -300 },
    });
    const again = await c.call('POST', `/api/customers/${first.customerId}/points/redemptions`, {
      points: 300,
      purpose: 'money_off',
      reference: 'POS-SH-01-7781',
      idempotencyKey: 'pos-7781-redeem',
    });
    expect(again.body).toMatchObject({
      balance: before,
      applied: false,
      entry: { entryId: spend.body.entry.entryId },
    });
    const kinds = (await c.ledger(first.customerId)).map(
      (e: { kind: string; points: number }) => `${e.kind} ${e.points}`,
    );
    expect(kinds).toEqual(['redeem -300', 'earn 200', 'earn 100', `earn ${before}`]);
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('upgrades in the order that crosses a threshold and earns at the tier held when ordering', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const program = structuredClone(DEFAULT_PROGRAM);
    program.tiers[1]!.benefits.pointsMultiplier = 2;
    expect((await c.call('PUT', '/api/membership/program', program)).status).toBe(200);
    const customer = { phone: '13800000002' };
    const o1 = await c.order({ totalCents: yuan(300), customer });
    expect(await c.customer(o1.customerId)).toMatchObject({ tierRank: 0, pointsBalance: 300 });
    const o2 = await c.order({ totalCents: yuan(300), customer });
    // The second order makes her Senior (two orders), but was placed as Regular.
    expect(await c.customer(o1.customerId)).toMatchObject({ tierRank: 1, pointsBalance: 600 });
    const change = (await c.timeline(o1.customerId)).find((e) => e.type === 'tier.changed');
    expect(change?.data).toMatchObject({
      from: 0,
      to: 1,
      toName: 'Senior',
      cause: 'order',
      orderId: o2.orderId,
    });
    await c.order({ totalCents: yuan(100), customer });
    expect((await c.customer(o1.customerId)).pointsBalance).toBe(800);
  });

  it('dates the points and upgrade of an order from the past by the order, and a later change when it comes', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const customer = { phone: '13800000003' };
    const h1 = {
      externalId: 'H-1',
      totalCents: yuan(100),
      orderedAt: '2025-03-01T10:00:00+08:00',
      paidAt: '2025-03-01T10:05:00+08:00',
      customer,
    };
    const first = await c.order(h1);
    // Comes in already partly refunded; its second order makes her Senior.
    const second = await c.order({
      externalId: 'H-2',
      status: 'partially_refunded',
      totalCents: yuan(100),
      refundedCents: yuan(40),
      orderedAt: '2025-06-01T10:00:00+08:00',
      customer,
    });
    const id = first.customerId;
    const sent = new Date();
    await c.order({ ...h1, status: 'refunded', refundedCents: yuan(100) });
    // A shop clock running ahead does not date points in the future.
    await c.order({
      externalId: 'H-3',
      totalCents: yuan(10),
      orderedAt: new Date(Date.now() + 3_600_000).toISOString(),
      customer,
    });
    const done = new Date();
    const ledger = (await c.ledger(id)) as { kind: string; points: number; createdAt: string }[];
    const at = (kind: string, points: number) =>
      ledger.find((e) => e.kind === kind && e.points === points)!.createdAt;
    // Earned when each order was paid (else placed); the partial refund that came with the second order
    // is taken back as of that order, listed after the earning.
    expect(ledger.slice(-3).map((e) => `${e.kind} ${e.points} ${e.createdAt}`)).toEqual([
      'reverse -40 2025-06-01T02:00:00.001Z',
      'earn 100 2025-06-01T02:00:00.000Z',
      'earn 100 2025-03-01T02:05:00.000Z',
    ]);
    for (const when of [at('reverse', -100), at('earn', 10)]) {
      expect(Date.parse(when)).toBeGreaterThanOrEqual(sent.getTime());
      expect(Date.parse(when)).toBeLessThanOrEqual(done.getTime());
    }
    const upgrade = (await c.timeline(id)).find((e) => e.type === 'tier.changed');
    expect(upgrade).toMatchObject({
      occurredAt: '2025-06-01T02:00:00.000Z',
      data: { from: 0, to: 1, orderId: second.orderId },
    });
    expect(await c.customer(id)).toMatchObject({ tierRank: 1, tierSince: '2025-06-01T02:00:00.000Z' });
    // Older history sent in after that (a backfill) makes her VIP: just after she became Senior, not
    // before it, so the two changes stay in the order they were made.
    for (const n of [4, 5, 6]) {
      await c.order({
        externalId: `H-${n}`,
        totalCents: yuan(1000),
        orderedAt: `2024-0${n}-01T10:00:00+08:00`,
        customer,
      });
    }
    const changes = (await c.timeline(id))
      .filter((e) => e.type === 'tier.changed')
      .map((e) => `${String(e.data.from)}→${String(e.data.to)} ${e.occurredAt}`);
    expect(changes).toEqual(['1→2 2025-06-01T02:00:00.001Z', '0→1 2025-06-01T02:00:00.000Z']);
    expect(await c.customer(id)).toMatchObject({ tierRank: 2, tierSince: '2025-06-01T02:00:00.001Z' });
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('counts an order once however often it comes, and takes back the refunded share', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const paid = { externalId: 'R-1', totalCents: yuan(200), customer: { email: 'r@example.com' } };
    const o = await c.order(paid);
    await c.order(paid);
    expect((await c.points(o.customerId)).balance).toBe(200);
    await c.order({ ...paid, status: 'partially_refunded', refundedCents: yuan(50) });
    await c.order({ ...paid, status: 'partially_refunded', refundedCents: yuan(50) });
    expect((await c.points(o.customerId)).balance).toBe(150);
    await c.order({ ...paid, status: 'refunded', refundedCents: yuan(200) });
    const summary = await c.points(o.customerId);
    expect(summary).toMatchObject({ balance: 0, earned: 0 });
    const entries = (await c.ledger(o.customerId)).map(
      (e: { kind: string; points: number }) => `${e.kind} ${e.points}`,
    );
    expect(entries).toEqual(['reverse -150', 'reverse -50', 'earn 200']);
    // A refund undone (the shop reopened the order) and made again is followed both times.
    const again = { externalId: 'R-2', totalCents: yuan(100), customer: { email: 'r@example.com' } };
    await c.order(again);
    await c.order({ ...again, status: 'partially_refunded', refundedCents: yuan(50) });
    await c.order({ ...again, status: 'completed', refundedCents: 0 });
    await c.order({ ...again, status: 'partially_refunded', refundedCents: yuan(50) });
    await c.order({ ...again, status: 'partially_refunded', refundedCents: yuan(50) });
    expect((await c.points(o.customerId)).balance).toBe(50);
    // An order first seen as refunded or unpaid earns nothing; unpaid earns once it is paid.
    const late = await c.order({
      externalId: 'P-1',
      status: 'pending',
      totalCents: yuan(80),
      customer: { email: 'p@example.com' },
    });
    expect((await c.points(late.customerId)).balance).toBe(0);
    await c.order({
      externalId: 'P-1',
      status: 'paid',
      totalCents: yuan(80),
      customer: { email: 'p@example.com' },
    });
    expect((await c.points(late.customerId)).balance).toBe(80);
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('refuses to overdraw, to reuse a key for another request, and to adjust without a reason', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const o = await c.order({ totalCents: yuan(120), customer: { phone: '13800000003' } });
    const url = `/api/customers/${o.customerId}/points`;
    const tooMuch = await c.call('POST', `${url}/redemptions`, {
      points: 121,
      purpose: 'gift',
      idempotencyKey: 'gift-000001',
    });
    expect(tooMuch).toMatchObject({ status: 409, body: { error: 'insufficient_points' } });
    const ok = await c.call('POST', `${url}/redemptions`, {
      points: 20,
      purpose: 'coupon',
      reference: 'CPN-10',
      idempotencyKey: 'cpn-000001',
    });
    expect(ok.body.balance).toBe(100);
    const reused = await c.call('POST', `${url}/redemptions`, {
      points: 25,
      purpose: 'coupon',
      idempotencyKey: 'cpn-000001',
    });
    expect(reused).toMatchObject({ status: 409, body: { error: 'idempotency_conflict' } });
    const noReason = await c.call('POST', `${url}/adjustments`, { points: 10 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details).toEqual([expect.objectContaining({ field: 'body.reason' })]);
    const zero = await c.call('POST', `${url}/adjustments`, { points: 0, reason: 'nothing' });
    expect(zero.body.details).toEqual([
      expect.objectContaining({ field: 'body.points', message: 'cannot be zero' }),
    ]);
    const below = await c.call('POST', `${url}/adjustments`, { points: -101, reason: 'clawback' });
    expect(below).toMatchObject({ status: 409, body: { error: 'insufficient_points' } });
    const added = await c.call('POST', `${url}/adjustments`, {
      points: 50,
      reason: 'Apology for a late parcel',
    });
    expect(added.body).toMatchObject({
      balance: 150,
      entry: { kind: 'adjust', points: 50, reason: 'Apology for a late parcel' },
    });
    expect(added.body.entry.expiresAt).not.toBeNull();
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it("spends points on one of the shop's coupons: its code issued with the spend, once, or not at all", async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const { customerId } = await c.order({ totalCents: yuan(500), customer: { phone: '13800000031' } });
    const coupon = async (body: Record<string, unknown>) => {
      const r = await c.call('POST', '/api/coupons', { kind: 'amount', amountCents: 3000, ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { couponId: string; pointsPrice: number | null };
    };
    const offer = await coupon({ name: '30 off', validDays: 30, codePrefix: 'PTS', pointsPrice: 300 });
    expect(offer.pointsPrice).toBe(300);
    const redeem = (body: Record<string, unknown>) =>
      c.call('POST', `/api/customers/${customerId}/points/redemptions`, { purpose: 'coupon', ...body });
    const codes = async () =>
      (await c.call('GET', `/api/customers/${customerId}/coupons`)).body.items as { code: string }[];

    const at = Date.now();
    const bought = await redeem({ points: 300, couponId: offer.couponId, idempotencyKey: 'coupon-buy-1' });
    expect(bought.status, JSON.stringify(bought.body)).toBe(200);
    const code = bought.body.coupon.code as string;
    expect(code).toMatch(/^PTS-[0-9A-F]{16}$/);
    expect(bought.body).toMatchObject({
      balance: 200,
      applied: true,
      coupon: { couponId: offer.couponId, name: '30 off' },
      entry: {
        points: -300,
        reason: code,
        detail: { purpose: 'coupon', reference: code, couponId: offer.couponId, coupon: '30 off' },
      },
    });
    const expires = Date.parse(bought.body.coupon.expiresAt) - at;
    expect(Math.abs(expires - 30 * 86_400_000)).toBeLessThan(60_000);
    expect((await codes()).map((k) => k.code)).toEqual([code]);

    // Sent again: the same code, nothing more spent, no second code; the key for another coupon is a conflict.
    const again = await redeem({ points: 300, couponId: offer.couponId, idempotencyKey: 'coupon-buy-1' });
    expect(again.body).toMatchObject({ applied: false, balance: 200, coupon: { code } });
    const other = await coupon({ name: '20 off', pointsPrice: 300 });
    expect(
      await redeem({ points: 300, couponId: other.couponId, idempotencyKey: 'coupon-buy-1' }),
    ).toMatchObject({
      status: 409,
      body: { error: 'idempotency_conflict' },
    });

    // Refused: at another price, a coupon not sold for points or not on offer, too few points left, or a
    // coupon named for a gift. Nothing is spent and no code issued.
    expect(
      await redeem({ points: 200, couponId: offer.couponId, idempotencyKey: 'coupon-buy-2' }),
    ).toMatchObject({
      status: 400,
      body: {
        message: "The coupon '30 off' costs 300 points",
        details: [{ field: 'points', message: "must be 300, the coupon's price" }],
      },
    });
    const free = await coupon({ name: 'not for points' });
    expect(
      await redeem({ points: 100, couponId: free.couponId, idempotencyKey: 'coupon-buy-3' }),
    ).toMatchObject({
      status: 409,
      body: { error: 'not_for_points' },
    });
    const ended = await coupon({
      name: 'ended',
      pointsPrice: 100,
      validUntil: new Date(at - 86_400_000).toISOString(),
    });
    expect(
      await redeem({ points: 100, couponId: ended.couponId, idempotencyKey: 'coupon-buy-4' }),
    ).toMatchObject({
      status: 409,
      body: { error: 'coupon_not_on_offer' },
    });
    const retired = await coupon({ name: 'retired', pointsPrice: 100 });
    expect((await c.call('PATCH', `/api/coupons/${retired.couponId}`, { retired: true })).status).toBe(200);
    expect(
      await redeem({ points: 100, couponId: retired.couponId, idempotencyKey: 'coupon-buy-4b' }),
    ).toMatchObject({
      status: 409,
      body: {
        error: 'coupon_not_on_offer',
        details: [{ field: 'couponId', message: 'retired by the shop' }],
      },
    });
    expect(
      await redeem({ points: 300, couponId: other.couponId, idempotencyKey: 'coupon-buy-5' }),
    ).toMatchObject({
      status: 409,
      body: { error: 'insufficient_points' },
    });
    const gift = await c.call('POST', `/api/customers/${customerId}/points/redemptions`, {
      purpose: 'gift',
      points: 100,
      couponId: offer.couponId,
      idempotencyKey: 'coupon-buy-6',
    });
    expect(gift.status).toBe(400);
    expect(gift.body.details).toEqual([{ field: 'body.couponId', message: "only for the purpose 'coupon'" }]);
    expect((await c.points(customerId)).balance).toBe(200);
    expect((await codes()).map((k) => k.code)).toEqual([code]);

    // Repriced, then taken out of the points shop: the code bought keeps its worth.
    const patch = (body: object, id = offer.couponId) => c.call('PATCH', `/api/coupons/${id}`, body);
    expect((await patch({ pointsPrice: 150 })).body).toMatchObject({ name: '30 off', pointsPrice: 150 });
    expect(
      await redeem({ points: 300, couponId: offer.couponId, idempotencyKey: 'coupon-buy-7' }),
    ).toMatchObject({ status: 400, body: { message: "The coupon '30 off' costs 150 points" } });
    expect((await patch({ pointsPrice: null, name: '30 off (ended)' })).body).toMatchObject({
      name: '30 off (ended)',
      pointsPrice: null,
      amountCents: 3000,
    });
    expect(
      await redeem({ points: 150, couponId: offer.couponId, idempotencyKey: 'coupon-buy-8' }),
    ).toMatchObject({ status: 409, body: { error: 'not_for_points' } });
    expect(await patch({})).toMatchObject({
      status: 400,
      body: { details: [{ message: 'nothing to change' }] },
    });
    expect(await patch({ amountCents: 1 })).toMatchObject({ status: 400 });
    expect(await patch({ name: '20 off' })).toMatchObject({
      status: 400,
      body: { message: 'Coupon name taken' },
    });

    // The member's next order brings the code, and redeems it.
    await c.order({
      totalCents: yuan(80),
      couponCode: code.toLowerCase(),
      customer: { phone: '13800000031' },
    });
    expect((await codes())[0]).toMatchObject({ code, redeemedAt: expect.any(String) });
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('expires lots oldest first, once, each on the day it fell due, and an old order sent later at once', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    // History earned in 2023 (expires at the end of 2024), 2024 (end of 2025) and 2026 (end of 2027),
    // imported: the expiry runs after the file, as a job.
    await importer(db(), tenant.shop.shopId)('history.csv', [
      'E-1,2023-05-01 10:00,paid,40.00,13800000004',
      'E-2,2024-03-01 10:00,paid,100.00,13800000004',
      'E-3,2026-01-05 10:00,paid,70.00,13800000004',
    ]);
    const found = (await c.call('GET', '/api/customers?q=13800000004')).body.items as {
      customerId: string;
    }[];
    expect(found).toHaveLength(1);
    const customerId = found[0]!.customerId;
    // Spent from the oldest lot.
    await c.call('POST', `/api/customers/${customerId}/points/redemptions`, {
      points: 30,
      purpose: 'gift',
      idempotencyKey: 'gift-000004',
    });
    expect((await c.points(customerId)).expiring).toEqual([
      { expiresAt: '2024-12-31T16:00:00.000Z', points: 10 },
      { expiresAt: '2025-12-31T16:00:00.000Z', points: 100 },
      { expiresAt: '2027-12-31T16:00:00.000Z', points: 70 },
    ]);
    // Asking for a run meanwhile is the import's queued one.
    const job = await c.call('POST', '/api/membership/expire-points');
    expect(job.status).toBe(202);
    await c.runJobs();
    expect((await c.call('GET', `/api/jobs/${job.body.jobId}`)).body).toMatchObject({
      status: 'completed',
      result: { customers: 1, expired: 110 },
    });
    expect(await c.points(customerId)).toMatchObject({ balance: 70, expired: 110, redeemed: 30 });
    // This run caught up with two New Years: each lot's expiry is dated when it fell due.
    const expiries = async () =>
      ((await c.ledger(customerId)) as { kind: string; points: number; createdAt: string }[])
        .filter((e) => e.kind === 'expire')
        .map((e) => `${e.points} ${e.createdAt}`);
    expect(await expiries()).toEqual(['-100 2025-12-31T16:00:00.000Z', '-10 2024-12-31T16:00:00.000Z']);
    // Running again expires nothing more.
    expect(await expirePoints(db(), tenant.shop.shopId, new Date())).toEqual({ customers: 0, expired: 0 });
    // An order of 2024 sent through the API after the run is due by the same date: its points expire
    // in the same transaction, not at midnight, under a key of their own.
    const late = {
      totalCents: yuan(20),
      orderedAt: '2024-06-01T10:00:00+08:00',
      customer: { phone: '13800000004' },
    };
    await c.order({ ...late, externalId: 'E-4' });
    expect((await expiries()).sort()).toEqual([
      '-10 2024-12-31T16:00:00.000Z',
      '-100 2025-12-31T16:00:00.000Z',
      '-20 2025-12-31T16:00:00.000Z',
    ]);
    expect(await c.points(customerId)).toMatchObject({ balance: 70, expired: 130 });
    // Sent again, it changes nothing, and the next run finds nothing due.
    await c.order({ ...late, externalId: 'E-4' });
    expect(await expiries()).toHaveLength(3);
    expect(await expirePoints(db(), tenant.shop.shopId, new Date())).toEqual({ customers: 0, expired: 0 });
    // A recent order's points are not due: nothing expires with it.
    await c.order({ totalCents: yuan(5), customer: { phone: '13800000004' } });
    expect(await c.points(customerId)).toMatchObject({ balance: 75, expired: 130 });
    // Refunded after its points expired: what it takes back had expired already, and is not lost twice.
    await c.order({ ...late, externalId: 'E-4', status: 'refunded' });
    expect(await c.points(customerId)).toMatchObject({ balance: 75, expired: 110 });
    // Of the 2023 order's 40 points, 30 were spent and 10 expired: its refund takes back the 30 spent.
    await c.order({
      source: 'import',
      externalId: 'E-1',
      status: 'refunded',
      totalCents: yuan(40),
      orderedAt: '2023-05-01T10:00:00+08:00',
      customer: { phone: '13800000004' },
    });
    expect(await c.points(customerId)).toMatchObject({ balance: 45, expired: 100 });
    const undone = async () =>
      ((await c.ledger(customerId)) as { kind: string; points: number }[])
        .filter((e) => e.kind === 'expire' && e.points > 0)
        .map((e) => e.points)
        .sort();
    expect(await undone()).toEqual([10, 20]);
    // Sent again, the refunds change nothing.
    await c.order({ ...late, externalId: 'E-4', status: 'refunded' });
    expect(await c.points(customerId)).toMatchObject({ balance: 45, expired: 100 });
    // An order of 2024 that comes in part refunded gives back what it earns in the same change: none of
    // it had expired, and no expiry is undone. What it keeps (30) is the oldest lot left, and so pays for
    // the 30 points spent that E-1's refund took back: nothing of it expires, and the balance rises by 30.
    await c.order({
      ...late,
      externalId: 'E-5',
      status: 'partially_refunded',
      totalCents: yuan(50),
      refundedCents: yuan(20),
    });
    expect(await c.points(customerId)).toMatchObject({ balance: 75, expired: 100 });
    expect(await undone()).toEqual([10, 20]);
    expect(await expirePoints(db(), tenant.shop.shopId, new Date())).toEqual({ customers: 0, expired: 0 });
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('undoes an expiry once for two refunds of one lot date, taking back what was spent', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    // Two orders of 2024 (due at the end of 2025), imported: 100 points, of which 60 are spent and the
    // import's expiry takes the other 40.
    await importer(db(), tenant.shop.shopId)('two.csv', [
      'T-1,2024-03-01 10:00,paid,50.00,13800000005',
      'T-2,2024-04-01 10:00,paid,50.00,13800000005',
    ]);
    const found = (await c.call('GET', '/api/customers?q=13800000005')).body.items as {
      customerId: string;
    }[];
    const customerId = found[0]!.customerId;
    await c.call('POST', `/api/customers/${customerId}/points/redemptions`, {
      points: 60,
      purpose: 'gift',
      idempotencyKey: 'gift-000005',
    });
    await c.runJobs();
    expect(await c.points(customerId)).toMatchObject({ balance: 0, expired: 40, redeemed: 60 });
    // Both refunded in one batch: the 40 that expired come back once, the 60 spent are taken back.
    const refunded = (externalId: string, orderedAt: string) => ({
      source: 'import',
      externalId,
      status: 'refunded',
      totalCents: yuan(50),
      orderedAt,
      customer: { phone: '13800000005' },
    });
    const r = await c.call('POST', '/api/orders/batch', {
      orders: [refunded('T-1', '2024-03-01T10:00:00+08:00'), refunded('T-2', '2024-04-01T10:00:00+08:00')],
    });
    expect(r.body).toMatchObject({ updated: 2 });
    expect(await c.points(customerId)).toMatchObject({ balance: -60, expired: 0 });
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('expires at once, after an import, the points of old orders that fell due before it', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 16).replace('T', ' ');
    const importLines = importer(db(), tenant.shop.shopId);
    const queued = async () =>
      (
        await db().query<{ n: number }>(
          `select count(*)::int as n from jobs where shop_id = $1 and kind = 'points.expire' and status = 'queued'`,
          [tenant.shop.shopId],
        )
      )[0]!.n;
    // Yesterday's orders earned nothing that is due: the nightly run is soon enough.
    expect(await importLines('recent.csv', [`R-1,${yesterday},paid,50.00,13900000011`])).toMatchObject({
      expiryJobId: null,
    });
    expect(await queued()).toBe(0);
    // One of 2023 did (its points fell due at the end of 2024).
    const history = await importLines('history.csv', [
      `H-1,2023-05-01 10:00,paid,40.00,13900000012`,
      `H-2,${yesterday},paid,60.00,13900000012`,
    ]);
    expect(await queued()).toBe(1);
    // The import says so, through the API too.
    const shown = await c.call('GET', `/api/imports/${history.importId}`);
    expect(shown.body).toMatchObject({ expiryJobId: expect.any(String) });
    await c.runJobs();
    expect((await c.call('GET', `/api/jobs/${shown.body.expiryJobId}`)).body).toMatchObject({
      kind: 'points.expire',
      status: 'completed',
      result: { customers: 1, expired: 40 },
    });
    const [buyer] = await db().query<{ customerId: string }>(
      `select customer_id as "customerId" from customer_identities where shop_id = $1 and value = '+8613900000012'`,
      [tenant.shop.shopId],
    );
    expect(await c.points(buyer!.customerId)).toMatchObject({ balance: 60, expired: 40 });
    const [expiry] = ((await c.ledger(buyer!.customerId)) as { kind: string; createdAt: string }[]).filter(
      (e) => e.kind === 'expire',
    );
    expect(expiry).toMatchObject({ points: -40, createdAt: '2024-12-31T16:00:00.000Z' });
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it('re-grades everyone with progress when the thresholds change', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    for (let i = 0; i < 5; i++)
      await c.order({ totalCents: yuan(100 * (i + 1)), customer: { email: `g${i}@example.com` } });
    expect(
      (await c.call('GET', '/api/membership/tiers')).body.items.map(
        (x: { customers: number }) => x.customers,
      ),
    ).toEqual([4, 1, 0, 0]);
    const program = structuredClone(DEFAULT_PROGRAM);
    program.tiers[1]!.minSpendCents = yuan(200);
    program.tiers[2]!.minSpendCents = yuan(400);
    const saved = await c.call('PUT', '/api/membership/program', program);
    expect(saved.body).toMatchObject({ version: 1, regrade: { kind: 'tiers.regrade', status: 'queued' } });
    await c.runJobs();
    const job = (await c.call('GET', `/api/jobs/${saved.body.regrade.jobId}`)).body;
    expect(job).toMatchObject({
      status: 'completed',
      done: 5,
      total: 5,
      result: { customers: 5, upgraded: 4, downgraded: 0 },
    });
    expect(
      (await c.call('GET', '/api/membership/tiers')).body.items.map(
        (x: { customers: number }) => x.customers,
      ),
    ).toEqual([1, 2, 2, 0]);
    // Benefits alone change no grade, so no re-grade is queued.
    program.tiers[3]!.benefits.freeShipping = false;
    expect((await c.call('PUT', '/api/membership/program', program)).body).toMatchObject({
      version: 2,
      regrade: null,
    });
    const bad = await c.call('PUT', '/api/membership/program', {
      ...program,
      tiers: [{ name: 'Only', minOrders: 3 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('tiers.0');
  });

  it('downgrades at a review only after the grace period, and honours a tier set by hand', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const shopId = tenant.shop.shopId;
    const big = await c.order({
      externalId: 'BIG',
      totalCents: yuan(2500),
      customer: { phone: '13800000005' },
    });
    const held = await c.order({ totalCents: yuan(10), customer: { phone: '13800000006' } });
    expect((await c.customer(big.customerId)).tierRank).toBe(2);
    await c.order({
      externalId: 'BIG',
      status: 'refunded',
      refundedCents: yuan(2500),
      totalCents: yuan(2500),
      customer: { phone: '13800000005' },
    });
    // Refunds do not downgrade by themselves; reviews do.
    expect((await c.customer(big.customerId)).tierRank).toBe(2);
    const until = new Date(Date.now() + 90 * 86_400_000).toISOString();
    const set = await c.call('POST', `/api/customers/${held.customerId}/tier`, {
      rank: 3,
      reason: 'Brand ambassador',
      until,
    });
    expect(set.body).toEqual({ rank: 3, holdUntil: until });

    const { program } = await getProgram(db(), shopId);
    const now = new Date();
    const first = await gradeAll(db(), shopId, program, 'review', now);
    expect(first).toMatchObject({ graceStarted: 1, downgraded: 0, held: 1 });
    expect((await c.customer(big.customerId)).tierGraceUntil).not.toBeNull();
    const afterGrace = new Date(now.getTime() + 31 * 86_400_000);
    const second = await gradeAll(db(), shopId, program, 'review', afterGrace);
    expect(second).toMatchObject({ downgraded: 1, held: 1 });
    expect(await c.customer(big.customerId)).toMatchObject({ tierRank: 0, tierGraceUntil: null });
    expect(await c.customer(held.customerId)).toMatchObject({ tierRank: 3 });
    const events = (await c.timeline(big.customerId)).map((e) => `${e.type}:${String(e.data.cause ?? '')}`);
    expect(events).toEqual(
      expect.arrayContaining(['tier.changed:order', 'tier.grace_started:', 'tier.changed:review']),
    );
    const manual = (await c.timeline(held.customerId)).find((e) => e.type === 'tier.changed');
    expect(manual?.data).toMatchObject({ cause: 'manual', reason: 'Brand ambassador', to: 3 });
    // Once the hold is over, the next review grades the member on what they bought.
    const third = await gradeAll(db(), shopId, program, 'review', new Date(now.getTime() + 91 * 86_400_000));
    expect(third).toMatchObject({ held: 0 });
    expect((await c.customer(held.customerId)).tierRank).toBe(3);
    const fourth = await gradeAll(
      db(),
      shopId,
      program,
      'review',
      new Date(now.getTime() + 130 * 86_400_000),
    );
    expect(fourth).toMatchObject({ downgraded: 1 });
    expect(await c.customer(held.customerId)).toMatchObject({ tierRank: 0, tierHoldUntil: null });
  });

  it('tells how far a member is from the next tier and from keeping theirs, over a lifetime and a rolling year', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const program = structuredClone(DEFAULT_PROGRAM);
    program.tiers[2] = { ...program.tiers[2]!, keepSpendCents: yuan(1500), keepOrders: 4 };
    expect((await c.call('PUT', '/api/membership/program', program)).status).toBe(200);
    const tier = async (id: string) => (await c.call('GET', `/api/customers/${id}/tier`)).body;

    const { customerId } = await c.order({ totalCents: yuan(300), customer: { phone: '13800000031' } });
    expect(await tier(customerId)).toMatchObject({
      rank: 0,
      name: 'Regular',
      benefits: { discountPercent: 0, freeShipping: false, priorityService: false },
      window: 'lifetime',
      match: 'any',
      standing: { spendCents: yuan(300), orders: 1 },
      next: { rank: 1, name: 'Senior', spendCents: yuan(200), orders: 1, reached: false },
      keep: null,
    });
    // A second order makes a Senior (two orders), 100 yuan or three orders short of VIP.
    await c.order({ totalCents: yuan(1600), customer: { phone: '13800000031' } });
    const senior = await tier(customerId);
    expect(senior).toMatchObject({
      rank: 1,
      name: 'Senior',
      standing: { spendCents: yuan(1900), orders: 2 },
      next: { rank: 2, name: 'VIP', spendCents: yuan(100), orders: 3, reached: false },
      keep: { spendCents: 0, orders: 0, kept: true, atReview: { spendCents: yuan(1900), orders: 2 } },
    });
    expect(Date.parse(senior.nextReviewAt)).toBeGreaterThan(Date.now());

    // Over a rolling year, the review reads the year before it: an order of eleven months ago, counted
    // today, will have dropped out by a review two months away, and the VIP it made falls short of keeping.
    const rolling = { ...program, window: 'rolling_12_months' };
    expect((await c.call('PUT', '/api/membership/program', rolling)).status).toBe(200);
    await c.runJobs();
    const reviewAt = new Date(Date.now() + 60 * 86_400_000);
    await db().query('update membership_programs set next_review_at = $2 where shop_id = $1', [
      tenant.shop.shopId,
      reviewAt,
    ]);
    const vip = await c.order({
      totalCents: yuan(2400),
      orderedAt: new Date(Date.now() - 330 * 86_400_000).toISOString(),
      customer: { phone: '13800000032' },
    });
    await c.order({ totalCents: yuan(200), customer: { phone: '13800000032' } });
    expect(await tier(vip.customerId)).toMatchObject({
      rank: 2,
      window: 'rolling_12_months',
      standing: { spendCents: yuan(2600), orders: 2 },
      next: { rank: 3, name: 'Supreme VIP', spendCents: yuan(2400), orders: 8, reached: false },
      keep: {
        spendCents: yuan(1300),
        orders: 3,
        kept: false,
        atReview: { spendCents: yuan(200), orders: 1 },
      },
      nextReviewAt: reviewAt.toISOString(),
    });
    // At the top there is no next tier; another shop's key does not find the member.
    const top = await c.call('POST', `/api/customers/${vip.customerId}/tier`, { rank: 3, reason: 'Founder' });
    expect(top.status).toBe(200);
    // A till reads the member's discount and free shipping with their tier.
    expect(await tier(vip.customerId)).toMatchObject({
      rank: 3,
      name: 'Supreme VIP',
      benefits: { discountPercent: 10, pointsMultiplier: 1.5, freeShipping: true, priorityService: true },
      next: null,
    });
    const other = await testTenant(db());
    const theirs = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${vip.customerId}/tier`,
      headers: other.auth,
    });
    expect(theirs.statusCode).toBe(404);
  });

  it("keeps a rolling program's member year on the rows as orders come, change and merge, and as the window moves", async () => {
    const tenant = await testTenant(db());
    const shopId = tenant.shop.shopId;
    const c = client(t, tenant);
    const day = 86_400_000;
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();
    /** Customers whose kept figures are not their purchases since `from`, summed from the orders. */
    const astray = async (from: Date) =>
      db().query(
        `select c.customer_id from customers c
           left join (select customer_id, count(*)::int as orders, sum(total_cents - refunded_cents)::int8 as spend
                        from orders where shop_id = $1 and ordered_at >= $2 and status <> 'cancelled' and status <> 'pending'
                       group by customer_id) w using (customer_id)
          where c.shop_id = $1
            and (c.year_order_count, c.year_spend_cents) is distinct from (coalesce(w.orders, 0), coalesce(w.spend, 0))`,
        [shopId, from.toISOString()],
      );
    const yearFrom = async () => (await memberYearClock(db(), shopId)).yearFrom;
    const zone = tenant.shop.timeZone; // Asia/Shanghai
    const year = async (customerId: string) =>
      (
        await db().query<{ orders: number; spend: number }>(
          'select year_order_count as orders, year_spend_cents as spend from customers where shop_id = $1 and customer_id = $2',
          [shopId, customerId],
        )
      )[0];

    // Bought under a lifetime program: nothing is kept.
    const ann = await c.order({
      totalCents: yuan(500),
      orderedAt: ago(400),
      customer: { phone: '13800000071' },
    });
    await c.order({ totalCents: yuan(300), orderedAt: ago(300), customer: { phone: '13800000071' } });
    expect(await yearFrom()).toBeNull();
    expect(await year(ann.customerId)).toEqual({ orders: 0, spend: 0 });

    // Counting a rolling year, the re-grade builds the member year from the orders.
    const rolling = { ...structuredClone(DEFAULT_PROGRAM), window: 'rolling_12_months' };
    expect((await c.call('PUT', '/api/membership/program', rolling)).status).toBe(200);
    await c.runJobs();
    expect(await yearFrom()).toEqual(windowStart(now, zone));
    expect(await year(ann.customerId)).toEqual({ orders: 1, spend: yuan(300) });
    // The year starts at the shop's midnight of today's date a year ago, not UTC's (Shanghai is 8 hours
    // ahead, with no summer time): an order an hour after it counts, one an hour before does not.
    const local = new Date(now.getTime() + 8 * 3_600_000);
    const start =
      Date.UTC(local.getUTCFullYear() - 1, local.getUTCMonth(), local.getUTCDate()) - 8 * 3_600_000;
    expect(await yearFrom()).toEqual(new Date(start));
    const early = await c.order({
      totalCents: yuan(40),
      orderedAt: new Date(start + 3_600_000).toISOString(),
      customer: { phone: '13800000073' },
    });
    const before = await c.order({
      totalCents: yuan(30),
      orderedAt: new Date(start - 3_600_000).toISOString(),
      customer: { phone: '13800000074' },
    });
    expect(await year(early.customerId)).toEqual({ orders: 1, spend: yuan(40) });
    expect(await year(before.customerId)).toEqual({ orders: 0, spend: 0 });

    // New orders add to it (not an order of last year, nor a cancelled one); a refund and a partly
    // refunded order count net; a change of status recomputes the buyer.
    await c.order({ totalCents: yuan(200), orderedAt: ago(10), customer: { phone: '13800000071' } });
    await c.order({ totalCents: yuan(900), orderedAt: ago(500), customer: { phone: '13800000071' } });
    const bo = await c.order({
      totalCents: yuan(100),
      orderedAt: ago(364),
      customer: { phone: '13800000072' },
    });
    await c.order({
      externalId: 'CANCELLED-1',
      status: 'cancelled',
      totalCents: yuan(100),
      orderedAt: ago(5),
      customer: { phone: '13800000072' },
    });
    const cy = await c.order({
      externalId: 'CY-1',
      status: 'partially_refunded',
      totalCents: yuan(1000),
      refundedCents: yuan(250),
      orderedAt: ago(20),
      customer: { email: 'cy@example.com' },
    });
    expect(await year(ann.customerId)).toEqual({ orders: 2, spend: yuan(500) });
    expect(await year(cy.customerId)).toEqual({ orders: 1, spend: yuan(750) });
    await c.order({
      externalId: 'CANCELLED-1',
      status: 'paid',
      totalCents: yuan(100),
      orderedAt: ago(5),
      customer: { phone: '13800000072' },
    });
    expect(await year(bo.customerId)).toEqual({ orders: 2, spend: yuan(200) });
    await c.order({
      externalId: 'CY-1',
      status: 'refunded',
      totalCents: yuan(1000),
      refundedCents: yuan(1000),
      orderedAt: ago(20),
      customer: { email: 'cy@example.com' },
    });
    expect(await year(cy.customerId)).toEqual({ orders: 1, spend: 0 });
    // One order names Cy's email and Bo's phone: the two profiles become one, its year both of theirs.
    const both = await c.order({
      totalCents: yuan(50),
      orderedAt: ago(1),
      customer: { email: 'cy@example.com', phone: '13800000072' },
    });
    expect(await year(both.customerId)).toEqual({ orders: 4, spend: yuan(250) });
    expect(await astray(windowStart(now, zone))).toEqual([]);
    // The tier card reads the same year from the row.
    const card = (await c.call('GET', `/api/customers/${both.customerId}/tier`)).body;
    expect(card.standing).toEqual({ spendCents: yuan(250), orders: 4 });

    // A month on, the roll takes off what left the window (Bo's order of 364 days ago, the one placed
    // just after the window's start, and one in the last millisecond before the new start) and nothing
    // else (not one in the new start's first millisecond).
    const later = new Date(now.getTime() + 30 * day);
    const newStart = windowStart(later, zone).getTime();
    const lastOff = await c.order({
      totalCents: yuan(7),
      orderedAt: new Date(newStart - 1).toISOString(),
      customer: { phone: '13800000075' },
    });
    const firstKept = await c.order({
      totalCents: yuan(9),
      orderedAt: new Date(newStart).toISOString(),
      customer: { phone: '13800000076' },
    });
    expect(await keepMemberYear(db(), shopId, later)).toEqual({ upkeep: 'rolled', customers: 3 });
    expect(await year(early.customerId)).toEqual({ orders: 0, spend: 0 });
    expect(await year(lastOff.customerId)).toEqual({ orders: 0, spend: 0 });
    expect(await year(firstKept.customerId)).toEqual({ orders: 1, spend: yuan(9) });
    expect(await year(both.customerId)).toEqual({ orders: 3, spend: yuan(150) });
    expect(await astray(windowStart(later, zone))).toEqual([]);
    expect(await keepMemberYear(db(), shopId, later)).toEqual({ upkeep: 'current', customers: 0 });
    // Figures kept from a later start than today's (a clock that ran ahead) are rebuilt by the daily
    // job (which the scheduler queues: test/jobs.test.ts).
    const job = await enqueueJob(db(), shopId, YEAR);
    await c.runJobs();
    expect((await c.call('GET', `/api/jobs/${job.jobId}`)).body).toMatchObject({
      kind: 'tiers.year',
      status: 'completed',
      result: { upkeep: 'built', customers: 3 },
    });
    expect(await yearFrom()).toEqual(windowStart(now, zone));
    expect(await astray(windowStart(now, zone))).toEqual([]);

    // Back to a lifetime program: the member year is no longer kept.
    expect((await c.call('PUT', '/api/membership/program', DEFAULT_PROGRAM)).status).toBe(200);
    await c.runJobs();
    expect(await yearFrom()).toBeNull();
    expect(await keepMemberYear(db(), shopId, now)).toEqual({ upkeep: 'off', customers: 0 });
  });

  it('binds a card with a one-time code, merging histories and balances; unbinding and rebinding keep the ledger whole', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const store = { channel: 'offline', storeId: 'BJ-02' };
    const card = await c.order({
      ...store,
      totalCents: yuan(50),
      customer: { memberCard: 'C-1001', name: '李雷' },
    });
    const online = await c.order({ totalCents: yuan(80), customer: { phone: '13800000007' } });
    expect(card.customerId).not.toBe(online.customerId);

    const challenge = (
      await c.call('POST', '/api/member-cards/bindings', {
        memberCard: 'C-1001',
        phone: '13800000007',
        delivery: 'caller',
      })
    ).body;
    const wrongCode = challenge.code === '000000' ? '111111' : '000000';
    const wrong = await c.call('POST', `/api/member-cards/bindings/${challenge.bindingId}/confirm`, {
      code: wrongCode,
    });
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: 'wrong_code', message: 'Wrong code: 4 tries left' },
    });
    const right = await c.call('POST', `/api/member-cards/bindings/${challenge.bindingId}/confirm`, {
      code: challenge.code,
    });
    expect(right.body).toMatchObject({ merged: true, memberCard: 'C-1001', phone: '+8613800000007' });
    const survivor = right.body.customerId;
    expect(await c.customer(survivor)).toMatchObject({
      pointsBalance: 130,
      orderCount: 2,
      memberCard: 'C-1001',
    });
    // The card's old profile id answers with the merged one.
    expect((await c.customer(card.customerId)).customerId).toBe(survivor);
    const reuse = await c.call('POST', `/api/member-cards/bindings/${challenge.bindingId}/confirm`, {
      code: challenge.code,
    });
    expect(reuse).toMatchObject({ status: 409, body: { error: 'binding_closed' } });
    const twice = await c.call('POST', '/api/member-cards/bindings', {
      memberCard: 'C-1001',
      phone: '13800000007',
      delivery: 'caller',
    });
    expect(twice).toMatchObject({ status: 409, body: { error: 'already_bound' } });

    const unbound = await c.call('POST', '/api/member-cards/C-1001/unbind', { reason: 'Card lost' });
    expect(unbound.body).toEqual({ customerId: survivor, memberCard: 'C-1001' });
    expect(await c.customer(survivor)).toMatchObject({ pointsBalance: 130, memberCard: null });
    // The card goes to someone else; their purchases with it earn for them, hers stay hers.
    await c.order({ totalCents: yuan(30), customer: { phone: '13800000008' } });
    const next = (
      await c.call('POST', '/api/member-cards/bindings', {
        memberCard: 'C-1001',
        phone: '13800000008',
        delivery: 'caller',
      })
    ).body;
    const rebound = await c.call('POST', `/api/member-cards/bindings/${next.bindingId}/confirm`, {
      code: next.code,
    });
    expect(rebound.body).toMatchObject({ merged: false });
    const newOwner = await c.order({ ...store, totalCents: yuan(40), customer: { memberCard: 'C-1001' } });
    expect(newOwner.customerId).toBe(rebound.body.customerId);
    expect((await c.customer(newOwner.customerId)).pointsBalance).toBe(70);
    expect((await c.customer(survivor)).pointsBalance).toBe(130);
    const events = (await c.timeline(survivor)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['card.bound', 'card.unbound', 'customer.merged']));
    await expectBalanced(db(), tenant.shop.shopId);
  });

  it("texts the code through the shop's SMS channel, and shows it only to those who could read it anyway", async () => {
    const tenant = await testTenant(db(), 'Lotus 莲');
    const c = client(t, tenant);
    const bind = (memberCard: string, phone: string, delivery?: string) =>
      c.call('POST', '/api/member-cards/bindings', { memberCard, phone, delivery });
    const bindings = async (phone: string) =>
      (
        await db().query<{ n: number }>(
          'select count(*)::int as n from member_card_bindings where shop_id = $1 and phone = $2',
          [tenant.shop.shopId, phone],
        )
      )[0]!.n;

    // No SMS channel: the code has nowhere to go, and nothing is opened.
    const nowhere = await bind('L-5501', '13800000021');
    expect(nowhere).toMatchObject({
      status: 409,
      body: { error: 'no_sms_channel', details: [{ field: 'delivery' }] },
    });
    expect(await bindings('+8613800000021')).toBe(0);

    await smsChannel(c);
    const zh = await bind('L-5501', '13800000021');
    expect(zh.status).toBe(201);
    expect(zh.body.code).toBeUndefined();
    const { text, code } = lastCode(sms);
    expect(text).toBe(
      `【Lotus 莲】验证码${code}，用于绑定尾号5501的会员卡，10分钟内有效。如非本人操作，请忽略本短信。`,
    );
    // A number abroad reads it in English.
    expect((await bind('L-5502', '+1 415 555 2671')).status).toBe(201);
    expect(lastCode(sms)).toMatchObject({
      to: '+14155552671',
      text: expect.stringMatching(
        /^Lotus 莲: \d{6} is your code to link member card ending 5502 to this phone\./,
      ),
    });
    const confirmed = await c.call('POST', `/api/member-cards/bindings/${zh.body.bindingId}/confirm`, {
      code,
    });
    expect(confirmed.status).toBe(200);
    const bound = (await c.timeline(confirmed.body.customerId)).find((e) => e.type === 'card.bound');
    expect(bound!.data).toMatchObject({ memberCard: 'L-5501', codeDelivery: 'sms' });

    // The provider refuses: the caller hears why, and the binding is gone (no code to confirm, none counted
    // against the phone's hourly five).
    sms.failNext.push(500);
    const refused = await bind('L-5503', '13800000023');
    expect(refused).toMatchObject({
      status: 502,
      body: { error: 'sms_failed', message: expect.stringContaining('HTTP 500') },
    });
    expect(await bindings('+8613800000023')).toBe(0);

    // A provider that sends only texts it approved: the shop writes the code's text to match.
    const withText = (codeText: string) =>
      c.call('PUT', '/api/channels/sms', {
        channel: 'sms',
        settings: { provider: 'generic-json', url: `${sms.url}/sms`, codeText },
      });
    const noCode = await withText('【莲】您的会员卡{{ card }}正在绑定');
    expect(noCode.status).toBe(400);
    expect(noCode.body.details).toEqual([
      { field: 'body.settings.codeText', message: 'must show {{ code }}' },
    ]);
    const unknown = await withText('{{ code }} {{ customer.name }}');
    expect(unknown.body.details[0]).toMatchObject({
      field: 'body.settings.codeText',
      message: "unknown variable 'customer'; known: code, minutes, card, shop",
    });
    expect((await withText('{{ code ')).status).toBe(400);
    expect(
      (
        await withText(
          '【{{ shop }}】验证码{{ code }}，{{ minutes }}分钟内有效，绑定尾号{{ card }}的会员卡。',
        )
      ).status,
    ).toBe(200);
    expect((await bind('L-5504', '13800000025')).status).toBe(201);
    const own = lastCode(sms);
    expect(own.text).toBe(`【Lotus 莲】验证码${own.code}，10分钟内有效，绑定尾号5504的会员卡。`);

    // Staff who cannot administer the shop may not have the code shown; they can have it texted.
    for (const role of ['operator', 'admin'] as const) {
      const email = `${role}-${tenant.shop.shopId.slice(-6)}@example.com`;
      await createStaff(db(), tenant.shop.shopId, { email, name: role, password: tenant.password, role });
    }
    const asStaff = async (role: string, delivery: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/member-cards/bindings',
        cookies: (await signInAs(
          t.app,
          `${role}-${tenant.shop.shopId.slice(-6)}@example.com`,
          tenant.password,
        ))!,
        payload: { memberCard: `L-${role}`, phone: '13800000024', delivery },
      });
    const shown = await asStaff('operator', 'caller');
    expect(shown.statusCode).toBe(403);
    expect(shown.json().message).toBe(
      'Your role (operator) cannot have the code shown: it is texted to the member; an admin or the owner can deliver it themselves',
    );
    const texted = await asStaff('operator', 'sms');
    expect(texted.statusCode).toBe(201);
    expect(texted.json().code).toBeUndefined();
    const admin = await asStaff('admin', 'caller');
    expect(admin.statusCode).toBe(201);
    expect(admin.json()).toMatchObject({ delivery: 'caller', code: expect.stringMatching(/^\d{6}$/) });

    // The shop's bindings, newest first: how each code went and how it ended (the refused text left none).
    const listed = (await c.call('GET', '/api/member-cards/bindings')).body.items as {
      memberCard: string;
      delivery: string;
      status: string;
      customerId: string | null;
    }[];
    expect(listed.map((b) => [b.memberCard, b.delivery, b.status])).toEqual([
      ['L-ADMIN', 'caller', 'pending'],
      ['L-OPERATOR', 'sms', 'pending'],
      ['L-5504', 'sms', 'pending'],
      ['L-5502', 'sms', 'pending'],
      ['L-5501', 'sms', 'confirmed'],
    ]);
    expect((await c.call('GET', '/api/member-cards/bindings?card=l-5501')).body.items).toMatchObject([
      { memberCard: 'L-5501', status: 'confirmed', customerId: confirmed.body.customerId },
    ]);
    expect((await c.call('GET', '/api/member-cards/bindings?card=!!')).status).toBe(400);
  });

  it("texts the code through Aliyun by the shop's approved code template", async () => {
    const tenant = await testTenant(db(), 'Lotus 莲');
    const c = client(t, tenant);
    const aliyun = await startAliyunSink({ accessKeyId: 'LTAI5tCards', secret: 'cards-secret' });
    const channel = (codeTemplate?: string) =>
      c.call('PUT', '/api/channels/sms', {
        channel: 'sms',
        settings: {
          provider: 'aliyun',
          accessKeyId: 'LTAI5tCards',
          accessKeySecret: 'cards-secret',
          signName: '莲花护肤',
          codeTemplate,
          baseUrl: aliyun.url,
        },
      });
    try {
      const bind = (memberCard: string, phone: string) =>
        c.call('POST', '/api/member-cards/bindings', { memberCard, phone });
      // Without the code template there is nothing Aliyun would send: refused before a code exists.
      expect((await channel()).status).toBe(200);
      expect(await bind('A-1001', '13800000031')).toMatchObject({
        status: 409,
        body: { error: 'no_code_template', details: [{ field: 'delivery' }] },
      });
      expect((await channel('SMS 1')).body.details).toEqual([
        { field: 'body.settings.codeTemplate', message: expect.stringContaining('template code') },
      ]);
      expect((await channel('SMS_200000001')).status).toBe(200);
      const challenge = await bind('A-1001', '13800000031');
      expect(challenge.status).toBe(201);
      expect(aliyun.received).toHaveLength(1);
      const sent = aliyun.received[0]!;
      expect(sent).toMatchObject({
        PhoneNumbers: '13800000031',
        SignName: '莲花护肤',
        TemplateCode: 'SMS_200000001',
      });
      const { code } = JSON.parse(sent.TemplateParam!) as { code: string };
      expect(code).toMatch(/^\d{6}$/);
      const confirmed = await c.call(
        'POST',
        `/api/member-cards/bindings/${challenge.body.bindingId}/confirm`,
        {
          code,
        },
      );
      expect(confirmed.status).toBe(200);

      // Aliyun's per-number limit: the caller hears it, and no binding is left open.
      aliyun.answers.set('13800000032', 'isv.BUSINESS_LIMIT_CONTROL');
      expect(await bind('A-1002', '13800000032')).toMatchObject({
        status: 502,
        body: { error: 'sms_failed', message: expect.stringContaining('isv.BUSINESS_LIMIT_CONTROL') },
      });
      const [open] = await db().query<{ n: number }>(
        'select count(*)::int as n from member_card_bindings where shop_id = $1 and phone = $2',
        [tenant.shop.shopId, '+8613800000032'],
      );
      expect(open!.n).toBe(0);
    } finally {
      await aliyun.close();
    }
  });

  it('rejects expired codes, bad numbers and cards that belong to someone else', async () => {
    const tenant = await testTenant(db());
    const c = client(t, tenant);
    const old = await requestBinding(
      db(),
      tenant.shop,
      { memberCard: 'E-1', phone: '13800000009', delivery: 'caller' },
      new Date(Date.now() - 11 * 60_000),
    );
    const expired = await c.call('POST', `/api/member-cards/bindings/${old.bindingId}/confirm`, {
      code: old.code,
    });
    expect(expired).toMatchObject({ status: 410, body: { error: 'code_expired' } });
    expect((await c.call('GET', '/api/member-cards/bindings?card=E-1')).body.items).toMatchObject([
      { status: 'expired', attempts: 0, confirmedAt: null },
    ]);
    const bad = await c.call('POST', '/api/member-cards/bindings', {
      memberCard: 'no spaces!',
      phone: '12345',
      delivery: 'caller',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['memberCard', 'phone']);
    await c.order({
      channel: 'offline',
      storeId: 'S',
      totalCents: 100,
      customer: { memberCard: 'T-1', phone: '13800000010' },
    });
    const taken = await c.call('POST', '/api/member-cards/bindings', {
      memberCard: 'T-1',
      phone: '13800000011',
      delivery: 'caller',
    });
    expect(taken).toMatchObject({ status: 409, body: { error: 'card_taken' } });
    // Five tries, then the binding is closed.
    const b = (
      await c.call('POST', '/api/member-cards/bindings', {
        memberCard: 'E-2',
        phone: '13800000012',
        delivery: 'caller',
      })
    ).body;
    const wrong = b.code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++)
      await c.call('POST', `/api/member-cards/bindings/${b.bindingId}/confirm`, { code: wrong });
    const closed = await c.call('POST', `/api/member-cards/bindings/${b.bindingId}/confirm`, {
      code: b.code,
    });
    expect(closed).toMatchObject({
      status: 409,
      body: { error: 'binding_closed', message: 'This binding is already failed' },
    });
  });

  describe('tenants', () => {
    it("gives another shop's key 404 for this shop's members, ledgers, bindings, coupons and jobs", async () => {
      const a = client(t, await testTenant(db()));
      const bTenant = await testTenant(db());
      const b = client(t, bTenant);
      const o = await a.order({ totalCents: yuan(10), customer: { phone: '13800000013' } });
      const binding = (
        await a.call('POST', '/api/member-cards/bindings', {
          memberCard: 'X-1',
          phone: '13800000013',
          delivery: 'caller',
        })
      ).body;
      const job = (await a.call('POST', '/api/membership/regrade')).body;
      const offer = (
        await a.call('POST', '/api/coupons', {
          name: 'A only',
          kind: 'amount',
          amountCents: 100,
          pointsPrice: 5,
        })
      ).body;
      const own = await b.order({ totalCents: yuan(10), customer: { phone: '13800000014' } });
      const probes = [
        await b.call('GET', `/api/customers/${o.customerId}/points`),
        await b.call('GET', `/api/customers/${o.customerId}/points/ledger`),
        await b.call('POST', `/api/customers/${o.customerId}/points/adjustments`, { points: 5, reason: 'x' }),
        await b.call('POST', `/api/customers/${o.customerId}/points/redemptions`, {
          points: 1,
          purpose: 'gift',
          idempotencyKey: 'tenant-test',
        }),
        await b.call('POST', `/api/customers/${o.customerId}/tier`, { rank: 1, reason: 'x' }),
        await b.call('POST', `/api/member-cards/bindings/${binding.bindingId}/confirm`, {
          code: binding.code,
        }),
        await b.call('GET', `/api/jobs/${job.jobId}`),
        // B's own member cannot buy A's coupon.
        await b.call('POST', `/api/customers/${own.customerId}/points/redemptions`, {
          points: 5,
          purpose: 'coupon',
          couponId: offer.couponId,
          idempotencyKey: 'tenant-coupon',
        }),
        await b.call('PATCH', `/api/coupons/${offer.couponId}`, { pointsPrice: 1 }),
      ];
      expect(probes.map((p) => p.status)).toEqual([404, 404, 404, 404, 404, 404, 404, 404, 404]);
      expect(probes.at(-2)!.body.message).toMatch(/coupon/i);
      expect((await a.call('GET', `/api/coupons/${offer.couponId}`)).body.pointsPrice).toBe(5);
      expect((await b.call('GET', '/api/member-cards/bindings')).body.items).toEqual([]);
      expect((await b.call('GET', '/api/member-cards/bindings?card=X-1')).body.items).toEqual([]);
      expect((await b.points(own.customerId)).balance).toBe(10);
      // B's tiers count its one member, none of A's.
      expect(
        (await b.call('GET', '/api/membership/tiers')).body.items.reduce(
          (n: number, x: { customers: number }) => n + x.customers,
          0,
        ),
      ).toBe(1);
      await a.runJobs();
    });
  });
});
