// Reading orders, and the order-side halves of customer upkeep: moving orders on a merge and
// recomputing a customer's stats from the orders themselves.
import type { Queryable } from '../db/db.js';
import { setStats, type CustomerStats } from '../customers/stats.js';
import { memberYearClock } from '../membership/year.js';
import { PURCHASE_SQL } from './status.js';

export interface OrderItem {
  lineNo: number;
  productId: string | null;
  sku: string | null;
  title: string;
  category: string | null;
  brand: string | null;
  quantity: number;
  unitPriceCents: number;
  /** Units returned (migration 0042). */
  refundedQuantity: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  source: string;
  externalId: string;
  channel: 'online' | 'offline';
  storeId: string | null;
  memberCard: string | null;
  status: string;
  currency: string;
  totalCents: number;
  discountCents: number;
  shippingCents: number;
  refundedCents: number;
  couponCode: string | null;
  orderedAt: Date;
  paidAt: Date | null;
  items: OrderItem[];
}

const orderColumns = `o.order_id as "orderId", o.customer_id as "customerId", o.source, o.external_id as "externalId",
  o.channel, o.store_id as "storeId", o.member_card as "memberCard", o.status, o.currency,
  o.total_cents as "totalCents", o.discount_cents as "discountCents", o.shipping_cents as "shippingCents",
  o.refunded_cents as "refundedCents", o.coupon_code as "couponCode", o.ordered_at as "orderedAt", o.paid_at as "paidAt",
  coalesce((select json_agg(json_build_object('lineNo', i.line_no, 'productId', i.product_id, 'sku', i.sku,
      'title', i.title, 'category', i.category, 'brand', i.brand, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents,
      'refundedQuantity', i.refunded_quantity)
      order by i.line_no) from order_items i where i.shop_id = o.shop_id and i.order_id = o.order_id), '[]') as items`;

export async function listCustomerOrders(
  db: Queryable,
  shopId: string,
  customerId: string,
  options: { limit: number; offset: number },
): Promise<Order[]> {
  return db.query<Order>(
    `select ${orderColumns} from orders o where o.shop_id = $1 and o.customer_id = $2
      order by o.ordered_at desc, o.order_id desc limit $3 offset $4`,
    [shopId, customerId, options.limit, options.offset],
  );
}

export async function findOrder(
  db: Queryable,
  shopId: string,
  by: { orderId: string } | { source: string; externalId: string },
): Promise<Order | null> {
  const [row] =
    'orderId' in by
      ? await db.query<Order>(
          `select ${orderColumns} from orders o where o.shop_id = $1 and o.order_id = $2`,
          [shopId, by.orderId],
        )
      : await db.query<Order>(
          `select ${orderColumns} from orders o where o.shop_id = $1 and o.source = $2 and o.external_id = $3`,
          [shopId, by.source, by.externalId],
        );
  return row ?? null;
}

export async function reassignOrders(
  tx: Queryable,
  shopId: string,
  fromIds: string[],
  toId: string,
): Promise<void> {
  await tx.query('update orders set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])', [
    shopId,
    toId,
    fromIds,
  ]);
}

export async function recomputeCustomerStats(
  tx: Queryable,
  shopId: string,
  customerIds: string[],
): Promise<void> {
  if (customerIds.length === 0) return;
  // With no member year kept ($3 null) its figures stay zero.
  const stats = await tx.query<CustomerStats>(
    `select c.id as "customerId",
            count(o.order_id)::int as orders,
            count(o.order_id) filter (where o.channel = 'online')::int as "onlineOrders",
            count(o.order_id) filter (where o.channel = 'offline')::int as "offlineOrders",
            coalesce(sum(o.total_cents), 0)::int8 as "spendCents",
            coalesce(sum(o.refunded_cents), 0)::int8 as "refundedCents",
            min(o.ordered_at) as "firstOrderAt", max(o.ordered_at) as "lastOrderAt",
            count(o.order_id) filter (where o.ordered_at >= $3::timestamptz)::int as "yearOrders",
            coalesce(sum(o.total_cents - o.refunded_cents) filter (where o.ordered_at >= $3::timestamptz), 0)::int8
              as "yearSpendCents"
       from unnest($2::uuid[]) as c(id)
       left join orders o on o.shop_id = $1 and o.customer_id = c.id and o.${PURCHASE_SQL}
      group by c.id`,
    [shopId, customerIds, (await memberYearClock(tx, shopId)).yearFrom?.toISOString() ?? null],
  );
  await setStats(tx, shopId, stats);
}
