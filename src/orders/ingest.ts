// Order ingestion, the one path every order takes (API, webhook, import, demo). Idempotent by
// (shop, source, external id): a replayed order changes nothing, a re-sent order whose status, payment
// or refund moved on is updated, and the customer's stats and purchase days follow in the same transaction.
import { addLineSales } from '../analytics/lineRollup.js';
import { refreshPurchaseDays } from '../analytics/rollup.js';
import type { Queryable } from '../db/db.js';
import { lockShopIngest, resolvePeople } from '../customers/resolve.js';
import { addContribution, addToStats, type StatsContribution, type StatsDelta } from '../customers/stats.js';
import { recordEvents } from '../customers/timeline.js';
import { redeemCoupons } from '../engage/couponCodes.js';
import { AppError } from '../errors.js';
import { applyOrdersToMembership, type OrderChange } from '../membership/purchases.js';
import { memberYearClock } from '../membership/year.js';
import { applyRuleTags } from '../tags/rules.js';
import type { NormalizedOrder } from './input.js';
import { newOrderId } from './ids.js';
import { recomputeCustomerStats } from './orders.js';
import { addBought, refreshBought } from './bought.js';
import { movesOf, moveEvent, orderKey, relines, storedOrders, writeMoves } from './changes.js';
import { insertItems, insertOrders } from './insert.js';
import { isPurchase, type OrderStatus } from './status.js';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface IngestResult {
  orderIds: string[];
  customerIds: string[];
  outcomes: Outcome[];
  created: number;
  updated: number;
  unchanged: number;
  customersCreated: number;
  customersUpdated: number;
}

/** What a new order adds to its buyer's stats; to the member year's too if placed since `yearFrom`. */
function contribution(o: NormalizedOrder, yearFrom: Date | null): StatsContribution {
  const counts = isPurchase(o.status);
  const inYear = counts && yearFrom !== null && o.orderedAt >= yearFrom;
  return {
    orders: counts ? 1 : 0,
    onlineOrders: counts && o.channel === 'online' ? 1 : 0,
    offlineOrders: counts && o.channel === 'offline' ? 1 : 0,
    spendCents: counts ? o.totalCents : 0,
    refundedCents: counts ? o.refundedCents : 0,
    firstOrderAt: counts ? o.orderedAt : null,
    lastOrderAt: counts ? o.orderedAt : null,
    yearOrders: inYear ? 1 : 0,
    yearSpendCents: inYear ? o.totalCents - o.refundedCents : 0,
  };
}

