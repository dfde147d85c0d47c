// The trading stats kept on the customer row, which segments read all the time. Orders change them in
// the same transaction as the order: incrementally for a new order, by recomputation when an order's
// status or refund changes (or two profiles merge).
import { int4Array, int8Array, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';

/** What orders add to a customer's stats: one new order, a batch's orders, or all of them. */
export interface StatsContribution {
  orders: number;
  onlineOrders: number;
  offlineOrders: number;
  spendCents: number;
  refundedCents: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  /**
   * Purchases and net spend (after refunds) since the member year's start, when membership keeps one
   * (membership/year.ts): what a rolling 12-month tier program grades by.
   */
  yearOrders: number;
  yearSpendCents: number;
}

export interface StatsDelta extends StatsContribution {
  customerId: string;
}

export type CustomerStats = StatsDelta;

export function noContribution(): StatsContribution {
  return {
    orders: 0,
    onlineOrders: 0,
    offlineOrders: 0,
    spendCents: 0,
    refundedCents: 0,
    firstOrderAt: null,
    lastOrderAt: null,
    yearOrders: 0,
    yearSpendCents: 0,
  };
}

/** Adds `c` into `sum`, in place. */
export function addContribution(sum: StatsContribution, c: StatsContribution): void {
  sum.orders += c.orders;
  sum.onlineOrders += c.onlineOrders;
  sum.offlineOrders += c.offlineOrders;
  sum.spendCents += c.spendCents;
  sum.refundedCents += c.refundedCents;
  sum.yearOrders += c.yearOrders;
  sum.yearSpendCents += c.yearSpendCents;
  if (c.firstOrderAt && (!sum.firstOrderAt || c.firstOrderAt < sum.firstOrderAt))
    sum.firstOrderAt = c.firstOrderAt;
  if (c.lastOrderAt && (!sum.lastOrderAt || c.lastOrderAt > sum.lastOrderAt)) sum.lastOrderAt = c.lastOrderAt;
}

/** The stats columns, the array types they travel in, and the arrays for a set of rows, in one order. */
export const STATS_COLUMNS =
  'order_count, online_order_count, offline_order_count, spend_cents, refunded_cents, first_order_at, last_order_at, year_order_count, year_spend_cents';
export const STATS_ARRAY_TYPES = [
  'int[]',
  'int[]',
  'int[]',
  'int8[]',
  'int8[]',
  'timestamptz[]',
  'timestamptz[]',
  'int[]',
  'int8[]',
];

export function statsArrays(rows: StatsContribution[]): Buffer[] {
  return [
    int4Array(rows.map((d) => d.orders)),
    int4Array(rows.map((d) => d.onlineOrders)),
    int4Array(rows.map((d) => d.offlineOrders)),
    int8Array(rows.map((d) => d.spendCents)),
    int8Array(rows.map((d) => d.refundedCents)),
    timestamptzArray(rows.map((d) => d.firstOrderAt)),
    timestamptzArray(rows.map((d) => d.lastOrderAt)),
    int4Array(rows.map((d) => d.yearOrders)),
    int8Array(rows.map((d) => d.yearSpendCents)),
  ];
}

const STATS_UNNEST = `unnest($2::uuid[], ${STATS_ARRAY_TYPES.map((t, i) => `$${i + 3}::${t}`).join(', ')})
         as d(customer_id, orders, online, offline, spend, refunded, first_at, last_at, year_orders, year_spend)`;

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
        year_order_count = c.year_order_count + d.year_orders,
        year_spend_cents = c.year_spend_cents + d.year_spend,
        updated_at = now()
       from ${STATS_UNNEST}
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
        year_order_count = d.year_orders, year_spend_cents = d.year_spend, updated_at = now()
       from ${STATS_UNNEST}
      where c.shop_id = $1 and c.customer_id = d.customer_id`,
    statsParams(shopId, stats),
  );
}

function statsParams(shopId: string, rows: StatsDelta[]): unknown[] {
  return [shopId, uuidArray(rows.map((d) => d.customerId)), ...statsArrays(rows)];
}
