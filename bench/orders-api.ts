// Order webhook benchmark: the demo shop built as the README's first command builds it (timed), then
// orders sent one at a time through POST /api/orders, as a shop's order webhook sends them — each a new
// order, from a returning customer (seven in ten) or a new one, with an item of one of the demo's
// categories, so that the rule tags, points, tiers and rollups of the ingest path all have work; then
// orders of the same kind in batches of 500 through POST /api/orders/batch.
//
//   npm run bench:orders-api -- [--orders 1000] [--batches 20] [--db pglite|postgres] [--data-dir DIR]
//   (--data-dir: a PGlite directory an earlier run left, whose demo shop is reused rather than built)
import { loadDemo } from '../src/demo/demo.js';
import { migrate } from '../src/db/migrate.js';
import { createApiKey } from '../src/shops/apiKeys.js';
import { testApp } from '../test/support/app.js';
import { arg, openBenchDb, seconds } from './options.js';

const ORDERS = Number(arg('orders', '1000'));
const BATCHES = Number(arg('batches', '20'));
const db = await openBenchDb(arg('db', 'pglite'));
await migrate(db);

let started = performance.now();
const demo = await loadDemo(db);
console.log(
  demo.created
    ? `Demo shop built in ${seconds(started).toFixed(1)} s: ${demo.customers} customers, ${demo.orders} orders.`
    : `Demo shop ${demo.shop.shopId} reused.`,
);
const { key } = await createApiKey(db, demo.shop.shopId, 'bench');
// The app as the tests build it: the real routes, with no job run (an order queues none).
const { app } = await testApp(db);

const phones = (
  await db.query<{ phone: string }>(
    `select phone from customers where shop_id = $1 and phone is not null order by customer_id limit 5000`,
    [demo.shop.shopId],
  )
).map((r) => r.phone);
const categories = (
  await db.query<{ category: string }>(
    `select distinct category from order_items where shop_id = $1 and category is not null`,
    [demo.shop.shopId],
  )
).map((r) => r.category);

// A fixed sequence, so that two builds are compared on the same orders.
let seed = 20261127;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const run = Date.now();
/** The n-th order of the sequence. */
function nextOrder(n: number) {
  const phone =
    rand() < 0.7 ? phones[Math.floor(rand() * phones.length)]! : `+861390${String(n).padStart(7, '0')}`;
  const price = 2_900 + Math.floor(rand() * 40) * 500;
  return {
    source: 'webhook',
    externalId: `W-${run}-${n}`,
    status: 'paid',
    totalCents: price,
    orderedAt: new Date().toISOString(),
    customer: { phone },
    items: [
      {
        title: 'Bench item',
        category: categories[Math.floor(rand() * categories.length)],
        quantity: 1,
        unitPriceCents: price,
      },
    ],
  };
}
const post = async (url: string, payload: object) => {
  const r = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` }, payload });
  if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
};

const latencies: number[] = [];
started = performance.now();
for (let n = 0; n < ORDERS; n += 1) {
  const order = nextOrder(n);
  const t = performance.now();
  await post('/api/orders', order);
  latencies.push(performance.now() - t);
}
const total = seconds(started);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
console.log(
  `${ORDERS} orders one at a time through POST /api/orders: ${total.toFixed(1)} s, ` +
    `${(ORDERS / total).toFixed(0)} orders/s; latency median ${at(0.5).toFixed(1)} ms, ` +
    `p95 ${at(0.95).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`,
);

// The same kind of orders, BATCHES batches of 500 through the batch endpoint (a backfill or a sync).
started = performance.now();
for (let b = 0; b < BATCHES; b += 1) {
  const base = ORDERS + b * 500;
  await post('/api/orders/batch', { orders: Array.from({ length: 500 }, (_, n) => nextOrder(base + n)) });
}
const batched = seconds(started);
console.log(
  `${BATCHES * 500} orders in batches of 500 through POST /api/orders/batch: ${batched.toFixed(1)} s, ` +
    `${((BATCHES * 500) / batched).toFixed(0)} orders/s`,
);
await app.close();
await db.close();
