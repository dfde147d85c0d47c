// What each customer has bought by category (customer_categories, migration 0018), kept in the same
// transaction as the orders: a new order adds its categories to its buyer's rows; an order whose status
// moved, or a merge, rewrites the buyer's rows from their orders (a cancellation or a full refund can
// take a category away, which no sum can undo). Segment conditions on categories read it
// (segments/compile.ts).
import type { Queryable } from '../db/db.js';
import { BOUGHT_STATUSES } from './status.js';

/** The categories of bought orders, per buyer, from the orders matching `where` (parameters $1 shop, $2 ids, $3 statuses). */
const fromOrders = (where: string) => `
  select o.shop_id, o.customer_id, lower(i.category), min(o.ordered_at), max(o.ordered_at), count(distinct o.order_id)
    from orders o
    join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
   where o.shop_id = $1 and ${where} and o.status = any($3::text[]) and i.category is not null
   group by 1, 2, 3`;

/** Adds newly ingested orders (those not bought are skipped) to their buyers' categories. */
export async function addBoughtCategories(tx: Queryable, shopId: string, orderIds: string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await tx.query(
    `insert into customer_categories (shop_id, customer_id, category, first_at, last_at, orders)
     ${fromOrders('o.order_id = any($2::uuid[])')}
     on conflict (shop_id, customer_id, category) do update
       set first_at = least(customer_categories.first_at, excluded.first_at),
           last_at = greatest(customer_categories.last_at, excluded.last_at),
           orders = customer_categories.orders + excluded.orders`,
    [shopId, orderIds, BOUGHT_STATUSES],
  );
}

/** Rewrites the customers' categories from all their orders (none for a customer merged away). */
export async function refreshBoughtCategories(
  tx: Queryable,
  shopId: string,
  customerIds: string[],
): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.query('delete from customer_categories where shop_id = $1 and customer_id = any($2::uuid[])', [
    shopId,
    customerIds,
  ]);
  await tx.query(
    `insert into customer_categories (shop_id, customer_id, category, first_at, last_at, orders)
     ${fromOrders('o.customer_id = any($2::uuid[])')}`,
    [shopId, customerIds, BOUGHT_STATUSES],
  );
}
