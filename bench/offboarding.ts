// Offboarding benchmark: a shop of 1,000,000 orders written out (`regulars shop export`), exported as the
// server's zip (the owner's export in the console: page by page on PGlite) and deleted
// (`regulars shop delete`), on a copy of the PGlite directory the import benchmark left, with the process's
// peak resident memory after each step (PGlite works on the main thread, so it is read from the kernel's
// high-water mark rather than sampled).
//
//   npm run bench:import -- --orders 1000000    (once: it leaves the shop)
//   npm run bench:offboarding -- [--orders 1000000]
import { existsSync } from 'node:fs';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPGlite } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { writeShopArchive } from '../src/shops/archive.js';
import { deleteShop } from '../src/shops/deletion.js';
import { exportShop } from '../src/shops/export.js';
import { arg, seconds } from './options.js';

const ORDERS = Number(arg('orders', '1000000'));
const out = join(fileURLToPath(new URL('../../', import.meta.url)), 'bench', 'out');
const source = join(out, `pglite-${ORDERS}`, 'pgdata');
if (!existsSync(source)) {
  throw new Error(`Run npm run bench:import -- --orders ${ORDERS} first: it leaves the shop to offboard`);
}
const copy = join(out, `offboarding-${ORDERS}`);
const files = join(out, `offboarding-${ORDERS}-export`);
await rm(copy, { recursive: true, force: true });
await rm(files, { recursive: true, force: true });
await cp(source, copy, { recursive: true });
const db = await openPGlite({ dataDir: copy });
await migrate(db);
const [shop] = await db.query<{ shopId: string }>(
  'select shop_id as "shopId" from orders group by shop_id order by count(*) desc limit 1',
);
if (!shop) throw new Error('The import benchmark left no shop');

const peak = () => `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`;

let started = performance.now();
const manifest = await exportShop(db, shop.shopId, files);
const exported = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
let bytes = 0;
for (const f of await readdir(files)) bytes += (await stat(join(files, f))).size;
console.log(
  `export: ${seconds(started).toFixed(1)} s, ${exported} rows of ${Object.keys(manifest.tables).length} tables, ` +
    `${(bytes / 2 ** 30).toFixed(2)} GiB of CSV, peak RSS ${peak()}`,
);

started = performance.now();
const archive = join(out, `offboarding-${ORDERS}.zip`);
let pages = 0;
const zipped = await writeShopArchive(db, shop.shopId, archive, {
  snapshot: false,
  onPage: () => void (pages += 1),
});
console.log(
  `zip (the server's export on PGlite, page by page): ${seconds(started).toFixed(1)} s, ` +
    `${pages} pages written and files zipped, ${(zipped.bytes / 2 ** 20).toFixed(0)} MiB, peak RSS since the start ${peak()}`,
);
await rm(archive, { force: true });

started = performance.now();
const deleted = await deleteShop(db, shop.shopId);
const rows = Object.values(deleted.rows).reduce((a, b) => a + b, 0);
console.log(
  `delete: ${seconds(started).toFixed(1)} s, ${rows} rows from ${Object.keys(deleted.rows).length} tables, peak RSS since the start ${peak()}`,
);
await db.close();
await rm(copy, { recursive: true, force: true });
await rm(files, { recursive: true, force: true });
