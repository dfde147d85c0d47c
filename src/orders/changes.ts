// Orders sent again: which of a batch are stored already, which of those moved on (status, payment, an
// order-level or a line refund), and writing the move. Ingestion (ingest.ts) calls these under the
// shop's ingest lock, so what is stored when it looks is what is stored when it writes.
import { moveLineSales } from '../analytics/lineRollup.js';
import { textArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import type { NewEvent } from '../customers/timeline.js';
import { groupBy } from './grouped.js';
import type { NormalizedOrder } from './input.js';
import { lineReturns, type LineReturn } from './returns.js';
import type { OrderStatus } from './status.js';

/** What ingestion needs of an order already stored. */
export interface StoredOrder {
  orderId: string;
  customerId: string;
  source: string;
  externalId: string;
  status: OrderStatus;
  refundedCents: number;
  paidAt: Date | null;
  orderedAt: Date;
}

/** A stored order (`e`) sent again (`o`, the batch's `n`th) that moved on. */
export interface OrderMove {
  n: number;
  o: NormalizedOrder;
  e: StoredOrder;
  returns: LineReturn[];
}

export const orderKey = (source: string, externalId: string) => `${source}\t${externalId}`;

/** The batch's orders already stored, by `orderKey`. */
export async function storedOrders(
  tx: Queryable,
  shopId: string,
  orders: NormalizedOrder[],
): Promise<Map<string, StoredOrder>> {
  const stored = new Map<string, StoredOrder>();
  for (const [source, externalIds] of groupBy(
    orders,
    (o) => o.source,
    (o) => o.externalId,
  )) {
    // One index scan per source with an array of keys: a batch usually has a single source.
    for (const e of await tx.query<StoredOrder>(
      `select order_id as "orderId", customer_id as "customerId", source, external_id as "externalId",
              status, refunded_cents as "refundedCents", paid_at as "paidAt",
              ordered_at as "orderedAt"
         from orders where shop_id = $1 and source = $2 and external_id = any($3::text[])`,
      [shopId, source, textArray(externalIds)],
    )) {
      stored.set(orderKey(e.source, e.externalId), e);
    }
  }
  return stored;
}

/**
 * The stored orders sent again whose status, refund or payment time differ from what is stored, or that
 * say a line's returned units otherwise. `stored` is the stored order of each of `orders`, if any.
 */
export async function movesOf(
  tx: Queryable,
  shopId: string,
  orders: NormalizedOrder[],
  stored: (StoredOrder | undefined)[],
): Promise<OrderMove[]> {
  const returns = await lineReturns(
    tx,
    shopId,
    orders.flatMap((o, n) => {
      const e = stored[n];
      return e && o.items.some((i) => i.refundedQuantity !== undefined) ? [{ o, e }] : [];
    }),
  );
  return orders.flatMap((o, n) => {
    const e = stored[n];
    if (!e) return [];
    const lines = returns.get(e.orderId) ?? [];
    const same =
      o.status === e.status &&
      o.refundedCents === e.refundedCents &&
      (o.paidAt?.getTime() ?? null) === (e.paidAt?.getTime() ?? null) &&
      lines.length === 0;
    return same ? [] : [{ n, o, e, returns: lines }];
  });
}

/**
 * Whether a move changes what the order's lines count: a status moved (a cancellation, a full refund) or
 * a line was returned or kept after all. A new payment time or an order-level refund alone changes no line.
 */
export const relines = ({ o, e, returns }: OrderMove) => o.status !== e.status || returns.length > 0;

/** The buyer's timeline entry for a move. */
export function moveEvent({ o, e, returns }: OrderMove, origin: string, at: Date): NewEvent {
  return {
    customerId: e.customerId,
    type: 'order.updated',
    occurredAt: at,
    source: origin,
    data: {
      orderId: e.orderId,
      externalId: o.externalId,
      from: { status: e.status, refundedCents: e.refundedCents },
      to: { status: o.status, refundedCents: o.refundedCents },
      ...(returns.length > 0 && { returns }),
    },
  };
}

/**
 * Writes the moves to the orders and their lines. Sales by line move by what the relined orders' lines
 * counted before and count after: taken off first, put back once the rows say what they count now.
 */
export async function writeMoves(tx: Queryable, shopId: string, moves: OrderMove[]): Promise<void> {
  if (moves.length === 0) return;
  const relinedIds = moves.filter(relines).map(({ e }) => e.orderId);
  await moveLineSales(tx, shopId, relinedIds, -1);
  const returned = moves.flatMap(({ e, returns }) => returns.map((r) => ({ orderId: e.orderId, ...r })));
  if (returned.length > 0) {
    await tx.query(
      `update order_items i set refunded_quantity = u.refunded
         from unnest($2::uuid[], $3::int[], $4::int[]) as u(order_id, line_no, refunded)
        where i.shop_id = $1 and i.order_id = u.order_id and i.line_no = u.line_no`,
      [shopId, returned.map((r) => r.orderId), returned.map((r) => r.lineNo), returned.map((r) => r.to)],
    );
  }
  await tx.query(
    `update orders o set status = u.status, refunded_cents = u.refunded, paid_at = u.paid_at, updated_at = now()
       from unnest($2::uuid[], $3::text[], $4::int8[], $5::timestamptz[]) as u(order_id, status, refunded, paid_at)
      where o.shop_id = $1 and o.order_id = u.order_id`,
    [
      shopId,
      moves.map((m) => m.e.orderId),
      moves.map((m) => m.o.status),
      moves.map((m) => m.o.refundedCents),
      moves.map((m) => m.o.paidAt?.toISOString() ?? null),
    ],
  );
  await moveLineSales(tx, shopId, relinedIds, 1);
}
