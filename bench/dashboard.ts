// Dashboard benchmark: the whole dashboard (every figure of the Measure page, one request's work) for a
// shop of N customers and 5·N orders, for the periods an operator picks most — the last 30 days, this
// year's Double 11 season, the last 12 months — for all customers and for a segment. Median of 5 runs
// after one warm-up. Then the sales by category and by brand (their panel loads on its own request) for
// the same cases, and for comparison the twelve months' by category grouped from the orders and lines.
//
//   npm run bench:dashboard -- [--customers 1000000] [--db postgres|pglite] [--shop ID [--data-dir DIR]]
//   (postgres reads BENCH_DATABASE_URL; --shop reuses a shop an earlier run — this one's or
//   bench:segments' — built there, or for PGlite in the data directory it printed)
import { dashboard } from '../src/analytics/dashboard.js';
import { LINE_KINDS, lineSales } from '../src/analytics/lineSales.js';
import { migrate } from '../src/db/migrate.js';
import { PURCHASE_STATUSES } from '../src/orders/status.js';
import { computeRfm } from '../src/rfm/rfm.js';
import { saveSegment } from '../src/segments/segments.js';
import { createShop } from '../src/shops/shops.js';
import { arg, openBenchDb, seconds } from './options.js';
import { timeAfterWarmUp } from './timing.js';
import { buildShop } from './shop.js';

const CUSTOMERS = Number(arg('customers', '1000000'));
const DB = arg('db', 'postgres');
const REUSE = arg('shop', '');

const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);

async function main(): Promise<void> {
  const db = await openBenchDb(DB);
  await migrate(db);
  let shopId = REUSE;
  if (!shopId) {
    shopId = (await createShop(db, { name: `Dashboard bench ${new Date().toISOString()}` })).shopId;
    await buildShop(db, shopId, CUSTOMERS);
    await computeRfm(db, shopId, new Date());
  }
  console.log(`shop ${shopId} (${DB})`);
  const segment = await saveSegment(db, shopId, {
    name: `Bench regulars ${Date.now()}`,
    rule: { type: 'field', field: 'orderCount', op: 'gte', value: 3 },
  });
  const year = day(0).slice(0, 4);
  const cases: [string, { from: string; to: string; segmentId?: string }][] = [
    ['last 30 days, all customers', { from: day(29), to: day(0) }],
    ['Double 11 season, all customers', { from: `${year}-11-01`, to: `${year}-11-13` }],
    ['last 12 months, all customers', { from: day(364), to: day(0) }],
    ['last 30 days, segment (3+ orders)', { from: day(29), to: day(0), segmentId: segment.segmentId }],
    ['last 12 months, segment (3+ orders)', { from: day(364), to: day(0), segmentId: segment.segmentId }],
  ];
  console.log('\nwhole dashboard, median of 5 after a warm-up:');
  for (const [name, period] of cases) {
    const t = await timeAfterWarmUp(5, () => dashboard(db, shopId, period));
    const s = (ms: number) => (ms / 1000).toFixed(2);
    console.log(`  ${name.padEnd(38)} ${s(t.median)} s  (min ${s(t.fastest)}, max ${s(t.slowest)})`);
  }
  console.log('\nsales by category and by brand, median of 5 after a warm-up:');
  for (const [name, period] of cases) {
    const figures: string[] = [];
    for (const by of LINE_KINDS) {
      const t = await timeAfterWarmUp(5, () => lineSales(db, shopId, { ...period, by }));
      figures.push(`${by} ${t.median.toFixed(0)} ms (${t.result.rows.length} rows)`);
    }
    console.log(`  ${name.padEnd(38)} ${figures.join(', ')}`);
  }
  const t = performance.now();
  const grouped = await db.query(
    `select lower(coalesce(i.category, '')), sum(i.quantity * i.unit_price_cents)::float8
       from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
      where o.shop_id = $1 and o.ordered_at >= $2 and o.status = any($3) group by 1`,
    [shopId, new Date(Date.now() - 365 * 86_400_000), PURCHASE_STATUSES],
  );
  console.log(
    `  for comparison, 12 months by category (${grouped.length}) grouped from the orders and lines: ${seconds(t).toFixed(2)} s`,
  );
  await db.close();
}

await main();
