// The benchmarks' shop: N customers and 5·N orders (one line each, twelve categories, a brand from a dozen
// common ones and a tail of 256 rarer ones, a tenth in stores, a fifth discounted, a fiftieth refunded,
// spread over the two years before now with a loyal tail), and each customer's stats, purchase days and
// bought categories, brands and stores as ingestion would have kept them. Written in bulk: building
// 5,000,000 orders through ingestion would take the benchmark's whole budget.
import { rebuildLineSales } from '../src/analytics/lineRollup.js';
import { rebuildPurchaseDays } from '../src/analytics/rollup.js';
import type { Db } from '../src/db/db.js';
import { refreshBought } from '../src/orders/bought.js';
import { seconds } from './options.js';

const CATEGORIES = [
  'skincare/oily',
  'skincare/dry',
  'skincare/sensitive',
  'skincare/eye',
  'skincare/sun',
  'makeup/face',
  'makeup/lips',
  'bodycare',
  'men',
  'men/oily',
  'gift',
  'hair',
];

// Two spellings of one brand among them, as two sources would write it.
const BRANDS = [
  'Dew Garden',
  'DEW GARDEN',
  'Hydra Lab',
  'Clear Leaf',
  'Bloom & Co',
  'Cera Pure',
  'Moonrise',
  'Tide',
  'Suncrest',
  'Velvet Lip',
  'Northman',
  'Silk Hair',
];

export async function buildShop(db: Db, shopId: string, customers: number): Promise<void> {
  let t = performance.now();
  await db.query(
    `insert into customers (shop_id, customer_id, name, phone, gender, province, city, first_source, created_at)
     select $1, ('00000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, 'Customer ' || i,
            '+86139' || lpad(i::text, 8, '0'), (array['female', 'female', 'male', null])[1 + i % 4],
            (array['上海市', '北京市', '浙江省', '广东省', '四川省'])[1 + (hashint4(i) & 4)],
            (array['上海市', '北京市', '杭州市', '深圳市', '成都市'])[1 + (hashint4(i) & 4)],
            'bench', now() - interval '730 days'
       from generate_series(1, $2) i`,
    [shopId, customers],
  );
  console.log(`customers: ${seconds(t).toFixed(1)} s`);
  t = performance.now();
  // Buyer i of order o: squaring a uniform number gives a loyal tail (low i buy often) and many one-timers.
  // Each id is the UUID v7 of the order's millisecond, as ingestion makes it (orders/ids.ts: newOrderId), and
  // the rows go in in the order they were placed, as a shop's orders arrive.
  await db.query(
    `insert into orders (shop_id, order_id, customer_id, source, external_id, channel, store_id, status, currency,
                         total_cents, discount_cents, refunded_cents, coupon_code, ordered_at, paid_at)
     select $1, (substr(ms, 1, 8) || '-' || substr(ms, 9, 4) || '-7000-9000-' || lpad(to_hex(o), 12, '0'))::uuid,
            ('00000000-0000-4000-8000-' || lpad(to_hex(1 + floor((hashint4(o) & 2147483647) / 2147483648.0
                                                                   * (hashint4(o * 3) & 2147483647) / 2147483648.0 * $3)::int), 12, '0'))::uuid,
            'bench', 'B' || o, case when o % 10 = 0 then 'offline' else 'online' end,
            case when o % 10 = 0 then 'S' || lpad((1 + o % 40)::text, 2, '0') end,
            case when o % 50 = 0 then 'refunded' when o % 3 = 0 then 'completed' else 'paid' end, 'CNY',
            8000 + (hashint4(o * 5) & 32767), case when o % 5 = 0 then 2000 else 0 end,
            case when o % 50 = 0 then 8000 else 0 end, case when o % 5 = 0 then 'C' || o % 97 end,
            ts, ts
       from (select o, ts, lpad(to_hex((extract(epoch from ts) * 1000)::int8), 12, '0') as ms
               from (select o, date_trunc('milliseconds', now() - ((hashint4(o * 7) & 1048575) / 1048576.0)
                                                            * interval '730 days') as ts
                       from generate_series(1, $2) o) t
              order by ts) g`,
    [shopId, customers * 5, customers],
  );
  await db.query(
    `insert into order_items (shop_id, order_id, line_no, sku, title, category, brand, quantity, unit_price_cents)
     select shop_id, order_id, 1, 'SKU-' || (hashtext(external_id) & 255), 'Item', ($2::text[])[1 + (hashtext(external_id) & 2147483647) % 12],
            case when h % 4 = 0 then 'Label ' || lpad((h / 4 % 256)::text, 3, '0') else ($3::text[])[1 + h / 4 % 12] end,
            1, total_cents
       from (select *, hashtext(external_id || '/brand') & 2147483647 as h from orders where shop_id = $1) o`,
    [shopId, CATEGORIES, BRANDS],
  );
  console.log(`${(customers * 5).toLocaleString('en')} orders and their items: ${seconds(t).toFixed(1)} s`);
  t = performance.now();
  // The planner must know the new rows are there: in a database full of other shops it otherwise plans
  // this shop's join as for none, and takes minutes.
  await db.query('analyze customers, orders');
  await db.query(
    `update customers c set order_count = s.n, online_order_count = s.online, offline_order_count = s.n - s.online,
            spend_cents = s.spend, refunded_cents = s.refunded, first_order_at = s.first_at, last_order_at = s.last_at,
            points_balance = (s.spend / 100)::int
       from (select customer_id, count(*)::int as n, count(*) filter (where channel = 'online')::int as online,
                    sum(total_cents) as spend, sum(refunded_cents) as refunded,
                    min(ordered_at) as first_at, max(ordered_at) as last_at
               from orders where shop_id = $1 group by customer_id) s
      where c.shop_id = $1 and c.customer_id = s.customer_id`,
    [shopId],
  );
  await rebuildPurchaseDays(db, shopId);
  await rebuildLineSales(db, shopId);
  await refreshBought(db, shopId, null);
  // Only the tables written: the whole database may hold other benchmarks' shops, gigabytes of them.
  await db.query(
    'vacuum analyze customers, orders, order_items, purchase_days, purchase_pairs, line_sales, customer_categories, customer_brands, customer_stores',
  );
  await db.query('checkpoint');
  console.log(
    `customer stats, purchase days, sales days, categories, brands and stores, vacuum and checkpoint: ${seconds(t).toFixed(1)} s`,
  );
}
