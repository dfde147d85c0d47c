// Import benchmark: builds a 1,000,000-order generic CSV (~300,000 customers), imports it with the CLI
// on PGlite or PostgreSQL, and reports orders/s and the CLI's peak memory; then tops the database up to
// 1,000,000 customers and measures customer lookup by phone. On PGlite it first writes the rows the import
// left into a fresh database with plain COPY (floor.ts): the least any import design could take.
//
//   npm run bench:import -- [--orders 1000000] [--db pglite|postgres] [--lookups-only]
//   (postgres reads BENCH_DATABASE_URL: an empty database it may fill; --lookups-only measures the
//   lookups again on what an earlier run left, migrated to the current schema, without importing)
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { openPGlite, openPostgres, type Db } from '../src/db/db.js';
import { readFloor, writeFloor } from './floor.js';
import { arg, flag } from './options.js';
import { timeAfterWarmUp } from './timing.js';
import { migrate } from '../src/db/migrate.js';
import { searchCustomers } from '../src/customers/customers.js';
import { boughtCatalog } from '../src/orders/bought.js';
import { listShops } from '../src/shops/shops.js';

const ORDERS = Number(arg('orders', '1000000'));
const DB = arg('db', 'pglite');
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'bench', 'out');
// The PGlite run's data directory, kept after the run.
const pgliteDir = join(out, `pglite-${ORDERS}`);

async function generate(path: string, orders: number): Promise<void> {
  if (existsSync(path)) return;
  let customers = 0;
  const file = createWriteStream(path);
  file.write(
    'order_id,ordered_at,status,channel,store_id,total,phone,email,name,city,item_title,item_sku,item_category,item_quantity,item_price\n',
  );
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < orders; i++) {
    // Chronological, as exports are: three orders in ten bring a new customer; the rest are repeat
    // purchases, skewed towards a loyal core.
    const c = customers === 0 || rand() < 0.3 ? customers++ : Math.floor(customers * rand() ** 1.6);
    const when = new Date(start + Math.floor((i / orders) * 700 * 86_400_000));
    const offline = rand() < 0.15;
    const status = rand() < 0.05 ? 'refunded' : rand() < 0.03 ? 'cancelled' : 'completed';
    const qty = rand() < 0.2 ? 2 : 1;
    const price = (49 + Math.floor(rand() * 250)).toFixed(2);
    const total = (Number(price) * qty).toFixed(2);
    const email = c % 3 === 0 ? `c${c}@example.cn` : '';
    const ts = when.toISOString().slice(0, 19).replace('T', ' ');
    file.write(
      `B${i},${ts},${status},${offline ? 'offline' : 'online'},${offline ? `S${c % 40}` : ''},${total},` +
        `139${String(c).padStart(8, '0')},${email},客户${c},杭州,控油洁面乳 ${c % 50},SKU-${c % 500},skincare/oily,${qty},${price}\n`,
    );
    if (file.writableNeedDrain) await once(file, 'drain');
  }
  file.end();
  await once(file, 'finish');
}

/** Runs the CLI import, sampling its peak resident memory (VmHWM) from /proc while it runs. */
async function importWithCli(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; peakMb: number; output: string }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [join(root, 'dist/src/main.js'), 'import', file, '--format', 'generic', '--source', 'bench'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  let peakKb = 0;
  const timer = setInterval(async () => {
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
  }, 100);
  const [code] = (await once(child, 'exit')) as [number];
  clearInterval(timer);
  if (code !== 0) throw new Error(`import exited with ${code}: ${output}`);
  return {
    seconds: (Date.now() - started) / 1000,
    peakMb: peakKb / 1024,
    output: output
      .split('\n')
      .filter((l) => l.startsWith('Import '))
      .join('\n'),
  };
}

/** Adds customers with phone identities directly in SQL until the shop has `target` of them. */
async function topUpCustomers(db: Db, shopId: string, target: number): Promise<void> {
  const [{ n }] = (await db.query<{ n: number }>(
    'select count(*)::int as n from customers where shop_id = $1',
    [shopId],
  )) as [{ n: number }];
  for (let from = n; from < target; from += 100_000) {
    const to = Math.min(target, from + 100_000);
    await db.transaction(async (tx) => {
      await tx.query(
        `insert into customers (shop_id, customer_id, name, phone, first_source)
         select $1, gen_random_uuid(), 'Extra ' || g, '+86137' || lpad(g::text, 8, '0'), 'bench'
           from generate_series($2::int, $3::int - 1) g`,
        [shopId, from, to],
      );
      await tx.query(
        `insert into customer_identities (shop_id, kind, value, customer_id, source)
         select shop_id, 'phone', phone, customer_id, 'bench' from customers
          where shop_id = $1 and first_source = 'bench' and phone >= '+86137' || lpad($2::text, 8, '0')
            and phone < '+86137' || lpad($3::text, 8, '0')`,
        [shopId, from, to],
      );
    });
  }
}

/** 1,000 searches for `query(a random customer of the import)`, timed one by one. */
async function lookups(
  db: Db,
  shopId: string,
  customers: number,
  query: (phone: string) => string,
): Promise<{ median: number; p95: number; found: number }> {
  const shop = { shopId, phoneRegion: 'CN' };
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < 1000; i++) {
    const c = Math.floor(customers * Math.random());
    const t = performance.now();
    const page = await searchCustomers(db, shop, {
      q: query(`139${String(c).padStart(8, '0')}`),
      limit: 20,
      offset: 0,
    });
    times.push(performance.now() - t);
    found += page.items.length;
  }
  times.sort((a, b) => a - b);
  return { median: times[500]!, p95: times[950]!, found };
}

