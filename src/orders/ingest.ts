// Order ingestion, the one path every order takes (API, webhook, import, demo). Idempotent by
// (shop, source, external id): a replayed order changes nothing, a re-sent order whose status, payment
// or refund moved on is updated, and the customer's stats and purchase days follow in the same transaction.
import { addLineSales, moveLineSales } from '../analytics/lineRollup.js';
import { refreshPurchaseDays } from '../analytics/rollup.js';
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { lockShopIngest, resolvePeople } from '../customers/resolve.js';
import { addContribution, addToStats, type StatsContribution, type StatsDelta } from '../customers/stats.js';
import { recordEvents, type NewEvent } from '../customers/timeline.js';
import { redeemCoupons } from '../engage/couponCodes.js';
import { AppError } from '../errors.js';
import { applyOrdersToMembership, type OrderChange } from '../membership/purchases.js';
import { memberYearClock } from '../membership/year.js';
import { applyRuleTags } from '../tags/rules.js';
import type { NormalizedOrder } from './input.js';
import { recomputeCustomerStats } from './orders.js';
import { addBought, refreshBought } from './bought.js';
import { groupBy } from './grouped.js';
import { lineReturns, type LineReturn } from './returns.js';
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

interface Existing {
  orderId: string;
  customerId: string;
  source: string;
  externalId: string;
  status: OrderStatus;
  refundedCents: number;
  paidAt: Date | null;
  orderedAt: Date;
}

const orderKey = (source: string, externalId: string) => `${source}\t${externalId}`;

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
  const existing = new Map<string, Existing>();
  for (const [source, externalIds] of groupBy(
    orders,
    (o) => o.source,
    (o) => o.externalId,
  )) {
    // One index scan per source with an array of keys: a batch usually has a single source.
    for (const e of await tx.query<Existing>(
      `select order_id as "orderId", customer_id as "customerId", source, external_id as "externalId",
              status, refunded_cents as "refundedCents", paid_at as "paidAt",
              ordered_at as "orderedAt"
         from orders where shop_id = $1 and source = $2 and external_id = any($3::text[])`,
      [shopId, source, externalIds],
    )) {
      existing.set(orderKey(e.source, e.externalId), e);
    }
  }

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
  const orderIds = orders.map(
    (o, n) => existing.get(keys[n]!)?.orderId ?? uuidv7(Math.max(0, o.orderedAt.getTime())),
  );
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

  const recompute = new Set<string>();
  const events: NewEvent[] = [];
  const changed: { o: NormalizedOrder; e: Existing; returns: LineReturn[] }[] = [];
  const returns = await lineReturns(
    tx,
    shopId,
    orders.flatMap((o, n) => {
      const e = existing.get(keys[n]!);
      return e && o.items.some((i) => i.refundedQuantity !== undefined) ? [{ o, e }] : [];
    }),
  );
  orders.forEach((o, n) => {
    const e = existing.get(keys[n]!);
    if (!e) return;
    const lines = returns.get(e.orderId) ?? [];
    if (
      o.status === e.status &&
      o.refundedCents === e.refundedCents &&
      (o.paidAt?.getTime() ?? null) === (e.paidAt?.getTime() ?? null) &&
      lines.length === 0
    ) {
      return;
    }
    outcomes[n] = 'updated';
    changed.push({ o, e, returns: lines });
    recompute.add(e.customerId);
    events.push({
      customerId: e.customerId,
      type: 'order.updated',
      occurredAt: at,
      source: origin,
      data: {
        orderId: e.orderId,
        externalId: o.externalId,
        from: { status: e.status, refundedCents: e.refundedCents },
        to: { status: o.status, refundedCents: o.refundedCents },
        ...(lines.length > 0 && { returns: lines }),
      },
    });
  });
  const returned = changed.flatMap(({ e, returns }) => returns.map((r) => ({ orderId: e.orderId, ...r })));
  // Orders whose lines count otherwise now: a status moved (a cancellation, a full refund) or a line was
  // returned or kept after all. A new payment time or an order-level refund alone changes no line.
  const relined = changed.filter(({ o, e, returns }) => o.status !== e.status || returns.length > 0);
  // Sales by line move by what those orders' lines counted before and count after.
  const relinedIds = relined.map(({ e }) => e.orderId);
  await moveLineSales(tx, shopId, relinedIds, -1);
  if (returned.length > 0) {
    await tx.query(
      `update order_items i set refunded_quantity = u.refunded
         from unnest($2::uuid[], $3::int[], $4::int[]) as u(order_id, line_no, refunded)
        where i.shop_id = $1 and i.order_id = u.order_id and i.line_no = u.line_no`,
      [shopId, returned.map((r) => r.orderId), returned.map((r) => r.lineNo), returned.map((r) => r.to)],
    );
  }
  if (changed.length > 0) {
    await tx.query(
      `update orders o set status = u.status, refunded_cents = u.refunded, paid_at = u.paid_at, updated_at = now()
         from unnest($2::uuid[], $3::text[], $4::int8[], $5::timestamptz[]) as u(order_id, status, refunded, paid_at)
        where o.shop_id = $1 and o.order_id = u.order_id`,
      [
        shopId,
        changed.map((c) => c.e.orderId),
        changed.map((c) => c.o.status),
        changed.map((c) => c.o.refundedCents),
        changed.map((c) => c.o.paidAt?.toISOString() ?? null),
      ],
    );
  }

  await moveLineSales(tx, shopId, relinedIds, 1);
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
  // Those orders' buyers may have lost a category, a brand or a store, or got one back (the refresh reads
  // the updated orders and lines).
  await refreshBought(tx, shopId, [...new Set(relined.map(({ e }) => e.customerId))]);
  await recordEvents(tx, shopId, events);
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

