// A refund recorded against a known order — a return at the counter, a refund staff made by hand —
// rather than the order arriving again from its source with its new status. It becomes the same change
// an integration would send (the order with its new refunded amount and status), so the points it
// earned are taken back in proportion, and stats, rollups and tags follow, by the one ingestion path.
import type { Db } from '../db/db.js';
import { lockShopIngest } from '../customers/resolve.js';
import { AppError } from '../errors.js';
import type { NormalizedOrder } from './input.js';
import { ingestOrders, type Outcome } from './ingest.js';
import { formatAmount } from './money.js';
import { findOrder, type Order } from './orders.js';
import { isPurchase, type OrderStatus } from './status.js';

/** A refund as staff state it: the amount refunded in all, the units of each line returned in all, or both. */
export interface RefundRequest {
  refundedCents?: number;
  lines?: { lineNo: number; refundedQuantity: number }[];
}

/**
 * The order as the ingester takes it after `request`, or null when that is what it has already (a
 * request sent again). Refunds and returns only add up — an amount to at most the total, a line's units
 * to at most those bought — and only on an order that was paid. Lines returned without an amount are
 * refunded what they were paid: their price, less their share of the order's discount (the total less
 * shipping, spread over the lines' prices).
 */
export function refundedOrder(order: Order, request: RefundRequest): NormalizedOrder | null {
  const status = order.status as OrderStatus;
  if (!isPurchase(status))
    throw new AppError(
      'not_refundable',
      409,
      `The order ${order.externalId} is ${status}, not paid: there is nothing to refund`,
    );
  const returned = returnedLines(order, request.lines ?? []);
  const refundedCents = request.refundedCents ?? order.refundedCents + worth(order, returned);
  const money = (cents: number) => `${formatAmount(cents, order.currency)} ${order.currency}`;
  if (refundedCents > order.totalCents)
    throw AppError.invalid('The refund is larger than the order', [
      { field: 'refundedCents', message: `at most the order's total, ${money(order.totalCents)}` },
    ]);
  if (refundedCents < order.refundedCents)
    throw AppError.invalid('Refunds only add up', [
      {
        field: 'refundedCents',
        message: `the order has ${money(order.refundedCents)} refunded already: give the refunded amount in all`,
      },
    ]);
  if (refundedCents === order.refundedCents && returned.size === 0) return null;
  // All of the money back is a refund of the order; of a free order, only every unit back is.
  const whole =
    refundedCents === order.totalCents &&
    (order.totalCents > 0 ||
      order.items.every((i) => (returned.get(i.lineNo) ?? i.refundedQuantity) >= i.quantity));
  return {
    source: order.source,
    externalId: order.externalId,
    channel: order.channel,
    storeId: order.storeId,
    memberCard: order.memberCard,
    // Free lines returned refund nothing: the order stays as paid as it was.
    status: whole ? 'refunded' : refundedCents > 0 ? 'partially_refunded' : status,
    currency: order.currency,
    totalCents: order.totalCents,
    discountCents: order.discountCents,
    shippingCents: order.shippingCents,
    refundedCents,
    couponCode: order.couponCode,
    orderedAt: order.orderedAt,
    paidAt: order.paidAt,
    // A known order keeps its buyer; of its lines, as stored, the ingester reads the units returned.
    person: { identities: [], profile: {} },
    items: order.items.map((i) => ({
      title: i.title,
      quantity: i.quantity,
      unitPriceCents: i.unitPriceCents,
      refundedQuantity: returned.get(i.lineNo) ?? i.refundedQuantity,
    })),
  };
}

/** The lines whose units returned `lines` raises, with their new count: only those that moved. */
function returnedLines(order: Order, lines: NonNullable<RefundRequest['lines']>): Map<number, number> {
  const moved = new Map<number, number>();
  const problems = lines.flatMap(({ lineNo, refundedQuantity }, n) => {
    const line = order.items.find((i) => i.lineNo === lineNo);
    if (!line) return [{ field: `lines.${n}.lineNo`, message: `the order has no line ${lineNo}` }];
    if (lines.findIndex((l) => l.lineNo === lineNo) !== n)
      return [{ field: `lines.${n}.lineNo`, message: `line ${lineNo} is named twice` }];
    if (refundedQuantity > line.quantity)
      return [
        {
          field: `lines.${n}.refundedQuantity`,
          message: `at most the ${line.quantity} bought of ${line.title}`,
        },
      ];
    if (refundedQuantity < line.refundedQuantity)
      return [
        {
          field: `lines.${n}.refundedQuantity`,
          message: `${line.refundedQuantity} of ${line.title} returned already: give the units returned in all`,
        },
      ];
    if (refundedQuantity > line.refundedQuantity) moved.set(lineNo, refundedQuantity);
    return [];
  });
  if (problems.length > 0) throw AppError.invalid('Returns only add up, to the units bought', problems);
  return moved;
}

/** What the newly returned units were paid: their prices' share of the total less shipping. */
function worth(order: Order, returned: Map<number, number>): number {
  const prices = order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
  if (prices === 0 || returned.size === 0) return 0;
  const back = order.items.reduce(
    (sum, i) =>
      sum + ((returned.get(i.lineNo) ?? i.refundedQuantity) - i.refundedQuantity) * i.unitPriceCents,
    0,
  );
  const paid = BigInt(Math.max(0, order.totalCents - order.shippingCents));
  // Exact whole-number arithmetic, half up: amounts of a large order times each other pass 2^53.
  const share = Number((2n * BigInt(back) * paid + BigInt(prices)) / (2n * BigInt(prices)));
  return Math.min(share, order.totalCents - order.refundedCents);
}

/**
 * Records a refund or a return of a known order: read under the shop's ingest lock, so an
 * update arriving from the order's source meanwhile is never undone by one read before it.
 */
export async function refundOrder(
  db: Db,
  shopId: string,
  orderId: string,
  request: RefundRequest,
  origin: string,
): Promise<{ outcome: Outcome; order: Order }> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const order = await findOrder(tx, shopId, { orderId });
    if (!order) throw AppError.notFound('Order');
    const change = refundedOrder(order, request);
    if (!change) return { outcome: 'unchanged', order };
    const { outcomes } = await ingestOrders(tx, shopId, [change], origin);
    return { outcome: outcomes[0]!, order: (await findOrder(tx, shopId, { orderId }))! };
  });
}
