// Faults and load: concurrent webhooks for one new buyer, owners demoting each other, concurrent
// redemptions of one balance (for gifts, and for coupons whose codes must match what was paid), and an
// import killed with SIGKILL halfway.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff, listStaff, updateStaff } from '../src/shops/staff.js';
import { describeEachDb } from './support/databases.js';
import { testApp, testTenant, type TestApp } from './support/app.js';

const CLI = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));

describeEachDb('concurrency and crashes', ({ kind, db }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(db());
  });
  afterAll(() => t.app.close());

  it('gives 30 simultaneous webhooks for one new buyer one profile and counts each order once', async () => {
    const tenant = await testTenant(db());
    const send = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: tenant.auth,
        payload: {
          externalId: `C-${i % 20}`,
          status: 'paid',
          totalCents: 1000,
          orderedAt: '2025-06-01T10:00:00+08:00',
          customer: { phone: '13900001111', email: i % 2 ? 'same@example.com' : undefined },
        },
      });
    // 30 requests for 20 orders: ten are replays racing their originals.
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => send(i)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([...Array(10).fill(200), ...Array(20).fill(201)]);
    expect(new Set(answers.map((a) => a.json().customerId)).size).toBe(1);
    const customers = await t.app.inject({ method: 'GET', url: '/api/customers', headers: tenant.auth });
    expect(customers.json().items).toHaveLength(1);
    expect(customers.json().items[0]).toMatchObject({
      orderCount: 20,
      spendCents: 20000,
      email: 'same@example.com',
    });
  });

  it('never lets owners demoting each other at once leave the shop without an owner', async () => {
    const tenant = await testTenant(db());
    const shopId = tenant.shop.shopId;
    const [first] = await listStaff(db(), shopId);
    const others = [];
    for (let i = 0; i < 7; i++)
      others.push(
        await createStaff(db(), shopId, {
          email: `owner${i}-${shopId.slice(-6)}@example.com`,
          name: `Owner ${i}`,
          password: 'an owner password',
        }),
      );
    // Eight owners, each demoted by a transaction of its own, all at once: seven may go, one must stay.
    const outcomes = await Promise.allSettled(
      [first!, ...others].map((s) => updateStaff(db(), shopId, s.staffId, { role: 'admin' })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(7);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.map((o) => (o.reason as Error).message)).toEqual([
      'A shop keeps at least one owner: make someone else owner first',
    ]);
    expect((await listStaff(db(), shopId)).filter((s) => s.role === 'owner')).toHaveLength(1);
  });

  it('lets 50 simultaneous redemptions against one balance spend it but never overdraw it', async () => {
    const tenant = await testTenant(db());
    const placed = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: tenant.auth,
      payload: {
        externalId: 'BAL-1',
        status: 'paid',
        totalCents: 100_000,
        orderedAt: '2026-06-01T10:00:00+08:00',
        customer: { phone: '13900002222' },
      },
    });
    const { customerId } = placed.json();
    const redeem = (i: number) =>
      t.app.inject({
        method: 'POST',
        url: `/api/customers/${customerId}/points/redemptions`,
        headers: tenant.auth,
        // Ten of the fifty repeat another request's key: retries racing their originals.
        payload: { points: 30, purpose: 'gift', idempotencyKey: `race-${String(i % 40).padStart(4, '0')}` },
      });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem(i)));
    const applied = answers.filter((a) => a.statusCode === 200 && a.json().applied);
    const refused = answers.filter((a) => a.statusCode === 409);
    // 1,000 points cover 33 redemptions of 30; the other seven keys are refused, and no key spends twice.
    expect(applied).toHaveLength(33);
    expect(new Set(applied.map((a) => a.json().entry.idempotencyKey)).size).toBe(33);
    expect(refused.every((a) => a.json().error === 'insufficient_points')).toBe(true);
    expect(answers.every((a) => a.statusCode === 200 || a.statusCode === 409)).toBe(true);
    const [row] = await db().query<{ balance: number; ledger: number }>(
      `select c.points_balance as balance, (select sum(points)::int8 from points_ledger l
                                            where l.shop_id = c.shop_id and l.customer_id = c.customer_id) as ledger
         from customers c where c.shop_id = $1 and c.customer_id = $2`,
      [tenant.shop.shopId, customerId],
    );
    expect(row).toEqual({ balance: 10, ledger: 10 });
  });

  it('issues exactly as many coupon codes as simultaneous purchases with points could pay for', async () => {
    const tenant = await testTenant(db());
    const call = (method: 'POST' | 'GET', url: string, payload?: object) =>
      t.app.inject({ method, url, headers: tenant.auth, payload });
    const placed = await call('POST', '/api/orders', {
      externalId: 'CPN-1',
      status: 'paid',
      totalCents: 50_000,
      orderedAt: '2026-06-01T10:00:00+08:00',
      customer: { phone: '13900003333' },
    });
    const { customerId } = placed.json();
    const coupon = await call('POST', '/api/coupons', {
      name: 'points shop',
      kind: 'amount',
      amountCents: 500,
      pointsPrice: 120,
    });
    // Twenty purchases at once, of 120 points each, against 500 points: four can be paid for.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        call('POST', `/api/customers/${customerId}/points/redemptions`, {
          points: 120,
          purpose: 'coupon',
          couponId: coupon.json().couponId,
          idempotencyKey: `coupon-race-${i}`,
        }),
      ),
    );
    const bought = answers.filter((a) => a.statusCode === 200);
    expect(bought).toHaveLength(4);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().error)).toEqual(
      Array(16).fill('insufficient_points'),
    );
    const codes = (await call('GET', `/api/customers/${customerId}/coupons`)).json().items as {
      code: string;
    }[];
    expect(codes.map((c) => c.code).sort()).toEqual(bought.map((a) => a.json().coupon.code as string).sort());
    expect(new Set(codes.map((c) => c.code)).size).toBe(4);
    expect((await call('GET', `/api/customers/${customerId}/points`)).json().balance).toBe(20);
  });

  // A second process can watch the import only on a server; PGlite belongs to the process that opened it.
  it.runIf(kind === 'postgres')(
    'resumes a CLI import killed with SIGKILL, without losing or doubling an order',
    async () => {
      const tenant = await testTenant(db());
      const dir = await mkdtemp(join(tmpdir(), 'regulars-kill-'));
      const file = join(dir, 'orders.csv');
      const lines = ['order_id,ordered_at,status,total,phone'];
      for (let i = 0; i < 40_000; i++)
        lines.push(`K${i},2025-03-01 10:00,paid,12.00,135${String(i % 9000).padStart(8, '0')}`);
      await writeFile(file, lines.join('\n'));
      const env = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, REGULARS_DATA_DIR: dir };
      const run = () =>
        spawn(process.execPath, [CLI, 'import', file, '--format', 'generic', '--shop', tenant.shop.shopId], {
          env,
          stdio: 'ignore',
        });
      const first = run();
      const progress = async () =>
        (
          await db().query<{ rowsDone: number }>(
            'select rows_done as "rowsDone" from imports where shop_id = $1',
            [tenant.shop.shopId],
          )
        )[0]?.rowsDone ?? 0;
      while ((await progress()) < 4000) await new Promise((r) => setTimeout(r, 50));
      first.kill('SIGKILL');
      await once(first, 'exit');
      const [killed] = await db().query<{ status: string; rowsDone: number }>(
        'select status, rows_done as "rowsDone" from imports where shop_id = $1',
        [tenant.shop.shopId],
      );
      expect(killed!.status).toBe('running');
      expect(killed!.rowsDone).toBeGreaterThanOrEqual(4000);
      expect(killed!.rowsDone).toBeLessThan(40_001);
      // The killed run's heartbeat goes stale after a minute; the CLI resumes it at once.
      const second = run();
      const [code] = (await once(second, 'exit')) as [number];
      expect(code).toBe(0);
      const [counts] = await db().query<{
        orders: number;
        distinct: number;
        customers: number;
        spend: number;
      }>(
        `select (select count(*)::int from orders where shop_id = $1) as orders,
                (select count(distinct external_id)::int from orders where shop_id = $1) as distinct,
                (select count(*)::int from customers where shop_id = $1) as customers,
                (select sum(spend_cents)::int8 from customers where shop_id = $1) as spend`,
        [tenant.shop.shopId],
      );
      expect(counts).toEqual({ orders: 40_000, distinct: 40_000, customers: 9000, spend: 40_000 * 1200 });
      const imports = await db().query<{ status: string; rowsDone: number }>(
        'select status, rows_done as "rowsDone" from imports where shop_id = $1',
        [tenant.shop.shopId],
      );
      expect(imports).toEqual([{ status: 'completed', rowsDone: 40_001 }]);
    },
  );
});
