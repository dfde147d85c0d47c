// A customer's buying habits, read from what they bought: the categories, brands and products they come
// back for, the stores they walk into, how much a discount moves them (price sensitivity), what an order of
// theirs is worth, and the day and part of the day they usually buy — what staff look at before a call and what a
// care message's timing and offer are chosen by. Only purchases kept count (BOUGHT_STATUSES): an order
// cancelled or wholly refunded says nothing of what they like, and returned units are left out.
import type { Queryable } from '../db/db.js';
import { BOUGHT_STATUSES } from './status.js';

/** What a customer spent on a category or a brand: in how many orders and units, how much, and when last. */
interface Spending {
  orders: number;
  units: number;
  spendCents: number;
  lastAt: Date;
}

export interface BuyingHabits {
  /** Purchases kept, and their average net value (after refunds). */
  purchases: number;
  averageOrderCents: number | null;
  /** Purchases with a discount or a coupon, and how deep those discounts went on average (0–1). */
  discounted: number;
  averageDiscount: number | null;
  /**
   * The day of the week (1 Monday … 7 Sunday) and the part of the day they usually buy in, in the shop's
   * time zone; null where no one day or part stands out (`usual`).
   */
  usualWeekday: number | null;
  usualDaypart: Daypart | null;
  /**
   * The categories and brands they spend most on, the products they buy most of, and the stores they buy
   * in most.
   */
  categories: (Spending & { category: string })[];
  brands: (Spending & { brand: string })[];
  products: { title: string; orders: number; units: number; lastAt: Date }[];
  stores: { storeId: string; orders: number; lastAt: Date }[];
}

const TOP = 5;

/** Parts of the day by the hour they start: what a send time is chosen by, rather than one hour. */
export const DAYPARTS = ['night', 'morning', 'afternoon', 'evening'] as const;
export type Daypart = (typeof DAYPARTS)[number];
const daypartSql = (hour: string) =>
  `(case when ${hour} < 6 then 'night' when ${hour} < 12 then 'morning' when ${hour} < 18 then 'afternoon' else 'evening' end)`;

/**
 * The value most purchases share, if it is a habit: at least two purchases and two in five of them,
 * and more than any other value has. A customer who bought once, or on a different day each time, has none.
 */
export function usual<T>(counts: { value: T; purchases: number }[], total: number): T | null {
  const [top, next] = [...counts].sort((a, b) => b.purchases - a.purchases);
  if (!top || top.purchases < 2 || top.purchases * 5 < total * 2) return null;
  return next && next.purchases === top.purchases ? null : top.value;
}

