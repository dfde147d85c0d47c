// Dashboard benchmark: the whole dashboard (every figure of the Measure page, one request's work) for a
// shop of N customers and 5·N orders, for the periods an operator picks most — the last 30 days, this
// year's Double 11 season, the last 12 months — for all customers and for a segment. Median of 5 runs
// after one warm-up.
//
//   npm run bench:dashboard -- [--customers 1000000] [--db postgres|pglite] [--shop ID [--data-dir DIR]]
//   (postgres reads BENCH_DATABASE_URL; --shop reuses a shop an earlier run — this one's or
//   bench:segments' — built there, or for PGlite in the data directory it printed)
import { dashboard } from '../src/analytics/dashboard.js';
import { migrate } from '../src/db/migrate.js';
import { computeRfm } from '../src/rfm/rfm.js';
import { saveSegment } from '../src/segments/segments.js';
import { createShop } from '../src/shops/shops.js';
import { arg, openBenchDb } from './options.js';
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
  await db.close();
}

await main();
