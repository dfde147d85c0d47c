// Brands benchmark, over a shop of N customers and 5·N order lines, each line naming one of ~270 brands:
// what the rule editor and a purchase entered by hand offer where a category, a store or a brand is typed
// (GET /api/catalog: brands counted from each customer's brand rows), with, for comparison, the brands'
// buyers counted by grouping the lines; then segment counts on brands, from the brand rows
// (customer_brands) and, for comparison, the same conditions answered from the orders and their lines.
//
//   npm run bench:brands -- [--customers 200000] [--db postgres|pglite]
//   (postgres reads BENCH_DATABASE_URL: a database it may fill)
import type { Db } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { boughtCatalog } from '../src/orders/bought.js';
import { BOUGHT_STATUSES } from '../src/orders/status.js';
import { countSegment } from '../src/segments/segments.js';
import { createShop } from '../src/shops/shops.js';
import { arg, openBenchDb, seconds } from './options.js';
import { buildShop } from './shop.js';

const CUSTOMERS = Number(arg('customers', '200000'));
const DB = arg('db', 'postgres');

async function main(): Promise<void> {
  const db = await openBenchDb(DB);
  await migrate(db);
  const shop = await createShop(db, { name: `Catalog bench ${new Date().toISOString()}` });
  await buildShop(db, shop.shopId, CUSTOMERS);
  const lines = (CUSTOMERS * 5).toLocaleString('en');
  // As the console asks for it (500 of each), 20 times after a first.
  const times: number[] = [];
  let listed = { categories: 0, stores: 0, brands: 0 };
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    const c = await boughtCatalog(db, shop.shopId, 500);
    if (i > 0) times.push(performance.now() - t);
    listed = { categories: c.categories.length, stores: c.stores.length, brands: c.brands.length };
  }
  times.sort((a, b) => a - b);
  console.log(
    `the catalog (GET /api/catalog) at ${lines} order lines: median ${times[10]!.toFixed(1)} ms, slowest ${times.at(-1)!.toFixed(1)} ms ` +
      `(${listed.categories} categories, ${listed.stores} stores, ${listed.brands} brands)`,
  );
  const t = performance.now();
  const grouped = await db.query(
    `select lower(i.brand), count(distinct o.customer_id) as buyers
       from order_items i join orders o on o.shop_id = i.shop_id and o.order_id = i.order_id
      where i.shop_id = $1 and i.brand is not null and o.status = any($2) and i.refunded_quantity < i.quantity
      group by 1 order by buyers desc limit 500`,
    [shop.shopId, BOUGHT_STATUSES],
  );
  console.log(
    `for comparison, the ${grouped.length} brands' buyers counted by grouping the lines: ${seconds(t).toFixed(1)} s`,
  );

  // Every line of the shop is titled 'Item', so a title filter of 'Item' leaves a condition's meaning as
  // it is and only sends it to the orders and their lines.
  const conditions = [
    { name: 'bought Hydra Lab', rule: { type: 'purchased', brands: ['Hydra Lab'] } },
    {
      name: 'bought Hydra Lab in the last 90 days',
      rule: { type: 'purchased', brands: ['hydra lab'], withinDays: 90 },
    },
    {
      name: 'bought Velvet Lip in 2+ orders',
      rule: { type: 'purchased', brands: ['Velvet Lip'], minOrders: 2 },
    },
    { name: 'bought Label 007 (a rare one)', rule: { type: 'purchased', brands: ['Label 007'] } },
  ];
  console.log(
    `\nsegment counts on brands (median of 5 after a warm-up), ${CUSTOMERS.toLocaleString('en')} customers:`,
  );
  for (const { name, rule } of conditions) {
    const fromRows = await countTimed(db, shop.shopId, rule);
    const fromOrders = await countTimed(db, shop.shopId, { ...rule, titleContains: ['Item'] });
    if (fromRows.customers !== fromOrders.customers)
      throw new Error(
        `${name}: ${fromRows.customers} from the brand rows, ${fromOrders.customers} from the orders`,
      );
    console.log(
      `  ${name}: ${fromRows.customers.toLocaleString('en')} customers, ${fromRows.ms.toFixed(1)} ms from the brand rows, ${fromOrders.ms.toFixed(1)} ms from the orders`,
    );
  }
  await db.close();
}

async function countTimed(db: Db, shopId: string, rule: unknown): Promise<{ customers: number; ms: number }> {
  const times: number[] = [];
  let customers = 0;
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    customers = (await countSegment(db, shopId, rule)).customers;
    if (i > 0) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { customers, ms: times[2]! };
}

await main();
