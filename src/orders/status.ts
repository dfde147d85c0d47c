// Order statuses and what counts as a purchase. A pending (unpaid) or cancelled order is no purchase;
// a refunded one was a purchase that was given back: it counts in order_count and spend, and its
// refund in refunded_cents, so net spend = spend - refunds and refund rates stay measurable.
export const ORDER_STATUSES = [
  'pending',
  'paid',
  'shipped',
  'completed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PURCHASE_STATUSES: readonly OrderStatus[] = [
  'paid',
  'shipped',
  'completed',
  'refunded',
  'partially_refunded',
];

export function isPurchase(status: OrderStatus): boolean {
  return PURCHASE_STATUSES.includes(status);
}

/** Purchases not wholly given back: what "bought" means in segment conditions and rule tags. */
export const BOUGHT_STATUSES: readonly OrderStatus[] = PURCHASE_STATUSES.filter((s) => s !== 'refunded');

/** The same rule in SQL, for the aggregates that recompute stats from the orders table. */
export const PURCHASE_SQL = `status in (${PURCHASE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
