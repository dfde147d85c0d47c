// A shop's offboarding: its export holds every row of it and nothing of another shop's; deleting it
// leaves no row of it in any table, and not one row of another shop's changes — across tables without
// foreign keys and references that do not cascade.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { loadDemo } from '../src/demo/demo.js';
import { runFlows } from '../src/engage/flows/engine.js';
import { activateFlow, listFlows } from '../src/engage/flows/flows.js';
import { listTemplates } from '../src/engage/templates.js';
import { recordActivity } from '../src/shops/activity.js';
import { deleteShop, shopTablesInDeleteOrder } from '../src/shops/deletion.js';
import { exportShop, LEFT_OUT_TABLES } from '../src/shops/export.js';
import { setRetention } from '../src/shops/retention.js';
import { describeEachDb } from './support/databases.js';

/** Each of the shop's tables with how many rows the shop has in it. */
async function rowsOf(db: Db, shopId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await shopTablesInDeleteOrder(db)) {
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from ${table} where shop_id = $1`,
      [shopId],
    );
    counts[table] = row!.n;
  }
  return counts;
}

/** A shop as the demo builds it, with a flow running, a message sent, its activity and retention set. */
async function busyShop(db: Db, now: Date) {
  const { shop } = await loadDemo(db, {
    customers: 150,
    seed: 11,
    now,
    shopName: `Leaving ${Math.random().toString(36).slice(2, 8)}`,
  });
  const care = (await listFlows(db, shop.shopId)).find((f) => f.trigger.type === 'order_paid')!;
  await activateFlow(db, shop.shopId, care.flowId, 30, now);
  await runFlows(db, shop.shopId, now);
  const [someone] = await db.query<{ id: string }>(
    'select customer_id as id from customers where shop_id = $1 limit 1',
    [shop.shopId],
  );
  const [template] = await listTemplates(db, shop.shopId);
  await db.query(
    `insert into messages (shop_id, message_id, customer_id, channel, template_id, transactional, recipient, status)
     values ($1, gen_random_uuid(), $2, 'sms', $3, false, '+8613700000001', 'sent')`,
    [shop.shopId, someone!.id, template!.templateId],
  );
  await recordActivity(db, {
    shopId: shop.shopId,
    staff: null,
    apiKey: { keyId: '01a00000-0000-7000-8000-0000000000b1', name: 'ERP' },
    address: '192.0.2.7',
    method: 'POST',
    route: '/api/tags',
    params: {},
    status: 201,
  });
  await setRetention(db, shop.shopId, { activityDays: 400, importCellsDays: 30 });
  return shop;
}

describeEachDb('shop offboarding', ({ db }) => {
  it('orders the tables so that each goes before those it references, every shop table included', async () => {
    const order = await shopTablesInDeleteOrder(db());
    const [{ n }] = (await db().query<{ n: number }>(
      `select count(*)::int as n from information_schema.columns
        where table_schema = current_schema() and column_name = 'shop_id'`,
    )) as [{ n: number }];
    expect(order).toHaveLength(n);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('messages', 'templates');
    before('campaigns', 'coupons');
    before('order_items', 'orders');
    before('staff_sessions', 'staff');
    expect(order.at(-1)).toBe('shops');
  });

  it("exports every row of the shop, then deletes them all, and not one of another shop's", async () => {
    const now = new Date('2026-11-01T00:00:00Z');
    const leaving = await busyShop(db(), now);
    const staying = await busyShop(db(), now);
    const held = await rowsOf(db(), leaving.shopId);
    const theirs = await rowsOf(db(), staying.shopId);
    // The test means something only if the shop filled the tables that matter.
    for (const table of [
      'orders',
      'order_items',
      'customers',
      'points_ledger',
      'purchase_days',
      'messages',
      'templates',
      'campaigns',
      'coupons',
      'flow_enrollments',
      'activity',
      'retention_settings',
      'shops',
    ])
      expect(held[table], table).toBeGreaterThan(0);

    // First its data goes to files, a table each, a page at a time; nothing that lets anyone in.
    const dir = await mkdtemp(join(tmpdir(), 'regulars-export-'));
    const manifest = await exportShop(db(), leaving.shopId, dir, { at: now, pageSize: 100 });
    const exported = Object.fromEntries(Object.entries(held).filter(([t]) => !(t in LEFT_OUT_TABLES)));
    expect(manifest).toMatchObject({
      shopId: leaving.shopId,
      name: leaving.name,
      exportedAt: now.toISOString(),
      schema: expect.stringMatching(/^\d{4}_.+\.sql$/),
      tables: exported,
    });
    expect(manifest.leftOut.columns).toEqual(
      expect.arrayContaining(['staff.password_hash', 'api_keys.key_hash']),
    );
    expect((await readdir(dir)).sort()).toEqual(
      [...Object.keys(exported).map((t) => `${t}.csv`), 'manifest.json'].sort(),
    );
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    for (const table of Object.keys(exported)) {
      const rows = parse(await readFile(join(dir, `${table}.csv`), 'utf8'), { columns: true }) as Record<
        string,
        string
      >[];
      expect(rows, table).toHaveLength(held[table]!);
      expect(
        rows.every((r) => r.shop_id === leaving.shopId),
        table,
      ).toBe(true);
      if (rows[0])
        expect(
          Object.keys(rows[0]).some((c) => c.endsWith('_hash')),
          table,
        ).toBe(false);
    }
    // The files say what the tables say: an order's amounts and times, a customer's profile.
    const orders = parse(await readFile(join(dir, 'orders.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    const [first] = await db().query<{ id: string; total: number; at: Date }>(
      `select order_id as id, total_cents as total, ordered_at as at from orders where shop_id = $1
        order by order_id limit 1`,
      [leaving.shopId],
    );
    expect(orders[0]).toMatchObject({ order_id: first!.id, total_cents: String(first!.total) });
    expect(new Date(orders[0]!.ordered_at!)).toEqual(first!.at);
    await expect(exportShop(db(), leaving.shopId, dir)).rejects.toThrow('is not empty');

    // Outside a shop's deletion the ledger stays append-only, even for a transaction that names another shop.
    await expect(
      db().transaction(async (tx) => {
        await tx.query("select set_config('regulars.deleting_shop', $1, true)", [staying.shopId]);
        await tx.query('delete from points_ledger where shop_id = $1', [leaving.shopId]);
      }),
    ).rejects.toThrow('points ledger entries are never deleted');

    // Not while one of its jobs runs: it would go on writing for a shop that is gone.
    await db().query(
      `insert into jobs (shop_id, job_id, kind, params, status, started_at, heartbeat_at)
       values ($1, gen_random_uuid(), 'rfm.run', '{}', 'running', now(), now())`,
      [leaving.shopId],
    );
    await expect(deleteShop(db(), leaving.shopId)).rejects.toThrow(
      'Not deleted: 0 import(s) and 1 job(s) of the shop are running',
    );
    // A job whose process died goes quiet, and then no longer holds the shop back.
    await db().query(
      `update jobs set heartbeat_at = now() - interval '10 minutes' where shop_id = $1 and status = 'running'`,
      [leaving.shopId],
    );
    held.jobs! += 1;

    const deleted = await deleteShop(db(), leaving.shopId);
    expect(deleted).toMatchObject({ shopId: leaving.shopId, name: leaving.name, uploads: [] });
    expect(deleted.rows).toEqual(Object.fromEntries(Object.entries(held).filter(([, n]) => n > 0)));
    expect(Object.values(await rowsOf(db(), leaving.shopId)).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(db(), staying.shopId)).toEqual(theirs);
    await expect(deleteShop(db(), leaving.shopId)).rejects.toThrow('Shop not found');
  }, 120_000);
});