/** Ingests a batch of orders inside the caller's transaction. `origin` labels the timeline events. */
export async function ingestOrders(
  tx: Queryable,
  shopId: string,
  orders: NormalizedOrder[],
  origin: string,
  at = new Date(),
): Promise<IngestResult> {
  const keys = orders.map((o) => orderKey(o.source, o.externalId));
  if (new Set(keys).size !== keys.length) {
    throw AppError.invalid('The same order appears twice in one batch');
  }
  // Under the shop's ingest lock, what exists now is what exists at insert time.
  await lockShopIngest(tx, shopId);
  const existing = await storedOrders(tx, shopId, orders);

  const outcomes: Outcome[] = orders.map((_, n) => (existing.has(keys[n]!) ? 'unchanged' : 'created'));
  const created = orders.flatMap((o, n) => (outcomes[n] === 'created' ? [{ o, n }] : []));
  const yearFrom = created.length > 0 ? (await memberYearClock(tx, shopId)).yearFrom : null;
  const contributions = created.map(({ o }) => contribution(o, yearFrom));
  // Only new orders name a buyer to resolve: a known order keeps its buyer, and a replay writes nothing.
  const people = await resolvePeople(
    tx,
    shopId,
    created.map(({ o }) => o.person),
    origin,
    at,
    contributions,
  );
  const orderIds = orders.map((o, n) => existing.get(keys[n]!)?.orderId ?? newOrderId(o.orderedAt));
  const customerIds = orders.map((_, n) => existing.get(keys[n]!)?.customerId ?? '');
  created.forEach(({ n }, i) => (customerIds[n] = people.customerIds[i]!));
  await insertOrders(
    tx,
    shopId,
    created.map(({ o, n }) => ({ o, orderId: orderIds[n]!, customerId: customerIds[n]! })),
  );
  await insertItems(
    tx,
    shopId,
    created.map(({ o, n }) => ({ orderId: orderIds[n]!, items: o.items })),
  );
  await redeemCoupons(
    tx,
    shopId,
    created.flatMap(({ o, n }) =>
      o.couponCode && isPurchase(o.status)
        ? [{ orderId: orderIds[n]!, couponCode: o.couponCode, orderedAt: o.orderedAt }]
        : [],
    ),
  );

  const changed = await movesOf(
    tx,
    shopId,
    orders,
    keys.map((k) => existing.get(k)),
  );
  for (const { n } of changed) outcomes[n] = 'updated';
  const recompute = new Set(changed.map(({ e }) => e.customerId));
  await writeMoves(tx, shopId, changed);
  await addLineSales(
    tx,
    shopId,
    created.map(({ o, n }) => ({ orderId: orderIds[n]!, order: o })),
  );

  // New profiles were inserted with their stats; existing buyers of new orders get theirs added, and
  // buyers of changed orders are recomputed from their orders, which covers any new ones too.
  const deltas = new Map<string, StatsDelta>();
  created.forEach(({ n }, i) => {
    const customerId = customerIds[n]!;
    const c = contributions[i]!;
    if (people.createdIds.has(customerId) || recompute.has(customerId) || c.orders === 0) return;
    const d = deltas.get(customerId);
    if (d) addContribution(d, c);
    else deltas.set(customerId, { customerId, ...c });
  });
  await addToStats(tx, shopId, [...deltas.values()]);
  await recomputeCustomerStats(tx, shopId, [...recompute]);
  await refreshPurchaseDays(tx, shopId, [
    ...created.flatMap(({ o, n }) =>
      isPurchase(o.status) ? [{ customerId: customerIds[n]!, from: o.orderedAt }] : [],
    ),
    // A new payment time alone moves no purchase day.
    ...changed.flatMap(({ o, e }) =>
      o.status !== e.status || o.refundedCents !== e.refundedCents
        ? [{ customerId: e.customerId, from: e.orderedAt }]
        : [],
    ),
  ]);
  await addBought(
    tx,
    shopId,
    created.map(({ o, n }) => ({ customerId: customerIds[n]!, orderId: orderIds[n]!, order: o })),
  );
  // Buyers of orders whose lines count otherwise may have lost a category, a brand or a store, or got one
  // back (the refresh reads the updated orders and lines).
  await refreshBought(tx, shopId, [...new Set(changed.filter(relines).map(({ e }) => e.customerId))]);
  await recordEvents(
    tx,
    shopId,
    changed.map((m) => moveEvent(m, origin, at)),
  );
  await applyOrdersToMembership(
    tx,
    shopId,
    [
      ...created.map(({ o, n }) => memberChange(o, orderIds[n]!, customerIds[n]!, null, at)),
      ...changed.map(({ o, e }) => memberChange(o, e.orderId, e.customerId, e.status, at)),
    ],
    origin,
    at,
  );
  // Rule tags last: they read the stats, tier and points just written. Each buyer's are dated by their
  // latest new order's payment, as its points are (an import of last year's orders tags its buyers
  // then), or now when a stored order of theirs moved.
  const touched = orders.flatMap((_, n) => (outcomes[n] === 'unchanged' ? [] : [customerIds[n]!]));
  const when = new Map<string, Date>();
  const later = (customerId: string, d: Date) => {
    const known = when.get(customerId);
    if (!known || d > known) when.set(customerId, d);
  };
  created.forEach(({ o, n }) => later(customerIds[n]!, paidBy(o, at)));
  changed.forEach(({ e }) => later(e.customerId, at));
  await applyRuleTags(tx, shopId, touched, origin, at, { when });

  const count = (x: Outcome) => outcomes.filter((o) => o === x).length;
  return {
    orderIds,
    customerIds,
    outcomes,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    customersCreated: people.created,
    customersUpdated: people.updated,
  };
}

/** When a new order was paid, never after the batch: a shop's clock running ahead must not date the future. */
const paidBy = (o: NormalizedOrder, at: Date) => {
  const paid = o.paidAt ?? o.orderedAt;
  return paid < at ? paid : at;
};

function memberChange(
  o: NormalizedOrder,
  orderId: string,
  customerId: string,
  before: OrderStatus | null,
  at: Date,
): OrderChange {
  return {
    orderId,
    customerId,
    externalId: o.externalId,
    status: o.status,
    refundedCents: o.refundedCents,
    before,
    occurredAt: before === null ? paidBy(o, at) : at,
    order: {
      channel: o.channel,
      totalCents: o.totalCents,
      shippingCents: o.shippingCents,
      orderedAt: o.orderedAt,
      // A changed order's items are stored already; only a new order's travel along.
      items:
        before === null
          ? o.items.map((i) => ({
              category: i.category ?? null,
              quantity: i.quantity,
              unitPriceCents: i.unitPriceCents,
            }))
          : undefined,
    },
  };
}