async function insertOrders(
  tx: Queryable,
  shopId: string,
  rows: { o: NormalizedOrder; orderId: string; customerId: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `insert into orders (shop_id, order_id, customer_id, source, external_id, channel, store_id, member_card, status,
                         currency, total_cents, discount_cents, shipping_cents, refunded_cents, coupon_code, ordered_at, paid_at)
     select $1, * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                              $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::text[],
                              $16::timestamptz[], $17::timestamptz[])`,
    [
      shopId,
      rows.map((r) => r.orderId),
      rows.map((r) => r.customerId),
      rows.map((r) => r.o.source),
      rows.map((r) => r.o.externalId),
      rows.map((r) => r.o.channel),
      rows.map((r) => r.o.storeId),
      rows.map((r) => r.o.memberCard),
      rows.map((r) => r.o.status),
      rows.map((r) => r.o.currency),
      rows.map((r) => r.o.totalCents),
      rows.map((r) => r.o.discountCents),
      rows.map((r) => r.o.shippingCents),
      rows.map((r) => r.o.refundedCents),
      rows.map((r) => r.o.couponCode),
      rows.map((r) => r.o.orderedAt.toISOString()),
      rows.map((r) => r.o.paidAt?.toISOString() ?? null),
    ],
  );
}

async function insertItems(
  tx: Queryable,
  shopId: string,
  orders: { orderId: string; items: NormalizedOrder['items'] }[],
): Promise<void> {
  const rows = orders.flatMap(({ orderId, items }) =>
    items.map((item, i) => ({ orderId, lineNo: i + 1, ...item })),
  );
  if (rows.length === 0) return;
  await tx.query(
    `insert into order_items (shop_id, order_id, line_no, product_id, sku, title, category, quantity, unit_price_cents,
                              refunded_quantity, brand)
     select $1, * from unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int8[],
                              $10::int[], $11::text[])`,
    [
      shopId,
      rows.map((r) => r.orderId),
      rows.map((r) => r.lineNo),
      rows.map((r) => r.productId ?? null),
      rows.map((r) => r.sku ?? null),
      rows.map((r) => r.title),
      rows.map((r) => r.category ?? null),
      rows.map((r) => r.quantity),
      rows.map((r) => r.unitPriceCents),
      rows.map((r) => r.refundedQuantity ?? 0),
      rows.map((r) => r.brand ?? null),
    ],
  );
}