async function main(): Promise<void> {
  await mkdir(out, { recursive: true });
  const csv = join(out, `orders-${ORDERS}.csv`);
  console.log(`Generating ${csv} …`);
  await generate(csv, ORDERS);
  let env: NodeJS.ProcessEnv;
  let open: () => Promise<Db>;
  if (DB === 'postgres') {
    const url = process.env.BENCH_DATABASE_URL;
    if (!url) throw new Error('Set BENCH_DATABASE_URL to an empty PostgreSQL database');
    env = { DATABASE_URL: url, REGULARS_DATA_DIR: join(out, 'pg-run') };
    open = async () => openPostgres(url);
  } else {
    await rm(pgliteDir, { recursive: true, force: true });
    env = { REGULARS_DATA_DIR: pgliteDir };
    open = () => openPGlite({ dataDir: join(pgliteDir, 'pgdata') });
  }
  const setup = spawn(
    process.execPath,
    [join(root, 'dist/src/main.js'), 'shop', 'create', '--name', 'Bench shop'],
    {
      env: { ...process.env, ...env },
      stdio: 'inherit',
    },
  );
  await once(setup, 'exit');
  console.log(`Importing ${ORDERS} orders on ${DB} with the CLI …`);
  const run = await importWithCli(csv, env);
  console.log(run.output);
  console.log(
    `import: ${run.seconds.toFixed(1)} s, ${Math.round(ORDERS / run.seconds)} orders/s end to end, peak RSS ${Math.round(run.peakMb)} MB`,
  );

  let db = await open();
  const shop = (await listShops(db)).find((s) => s.name === 'Bench shop')!;
  if (DB === 'pglite') {
    await db.close();
    const floor = await writeFloor(join(pgliteDir, 'pgdata'), shop.shopId);
    for (const t of floor.tables) {
      console.log(`  ${t.table}: ${t.rows} rows in ${t.seconds.toFixed(1)} s`);
    }
    console.log(
      `floor: the same rows written with COPY into a fresh database: ${floor.seconds.toFixed(1)} s, ${Math.round(ORDERS / floor.seconds)} orders/s`,
    );
    db = await open();
    const read = await readFloor(csv, shop);
    console.log(
      `reading the file into orders, no database: ${read.seconds.toFixed(1)} s, ${Math.round(read.orders / read.seconds)} orders/s`,
    );
  }
  await measureLookups(db, shop.shopId);
  await db.close();
}

/**
 * Tops the shop up to a million customers and times searches by phone and by its last four digits, and
 * the catalog of what they bought.
 */
async function measureLookups(db: Db, shopId: string): Promise<void> {
  await topUpCustomers(db, shopId, 1_000_000);
  const l = await lookups(db, shopId, Math.round(ORDERS * 0.3), (phone) => phone);
  console.log(
    `lookup by phone at 1,000,000 customers: median ${l.median.toFixed(2)} ms, p95 ${l.p95.toFixed(2)} ms (${l.found} of 1000 found)`,
  );
  // The last four digits match about one phone in 10,000: a page of 20 of the ~100 that share them.
  const tail = await lookups(db, shopId, Math.round(ORDERS * 0.3), (phone) => phone.slice(-4));
  console.log(
    `lookup by a phone's last 4 digits at 1,000,000 customers: median ${tail.median.toFixed(2)} ms, p95 ${tail.p95.toFixed(2)} ms (${(tail.found / 1000).toFixed(1)} customers a page)`,
  );
  // What the rule editor and the hand-entered purchase offer (GET /api/catalog): the categories and
  // stores bought in, with their buyers, counted from the per-customer rows the import left.
  const catalog = await timeAfterWarmUp(20, () => boughtCatalog(db, shopId, 50));
  const listed = catalog.result.categories.length + catalog.result.stores.length;
  console.log(
    `the catalog (GET /api/catalog, 50 each) at 1,000,000 customers: median ${catalog.median.toFixed(1)} ms, slowest ${catalog.slowest.toFixed(1)} ms (${listed} categories and stores; 20 runs after a first)`,
  );
}

/** The lookups alone, on the database an earlier run of the same size and kind left. */
async function lookupsOnly(): Promise<void> {
  const url = process.env.BENCH_DATABASE_URL;
  if (DB === 'postgres' && !url)
    throw new Error('Set BENCH_DATABASE_URL to the database an earlier run filled');
  if (DB === 'pglite' && !existsSync(join(pgliteDir, 'pgdata'))) {
    throw new Error(`No earlier run in ${pgliteDir}: run without --lookups-only first`);
  }
  const db =
    DB === 'postgres' ? await openPostgres(url!) : await openPGlite({ dataDir: join(pgliteDir, 'pgdata') });
  await migrate(db);
  const shop = (await listShops(db)).find((s) => s.name === 'Bench shop');
  if (!shop) throw new Error('The earlier run left no Bench shop');
  await measureLookups(db, shop.shopId);
  await db.close();
}

await (flag('lookups-only') ? lookupsOnly() : main());
