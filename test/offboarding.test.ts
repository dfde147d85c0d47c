// A shop's offboarding: its export holds every row of it and nothing of another shop's; deleting it
// leaves no row of it in any table, and not one row of another shop's changes — across tables without
// foreign keys and references that do not cascade.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { loadDemo } from '../src/demo/demo.js';
import { runFlows } from '../src/engage/flows/engine.js';
import { activateFlow, listFlows } from '../src/engage/flows/flows.js';
import { listTemplates } from '../src/engage/templates.js';
import { recordActivity } from '../src/shops/activity.js';
import { ARCHIVE_DAYS, sweepShopArchives, writeShopArchive } from '../src/shops/archive.js';
import { deleteShop, shopTablesInDeleteOrder } from '../src/shops/deletion.js';
import { exportShop, LEFT_OUT_TABLES } from '../src/shops/export.js';
import { setRetention } from '../src/shops/retention.js';
import { createStaff } from '../src/shops/staff.js';
import {
  multipart,
  settleJobs,
  signInAs,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';
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

describeEachDb('shop offboarding through the API', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let owner: { regulars_session: string };
  let admin: { regulars_session: string };
  const order = (externalId: string, phone: string) => ({
    source: 'webhook',
    externalId,
    status: 'paid',
    totalCents: 12900,
    orderedAt: '2026-05-01T09:30:00+08:00',
    customer: { phone, name: '陈静' },
    items: [
      { title: '控油精华', sku: 'OIL-9', category: 'skincare/oily', quantity: 1, unitPriceCents: 12900 },
    ],
  });

  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
    for (const [tenant, phones] of [
      [a, ['13600000001', '13600000002', '13600000003']],
      [b, ['13700000001']],
    ] as const)
      for (const [i, phone] of phones.entries()) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/orders',
          headers: tenant.auth,
          payload: order(`X-${i}`, phone),
        });
        expect(r.statusCode, r.body).toBe(201);
      }
    await createStaff(db(), a.shop.shopId, {
      email: 'admin@example.com',
      name: 'Admin',
      password: 'correct horse battery',
      role: 'admin',
    });
    owner = (await signInAs(t.app, a.email, a.password))!;
    admin = (await signInAs(t.app, 'admin@example.com', 'correct horse battery'))!;
  });
  afterAll(async () => {
    await t.app.close();
  });

  const as = (
    cookies: { regulars_session: string } | { authorization: string },
    method: string,
    url: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method: method as 'GET',
      url,
      payload: payload as object,
      ...('authorization' in cookies ? { headers: cookies } : { cookies }),
    });

  it('exports the shop as a zip the owner downloads, which no one else can, and which is kept only a while', async () => {
    expect((await as(admin, 'POST', '/api/shop/exports')).statusCode).toBe(403);
    expect((await as(admin, 'GET', '/api/shop/exports')).statusCode).toBe(403);

    const asked = await as(owner, 'POST', '/api/shop/exports');
    expect(asked.statusCode, asked.body).toBe(202);
    const job = asked.json<{ jobId: string; status: string; available: boolean }>();
    expect(job).toMatchObject({ status: 'queued', available: false });
    await settleJobs(t.jobs, db(), a.shop.shopId);
    const [made] = (await as(owner, 'GET', '/api/shop/exports')).json<{
      items: {
        jobId: string;
        status: string;
        available: boolean;
        rows: number;
        bytes: number;
        done: number;
        total: number;
        finishedAt: string;
        expiresAt: string;
      }[];
    }>().items;
    expect(made).toMatchObject({ jobId: job.jobId, status: 'completed', available: true });
    expect(made!.done).toBe(made!.total);
    expect(Date.parse(made!.expiresAt) - Date.parse(made!.finishedAt)).toBe(ARCHIVE_DAYS * 86_400_000);

    const download = await as(owner, 'GET', `/api/shop/exports/${job.jobId}/archive`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(download.headers['content-disposition']).toMatch(
      /^attachment; filename="regulars-export-\d{4}-\d\d-\d\d\.zip"$/,
    );
    expect(download.rawPayload.length).toBe(made!.bytes);
    const zip = await JSZip.loadAsync(download.rawPayload);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({ shopId: a.shop.shopId, snapshot: db().kind === 'postgres' });
    expect(Object.values(manifest.tables as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(
      made!.rows,
    );
    const customers = parse(await zip.file('customers.csv')!.async('string'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(customers.map((c) => c.phone).sort()).toEqual([
      '+8613600000001',
      '+8613600000002',
      '+8613600000003',
    ]);
    expect(Object.keys(zip.files).filter((f) => f.endsWith('.csv'))).toHaveLength(
      Object.keys(manifest.tables).length,
    );

    // An export still being made, or one that failed, has nothing to download yet.
    const busy = '01a00000-0000-7000-8000-00000000e0e1';
    await db().query(
      `insert into jobs (shop_id, job_id, kind, params, status, started_at, heartbeat_at)
       values ($1, $2, 'shop.export', '{}', 'running', now(), now())`,
      [b.shop.shopId, busy],
    );
    const early = await as(b.auth, 'GET', `/api/shop/exports/${busy}/archive`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({
      error: 'export_not_ready',
      message: 'This export is still being made',
    });
    expect((await as(b.auth, 'DELETE', `/api/shop/exports/${busy}`)).statusCode).toBe(409);
    await db().query(
      `update jobs set status = 'failed', failure = 'ENOSPC: no space left on device', finished_at = now()
        where shop_id = $1 and job_id = $2`,
      [b.shop.shopId, busy],
    );
    expect((await as(b.auth, 'GET', `/api/shop/exports/${busy}/archive`)).json()).toMatchObject({
      error: 'export_not_ready',
      message: 'This export failed: ENOSPC: no space left on device',
    });

    // Another shop's key finds neither the export nor its archive.
    expect((await as(b.auth, 'GET', `/api/shop/exports/${job.jobId}/archive`)).statusCode).toBe(404);
    expect((await as(b.auth, 'DELETE', `/api/shop/exports/${job.jobId}`)).statusCode).toBe(404);
    expect(
      (await as(b.auth, 'GET', '/api/shop/exports'))
        .json<{ items: { jobId: string }[] }>()
        .items.map((e) => e.jobId),
    ).toEqual([busy]);
    expect((await as(owner, 'GET', '/api/shop/exports/not-an-id/archive')).statusCode).toBe(404);

    // The owner removes it early: it stays listed, but is gone.
    expect((await as(owner, 'DELETE', `/api/shop/exports/${job.jobId}`)).statusCode).toBe(204);
    const gone = await as(owner, 'GET', `/api/shop/exports/${job.jobId}/archive`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toMatchObject({ error: 'export_gone' });
    expect(
      (await as(owner, 'GET', '/api/shop/exports')).json<{ items: { available: boolean }[] }>().items[0],
    ).toMatchObject({ available: false });

    // Left alone, an archive is swept after its days, and only then.
    const again = (await as(owner, 'POST', '/api/shop/exports')).json<{ jobId: string }>();
    await settleJobs(t.jobs, db(), a.shop.shopId);
    const path = join(t.exportDir, a.shop.shopId, `${again.jobId}.zip`);
    expect(await sweepShopArchives(t.exportDir)).toBe(0);
    const old = new Date(Date.now() - (ARCHIVE_DAYS + 1) * 86_400_000);
    await utimes(path, old, old);
    expect(await sweepShopArchives(t.exportDir)).toBe(1);
    expect(existsSync(path)).toBe(false);
    expect((await as(owner, 'GET', `/api/shop/exports/${again.jobId}/archive`)).statusCode).toBe(410);
    // The activity record says who asked for the shop's data and who took it.
    const routes = (await as(owner, 'GET', '/api/activity?limit=50'))
      .json<{ items: { route: string }[] }>()
      .items.map((e) => e.route);
    expect(routes).toEqual(expect.arrayContaining(['/api/shop/exports', '/api/shop/exports/:jobId/archive']));
  }, 120_000);

  it('makes the archive whole over what a run killed halfway left behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'regulars-archive-'));
    const path = join(dir, 'export.zip');
    await mkdir(`${path}.d`);
    await writeFile(join(`${path}.d`, 'orders.csv'), 'half a file');
    await writeFile(`${path}.part`, 'PK half a zip');
    let pages = 0;
    const { manifest, bytes } = await writeShopArchive(db(), b.shop.shopId, path, {
      snapshot: false,
      onPage: () => void (pages += 1),
    });
    expect((await readdir(dir)).sort()).toEqual(['export.zip']);
    const zip = await JSZip.loadAsync(await readFile(path));
    expect(bytes).toBe((await readFile(path)).length);
    expect(manifest.snapshot).toBe(false);
    const orders = parse(await zip.file('orders.csv')!.async('string'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(orders.map((o) => o.external_id)).toEqual(['X-0']);
    // A page for each table with rows, and a file zipped for each table and the manifest.
    const tables = Object.keys(manifest.tables).length;
    expect(pages).toBe(Object.values(manifest.tables).filter((n) => n > 0).length + tables + 1);
  });

  it('deletes the shop only for its owner and its name, with its archives and previewed files, and leaves the other shop whole', async () => {
    expect((await as(owner, 'POST', '/api/shop/exports')).statusCode).toBe(202);
    await settleJobs(t.jobs, db(), a.shop.shopId);
    expect(existsSync(join(t.exportDir, a.shop.shopId))).toBe(true);
    const file = multipart({ format: 'generic' }, { name: 'o.csv', content: 'order_id\nX-9\n' });
    const previewed = await t.app.inject({
      method: 'POST',
      url: '/api/imports/preview',
      payload: file.payload,
      headers: { ...file.headers, ...a.auth },
    });
    expect(previewed.statusCode).toBe(200);
    expect(existsSync(join(t.uploadDir, 'previewed', a.shop.shopId))).toBe(true);

    expect((await as(admin, 'DELETE', '/api/shop', { confirm: a.shop.name })).statusCode).toBe(403);
    const byKey = await as(a.auth, 'DELETE', '/api/shop', { confirm: a.shop.name });
    expect(byKey.statusCode).toBe(403);
    expect(byKey.json()).toMatchObject({ error: 'owner_only' });
    const wrong = await as(owner, 'DELETE', '/api/shop', { confirm: 'shop' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ details: [{ field: 'body.confirm' }] });
    expect((await as(owner, 'DELETE', '/api/shop', {})).json()).toMatchObject({
      details: [{ field: 'body.confirm' }],
    });

    const deleted = await as(owner, 'DELETE', '/api/shop', { confirm: a.shop.name });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({
      shopId: a.shop.shopId,
      rows: { customers: 3, orders: 3, shops: 1 },
    });
    expect(deleted.cookies.find((c) => c.name === 'regulars_session')?.value).toBe('');
    expect(existsSync(join(t.exportDir, a.shop.shopId))).toBe(false);
    expect(existsSync(join(t.uploadDir, 'previewed', a.shop.shopId))).toBe(false);
    // Its sessions and keys went with it.
    expect((await as(owner, 'GET', '/api/customers')).statusCode).toBe(401);
    expect((await as(a.auth, 'GET', '/api/customers')).statusCode).toBe(401);
    const theirs = await as(b.auth, 'GET', '/api/customers');
    expect(theirs.json<{ items: { phone: string }[] }>().items.map((c) => c.phone)).toEqual([
      '+8613700000001',
    ]);
  }, 120_000);
});
