// Brands benchmark, over a shop of N customers and 5·N order lines, each line naming one of ~270 brands:
// what the rule editor and a purchase entered by hand offer where a category, a store or a brand is typed
// (GET /api/catalog: brands counted from each customer's brand rows), with, for comparison, the brands'
// buyers counted by grouping the lines; then segment counts on brands, from the brand rows
// (customer_brands) and, for comparison, the same conditions answered from the orders and their lines.
//
//   npm run bench:brands -- [--customers 200000] [--db postgres|pglite]
//   (postgres reads BENCH_DATABASE_URL: a database it may fill)
import { migrate } from '../src/db/migrate.js';
import { boughtCatalog } from '../src/orders/bought.js';
import { BOUGHT_STATUSES } from '../src/orders/status.js';
import { countSegment } from '../src/segments/segments.js';
import { createShop } from '../src/shops/shops.js';
import { arg, openBenchDb, seconds } from './options.js';
import { timeAfterWarmUp } from './timing.js';
import { buildShop } from './shop.js';

const CUSTOMERS = Number(arg('customers', '200000'));
const DB = arg('db', 'postgres');

async function main(): Promise<void> {
  const db = await openBenchDb(DB);
  await migrate(db);
  const shop = await createShop(db, { name: `Brands bench ${new Date().toISOString()}` });
  await buildShop(db, shop.shopId, CUSTOMERS);
  const lines = (CUSTOMERS * 5).toLocaleString('en');
  // As the console asks for it (500 of each), 20 times after a first.
  const catalog = await timeAfterWarmUp(20, () => boughtCatalog(db, shop.shopId, 500));
  const { categories, stores, brands } = catalog.result;
  console.log(
    `the catalog (GET /api/catalog) at ${lines} order lines: median ${catalog.median.toFixed(1)} ms, slowest ${catalog.slowest.toFixed(1)} ms ` +
      `(${categories.length} categories, ${stores.length} stores, ${brands.length} brands)`,
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
    const fromRows = await timeAfterWarmUp(5, () => countSegment(db, shop.shopId, rule));
    const fromOrders = await timeAfterWarmUp(5, () =>
      countSegment(db, shop.shopId, { ...rule, titleContains: ['Item'] }),
    );
    const customers = fromRows.result.customers;
    if (customers !== fromOrders.result.customers)
      throw new Error(
        `${name}: ${customers} from the brand rows, ${fromOrders.result.customers} from the orders`,
      );
    console.log(
      `  ${name}: ${customers.toLocaleString('en')} customers, ${fromRows.median.toFixed(1)} ms from the brand rows, ${fromOrders.median.toFixed(1)} ms from the orders`,
    );
  }
  await db.close();
}

await main();
