// Tier re-grade benchmark: fills a shop with N customers whose stats look like a real shop's (most buy
// once, a loyal few often), then times a full re-grade after the thresholds change (the job the console
// starts on save), and a periodic review.
//
//   npm run bench:regrade -- [--customers 1000000] [--db postgres|pglite]
//   (postgres reads BENCH_DATABASE_URL: a database it may fill)
import { arg, openBenchDb, seconds } from './options.js';
import { migrate } from '../src/db/migrate.js';
import { DEFAULT_PROGRAM, MemberProgram, saveProgram } from '../src/membership/program.js';
import { gradeAll } from '../src/membership/tiers.js';
import { createShop } from '../src/shops/shops.js';

const CUSTOMERS = Number(arg('customers', '1000000'));
const DB = arg('db', 'postgres');

async function main(): Promise<void> {
  const db = await openBenchDb(DB);
  await migrate(db);
  const shop = await createShop(db, { name: `Regrade bench ${new Date().toISOString()}` });
  let t = performance.now();
  // Orders per customer: 60 % once, then a long tail; spend about 180 yuan an order with spread.
  await db.query(
    `insert into customers (shop_id, customer_id, first_source, order_count, online_order_count, spend_cents,
                            refunded_cents, first_order_at, last_order_at, tier_rank)
     select $1, ('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'bench', n, n, spend,
            case when i % 20 = 0 then spend / 4 else 0 end, now() - interval '700 days', now() - (i % 700) * interval '1 day',
            -- graded under the default program already, as ingestion would have left them
            case when spend >= 500000 or n >= 10 then 3 when spend >= 200000 or n >= 5 then 2
                 when spend >= 50000 or n >= 2 then 1 else 0 end
       from (select i, n, (n * (8000 + (hashint4(i) & 65535) * 0.4))::int8 as spend
               from (select i, 1 + floor(-ln(1 - (hashint4(i * 7) & 65535) / 65536.0) * 1.8)::int as n
                       from generate_series(1, $2) i) s) g`,
    [shop.shopId, CUSTOMERS],
  );
  // A shop's table has been vacuumed (autovacuum on a server, the maintenance timer on PGlite) and
  // checkpointed long before anyone edits thresholds; measure that, not the aftermath of the bulk insert.
  await db.query('vacuum analyze customers');
  await db.query('checkpoint');
  console.log(`built ${CUSTOMERS.toLocaleString('en')} customers in ${seconds(t).toFixed(1)} s`);

  // Raise the bar: Senior needs 3 orders or 800 yuan, VIP 6 or 3,000, Supreme 12 or 8,000.
  const program: MemberProgram = MemberProgram.parse({
    ...DEFAULT_PROGRAM,
    tiers: DEFAULT_PROGRAM.tiers.map((tier, i) =>
      i === 0
        ? tier
        : { ...tier, minOrders: [0, 3, 6, 12][i], minSpendCents: [0, 80_000, 300_000, 800_000][i] },
    ),
  });
  await db.transaction((tx) => saveProgram(tx, shop.shopId, program));
  const report = (label: string, r: object, s: number) =>
    console.log(
      `${label}: ${s.toFixed(2)} s, ${Math.round(CUSTOMERS / s).toLocaleString('en')} customers/s`,
      JSON.stringify(r),
    );
  t = performance.now();
  const regrade = await gradeAll(db, shop.shopId, program, 'regrade', new Date());
  report('re-grade after a threshold change', regrade, seconds(t));
  t = performance.now();
  const unchanged = await gradeAll(db, shop.shopId, program, 'regrade', new Date());
  report('re-grade with nothing to change', unchanged, seconds(t));
  t = performance.now();
  const review = await gradeAll(db, shop.shopId, program, 'review', new Date());
  report('periodic review', review, seconds(t));
  await db.close();
}

await main();
