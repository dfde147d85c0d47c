// What each customer has bought by category (customer_categories, migration 0018) and by brand
// (customer_brands, migration 0059), and where, by store and channel (customer_stores, migration 0020),
// kept in the same transaction as the orders: a new order adds to its buyer's rows; an order whose
// status moved, or a merge, rewrites the buyers' rows from their orders (a cancellation, a full refund or
// a line returned can take a category, a brand or a store away, which no sum can undo). A line returned
// in full was not bought. Segment conditions on categories, brands and stores read them
// (segments/purchased.ts).
import { textArray, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import type { NormalizedOrder } from './input.js';
import { BOUGHT_STATUSES } from './status.js';

/** What a line is kept by (the column of order_items, and of its table), and the table. */
const LINE_TABLES = { category: 'customer_categories', brand: 'customer_brands' } as const;
type LineKey = keyof typeof LINE_TABLES;
const LINE_KEYS = Object.keys(LINE_TABLES) as LineKey[];

// The rows, from `bought`: a relation of bought items with a category or a brand, (customer_id,
// order_id, name, at), or of bought orders with a store, (customer_id, store_id, channel, at). $1 is the
// shop. Whether the items come from the tables (a rebuild) or from the batch in hand (ingestion), a row
// means the same.
const lineRows = (by: LineKey, bought: string) => {
  // A brand row also keeps the brand as the customer last bought it spelled (migration 0060).
  const [column, value] =
    by === 'brand' ? ['spelled, ', '(array_agg(name order by at desc))[1], '] : ['', ''];
  return `
  insert into ${LINE_TABLES[by]} as t (shop_id, customer_id, ${by}, ${column}first_at, last_at, orders)
  select $1, customer_id, lower(name), ${value}min(at), max(at), count(distinct order_id)
    from (${bought}) b
   group by 2, 3`;
};
const storeRows = (bought: string) => `
  insert into customer_stores as t (shop_id, customer_id, store_id, channel, first_at, last_at, orders)
  select $1, customer_id, store_id, channel, min(at), max(at), count(*)
    from (${bought}) b
   group by 2, 3, 4`;

/** A new row adds to the one it meets. */
const ADDED = `do update
  set first_at = least(excluded.first_at, t.first_at),
      last_at = greatest(excluded.last_at, t.last_at),
      orders = t.orders + excluded.orders`;
/** A brand row's spelling is the latest purchase's. */
const SPELLED = `, spelled = case when excluded.last_at >= t.last_at then excluded.spelled else t.spelled end`;

export interface NewOrder {
  customerId: string;
  orderId: string;
  order: Pick<NormalizedOrder, 'status' | 'channel' | 'storeId' | 'orderedAt' | 'items'>;
}

/**
 * Adds newly ingested orders (those not bought are skipped) to their buyers' rows, from the orders as
 * ingestion holds them: reading them back joined the batch's orders to their items, and the planner
 * scanned all the shop's items for it (a tenth of a million-order import).
 */
export async function addBought(tx: Queryable, shopId: string, orders: NewOrder[]): Promise<void> {
  const bought = orders.filter(({ order }) => BOUGHT_STATUSES.includes(order.status));
  const lines = bought.flatMap(({ customerId, orderId, order }) =>
    order.items.flatMap((i) =>
      (i.refundedQuantity ?? 0) >= i.quantity ? [] : [{ customerId, orderId, item: i, at: order.orderedAt }],
    ),
  );
  for (const by of LINE_KEYS) {
    const named = lines.flatMap((l) => {
      const name = l.item[by];
      return name == null ? [] : [{ ...l, name }];
    });
    if (named.length === 0) continue;
    await tx.query(
      `${lineRows(
        by,
        'select * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) as n(customer_id, order_id, name, at)',
      )} on conflict (shop_id, customer_id, ${by}) ${ADDED}${by === 'brand' ? SPELLED : ''}`,
      [
        shopId,
        uuidArray(named.map((l) => l.customerId)),
        uuidArray(named.map((l) => l.orderId)),
        textArray(named.map((l) => l.name)),
        timestamptzArray(named.map((l) => l.at)),
      ],
    );
  }
  const stored = bought.filter(({ order }) => order.storeId !== null);
  if (stored.length > 0) {
    await tx.query(
      `${storeRows(
        'select * from unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) as n(customer_id, store_id, channel, at)',
      )} on conflict (shop_id, customer_id, store_id, channel) ${ADDED}`,
      [
        shopId,
        uuidArray(stored.map((o) => o.customerId)),
        textArray(stored.map((o) => o.order.storeId)),
        textArray(stored.map((o) => o.order.channel)),
        timestamptzArray(stored.map((o) => o.order.orderedAt)),
      ],
    );
  }
}

/**
 * Rewrites the customers' rows from all their orders (none for a customer merged away); with `null`, the
 * whole shop's, after orders were loaded around ingestion (the benchmarks' shops).
 */
export async function refreshBought(
  tx: Queryable,
  shopId: string,
  customerIds: string[] | null,
): Promise<void> {
  if (customerIds?.length === 0) return;
  const ids = customerIds ? [customerIds] : [];
  for (const table of [...Object.values(LINE_TABLES), 'customer_stores']) {
    await tx.query(
      `delete from ${table} where shop_id = $1${customerIds ? ' and customer_id = any($2::uuid[])' : ''}`,
      [shopId, ...ids],
    );
  }
  const where = `o.shop_id = $1 and o.status = any($2::text[])${customerIds ? ' and o.customer_id = any($3::uuid[])' : ''}`;
  const params = [shopId, BOUGHT_STATUSES, ...ids];
  for (const by of LINE_KEYS) {
    await tx.query(
      lineRows(
        by,
        `select o.customer_id, o.order_id, i.${by} as name, o.ordered_at as at
           from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
          where ${where} and i.${by} is not null and i.refunded_quantity < i.quantity`,
      ),
      params,
    );
  }
  await tx.query(
    storeRows(
      `select o.customer_id, o.store_id, o.channel, o.ordered_at as at
         from orders o where ${where} and o.store_id is not null`,
    ),
    params,
  );
}

export interface BoughtCatalog {
  categories: { category: string; buyers: number }[];
  stores: { storeId: string; buyers: number }[];
  brands: { brand: string; buyers: number }[];
}

/**
 * The categories, brands and stores the shop's customers bought, with how many customers each, most
 * first: what the console suggests where one is typed (a segment's condition, a purchase entered by
 * hand), so that a typo does not become a category of its own. Each reads its per-customer rows' index.
 */
export async function boughtCatalog(db: Queryable, shopId: string, limit: number): Promise<BoughtCatalog> {
  const categories = await db.query<{ category: string; buyers: number }>(
    `select category, count(*)::int as buyers from customer_categories where shop_id = $1
      group by category order by buyers desc, category limit $2`,
    [shopId, limit],
  );
  const stores = await db.query<{ storeId: string; buyers: number }>(
    `select store_id as "storeId", count(distinct customer_id)::int as buyers from customer_stores
      where shop_id = $1 group by store_id order by buyers desc, store_id limit $2`,
    [shopId, limit],
  );
  return { categories, stores, brands: await boughtBrands(db, shopId, limit) };
}

/**
 * The brands the shop's customers bought, with how many customers each, most first: counted from their
 * brand rows, which compare names lowercased, each spelled as most of its 50 latest buyers last bought
 * it (all of them would sort every row: 0.6 s more at a million lines).
 */
function boughtBrands(db: Queryable, shopId: string, limit: number): Promise<BoughtCatalog['brands']> {
  return db.query<BoughtCatalog['brands'][number]>(
    `select s.brand, b.buyers
       from (select brand as name, count(*)::int as buyers from customer_brands where shop_id = $1
              group by brand order by buyers desc, brand limit $2) b
       cross join lateral (
         select mode() within group (order by spelled) as brand
           from (select spelled from customer_brands
                  where shop_id = $1 and brand = b.name order by last_at desc limit 50) latest) s
      order by b.buyers desc, b.name`,
    [shopId, limit],
  );
}
