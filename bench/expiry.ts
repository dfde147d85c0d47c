// Points expiry benchmark: the nightly expiry over the shop the import benchmark left (1,000,000 orders,
// ~318,000 customers, two years of points), on a copy of its PGlite directory. The first run catches up
// with every lot that fell due before it, one entry per customer and lot date; the second finds nothing
// due, as most nights do, and still reads every member with a balance.
//
//   npm run bench:import -- --orders 1000000    (once: it leaves the shop)
//   npm run bench:expiry -- [--orders 1000000]
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPGlite } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { expirePoints } from '../src/membership/expiry.js';
import { arg, seconds } from './options.js';

const ORDERS = Number(arg('orders', '1000000'));
const out = join(fileURLToPath(new URL('../../', import.meta.url)), 'bench', 'out');
const source = join(out, `pglite-${ORDERS}`, 'pgdata');
if (!existsSync(source)) {
  throw new Error(
    `Run npm run bench:import -- --orders ${ORDERS} first: it leaves the shop whose points expire`,
  );
}
const copy = join(out, `expiry-${ORDERS}`);
await rm(copy, { recursive: true, force: true });
await cp(source, copy, { recursive: true });
const db = await openPGlite({ dataDir: copy });
await migrate(db);
const [shop] = await db.query<{ shopId: string; members: number }>(
  `select shop_id as "shopId", count(*) filter (where points_balance > 0)::int as members
     from customers group by shop_id order by count(*) desc limit 1`,
);
if (!shop) throw new Error('The import benchmark left no shop');
console.log(`Shop ${shop.shopId}: ${shop.members} members with points.`);
const now = new Date();
for (const run of ['first run (catching up)', 'second run (nothing more due)']) {
  const started = performance.now();
  const r = await expirePoints(db, shop.shopId, now);
  console.log(
    `${run}: ${seconds(started).toFixed(1)} s, ${r.expired} points of ${r.customers} customers expired`,
  );
}
for (const d of await db.query<{ dueBy: string; entries: number; points: number }>(
  `select detail->>'dueBy' as "dueBy", count(*)::int as entries, -sum(points)::int8 as points
     from points_ledger where shop_id = $1 and kind = 'expire' group by 1 order by 1`,
  [shop.shopId],
)) {
  console.log(`  due by ${d.dueBy}: ${d.entries} entries, ${d.points} points, dated then`);
}
await db.close();
await rm(copy, { recursive: true, force: true });