export async function buyingHabits(
  db: Queryable,
  shopId: string,
  customerId: string,
  timeZone: string,
): Promise<BuyingHabits> {
  const params = [shopId, customerId, BOUGHT_STATUSES];
  const bought = 'o.shop_id = $1 and o.customer_id = $2 and o.status = any($3::text[])';
  // Discount depth against the price before it: what the buyer was offered, not what they paid.
  const [summary] = await db.query<
    Pick<BuyingHabits, 'purchases' | 'averageOrderCents' | 'discounted' | 'averageDiscount'>
  >(
    `select count(*)::int as purchases,
            round(avg(o.total_cents - o.refunded_cents))::int8 as "averageOrderCents",
            count(*) filter (where o.discount_cents > 0 or o.coupon_code is not null)::int as discounted,
            avg(o.discount_cents::float8 / (o.total_cents + o.discount_cents))
              filter (where o.discount_cents > 0) as "averageDiscount"
       from orders o where ${bought}`,
    params,
  );
  const when = await db.query<{ weekday: number; daypart: Daypart; purchases: number }>(
    `select extract(isodow from local)::int as weekday,
            ${daypartSql('extract(hour from local)')} as daypart, count(*)::int as purchases
       from (select o.ordered_at at time zone $4 as local from orders o where ${bought}) o
      group by 1, 2`,
    [...params, timeZone],
  );
  const tally = <K extends 'weekday' | 'daypart'>(key: K) => {
    const counts = new Map<(typeof when)[number][K], number>();
    for (const w of when) counts.set(w[key], (counts.get(w[key]) ?? 0) + w.purchases);
    return usual(
      [...counts].map(([value, purchases]) => ({ value, purchases })),
      summary!.purchases,
    );
  };
  const kept = '(i.quantity - i.refunded_quantity)';
  const categories = await db.query<BuyingHabits['categories'][number]>(
    `select lower(i.category) as category, count(distinct o.order_id)::int as orders,
            sum(${kept})::int as units, sum(${kept} * i.unit_price_cents)::int8 as "spendCents",
            max(o.ordered_at) as "lastAt"
       from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
      where ${bought} and i.category is not null and ${kept} > 0
      group by 1 order by "spendCents" desc, "lastAt" desc limit ${TOP}`,
    params,
  );
  // Brands as the sources spell them, one whatever the case: named by the spelling last bought.
  const brands = await db.query<BuyingHabits['brands'][number]>(
    `select (array_agg(i.brand order by o.ordered_at desc))[1] as brand, count(distinct o.order_id)::int as orders,
            sum(${kept})::int as units, sum(${kept} * i.unit_price_cents)::int8 as "spendCents",
            max(o.ordered_at) as "lastAt"
       from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
      where ${bought} and i.brand is not null and ${kept} > 0
      group by lower(i.brand) order by "spendCents" desc, "lastAt" desc limit ${TOP}`,
    params,
  );
  // A product is its SKU where the source gives one, else its product id, else its title; it is named
  // by the title it was last bought under.
  const products = await db.query<BuyingHabits['products'][number]>(
    `select (array_agg(i.title order by o.ordered_at desc))[1] as title, count(distinct o.order_id)::int as orders,
            sum(${kept})::int as units, max(o.ordered_at) as "lastAt"
       from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
      where ${bought} and ${kept} > 0
      group by coalesce('sku:' || i.sku, 'product:' || i.product_id, 'title:' || i.title)
      order by units desc, "lastAt" desc limit ${TOP}`,
    params,
  );
  const stores = await db.query<BuyingHabits['stores'][number]>(
    `select o.store_id as "storeId", count(*)::int as orders, max(o.ordered_at) as "lastAt"
       from orders o where ${bought} and o.channel = 'offline' and o.store_id is not null
      group by o.store_id order by orders desc, "lastAt" desc limit ${TOP}`,
    params,
  );
  return {
    ...summary!,
    usualWeekday: tally('weekday'),
    usualDaypart: tally('daypart'),
    categories,
    brands,
    products,
    stores,
  };
}

/**
 * The category and the brand each customer spends most on, as their habits list them first, for a batch
 * of message recipients at once ('' where their purchases name none): what a care message calls
 * "your favourite".
 */
export async function favourites(
  db: Queryable,
  shopId: string,
  customerIds: string[],
): Promise<Map<string, { category: string; brand: string }>> {
  const rows = await db.query<{ customerId: string; kind: 'category' | 'brand'; shown: string }>(
    `select distinct on (customer_id, kind) customer_id as "customerId", kind, shown
       from (select o.customer_id, k.kind, (array_agg(k.shown order by o.ordered_at desc))[1] as shown,
                    sum((i.quantity - i.refunded_quantity) * i.unit_price_cents) as spend, max(o.ordered_at) as last_at
               from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
              cross join lateral (values ('category', lower(i.category), lower(i.category)),
                                         ('brand', lower(i.brand), i.brand)) as k(kind, key, shown)
              where o.shop_id = $1 and o.customer_id = any($2::uuid[]) and o.status = any($3::text[])
                and k.key is not null and i.quantity > i.refunded_quantity
              group by o.customer_id, k.kind, k.key) t
      order by customer_id, kind, spend desc, last_at desc`,
    [shopId, customerIds, BOUGHT_STATUSES],
  );
  const out = new Map<string, { category: string; brand: string }>();
  for (const r of rows) {
    const f = out.get(r.customerId) ?? { category: '', brand: '' };
    f[r.kind] = r.shown;
    out.set(r.customerId, f);
  }
  return out;
}
