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

/**
 * The order with `refundedCents` refunded in all, as the ingester takes it, or null when that is what
 * it has already (a request sent again). Refunds only add up, to at most the total, and only on an
 * order that was paid.
 */
export function refundedOrder(order: Order, refundedCents: number): NormalizedOrder | null {
  const status = order.status as OrderStatus;
  if (!isPurchase(status))
    throw new AppError(
      'not_refundable',
      409,
      `The order ${order.externalId} is ${status}, not paid: there is nothing to refund`,
    );
  if (refundedCents > order.totalCents)
    throw AppError.invalid('The refund is larger than the order', [
      {
        field: 'refundedCents',
        message: `at most the order's total, ${formatAmount(order.totalCents, order.currency)} ${order.currency}`,
      },
    ]);
  if (refundedCents < order.refundedCents)
    throw AppError.invalid('Refunds only add up', [
      {
        field: 'refundedCents',
        message: `the order has ${formatAmount(order.refundedCents, order.currency)} ${order.currency} refunded already: give the refunded amount in all`,
      },
    ]);
  if (refundedCents === order.refundedCents) return null;
  return {
    source: order.source,
    externalId: order.externalId,
    channel: order.channel,
    storeId: order.storeId,
    memberCard: order.memberCard,
    status: refundedCents === order.totalCents ? 'refunded' : 'partially_refunded',
    currency: order.currency,
    totalCents: order.totalCents,
    discountCents: order.discountCents,
    shippingCents: order.shippingCents,
    refundedCents,
    couponCode: order.couponCode,
    orderedAt: order.orderedAt,
    paidAt: order.paidAt,
    // A known order keeps its buyer and its lines: the ingester reads neither from a change.
    person: { identities: [], profile: {} },
    items: [],
  };
}

/**
 * Records that the order has `refundedCents` refunded in all: read under the shop's ingest lock, so an
 * update arriving from the order's source meanwhile is never undone by one read before it.
 */
export async function refundOrder(
  db: Db,
  shopId: string,
  orderId: string,
  refundedCents: number,
  origin: string,
): Promise<{ outcome: Outcome; order: Order }> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const order = await findOrder(tx, shopId, { orderId });
    if (!order) throw AppError.notFound('Order');
    const change = refundedOrder(order, refundedCents);
    if (!change) return { outcome: 'unchanged', order };
    const { outcomes } = await ingestOrders(tx, shopId, [change], origin);
    return { outcome: outcomes[0]!, order: (await findOrder(tx, shopId, { orderId }))! };
  });
}
