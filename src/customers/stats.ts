// The trading stats kept on the customer row, which segments read all the time. Orders change them in
// the same transaction as the order: incrementally for a new order, by recomputation when an order's
// status or refund changes (or two profiles merge).
import type { Queryable } from '../db/db.js';

export interface StatsDelta {
  customerId: string;
  orders: number;
  onlineOrders: number;
  offlineOrders: number;
  spendCents: number;
  refundedCents: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
}

export type CustomerStats = StatsDelta;

export async function addToStats(tx: Queryable, shopId: string, deltas: StatsDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await tx.query(
    `update customers c set
        order_count = c.order_count + d.orders,
        online_order_count = c.online_order_count + d.online,
        offline_order_count = c.offline_order_count + d.offline,
        spend_cents = c.spend_cents + d.spend,
        refunded_cents = c.refunded_cents + d.refunded,
        first_order_at = least(c.first_order_at, d.first_at),
        last_order_at = greatest(c.last_order_at, d.last_at),
        updated_at = now()
       from unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int8[], $7::int8[], $8::timestamptz[], $9::timestamptz[])
         as d(customer_id, orders, online, offline, spend, refunded, first_at, last_at)
      where c.shop_id = $1 and c.customer_id = d.customer_id`,
    statsParams(shopId, deltas),
  );
}

/** Overwrites the stats with values computed afresh from the orders. */
export async function setStats(tx: Queryable, shopId: string, stats: CustomerStats[]): Promise<void> {
  if (stats.length === 0) return;
  await tx.query(
    `update customers c set
        order_count = d.orders, online_order_count = d.online, offline_order_count = d.offline,
        spend_cents = d.spend, refunded_cents = d.refunded, first_order_at = d.first_at, last_order_at = d.last_at,
        updated_at = now()
       from unnest($2::uuid[], $3::int[], $4::int[], $5::int[], $6::int8[], $7::int8[], $8::timestamptz[], $9::timestamptz[])
         as d(customer_id, orders, online, offline, spend, refunded, first_at, last_at)
      where c.shop_id = $1 and c.customer_id = d.customer_id`,
    statsParams(shopId, stats),
  );
}

function statsParams(shopId: string, rows: StatsDelta[]): unknown[] {
  return [
    shopId,
    rows.map((d) => d.customerId),
    rows.map((d) => d.orders),
    rows.map((d) => d.onlineOrders),
    rows.map((d) => d.offlineOrders),
    rows.map((d) => d.spendCents),
    rows.map((d) => d.refundedCents),
    rows.map((d) => d.firstOrderAt?.toISOString() ?? null),
    rows.map((d) => d.lastOrderAt?.toISOString() ?? null),
  ];
}
