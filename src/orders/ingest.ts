// Order ingestion, the one path every order takes (API, webhook, import, demo). Idempotent by
// (shop, source, external id): a replayed order changes nothing, a re-sent order whose status, payment
// or refund moved on is updated, and the customer's stats follow in the same transaction.
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { resolvePeople } from '../customers/resolve.js';
import { addToStats, type StatsDelta } from '../customers/stats.js';
import { recordEvents, type NewEvent } from '../customers/timeline.js';
import { AppError } from '../errors.js';
import type { NormalizedOrder } from './input.js';
import { recomputeCustomerStats } from './orders.js';
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
}

const orderKey = (source: string, externalId: string) => `${source}\t${externalId}`;

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
  const people = await resolvePeople(
    tx,
    shopId,
    orders.map((o) => o.person),
    origin,
    at,
  );
  const ids = orders.map((o) => uuidv7(Math.max(0, o.orderedAt.getTime())));
  const inserted = await tx.query<{ orderId: string }>(
    `insert into orders (shop_id, order_id, customer_id, source, external_id, channel, store_id, member_card, status,
                         currency, total_cents, discount_cents, shipping_cents, refunded_cents, coupon_code, ordered_at, paid_at)
     select $1, * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                              $10::text[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::text[],
                              $16::timestamptz[], $17::timestamptz[])
     on conflict (shop_id, source, external_id) do nothing
     returning order_id as "orderId"`,
    [
      shopId,
      ids,
      people.customerIds,
      orders.map((o) => o.source),
      orders.map((o) => o.externalId),
      orders.map((o) => o.channel),
      orders.map((o) => o.storeId),
      orders.map((o) => o.memberCard),
      orders.map((o) => o.status),
      orders.map((o) => o.currency),
      orders.map((o) => o.totalCents),
      orders.map((o) => o.discountCents),
      orders.map((o) => o.shippingCents),
      orders.map((o) => o.refundedCents),
      orders.map((o) => o.couponCode),
      orders.map((o) => o.orderedAt.toISOString()),
      orders.map((o) => o.paidAt?.toISOString() ?? null),
    ],
  );
  const createdIds = new Set(inserted.map((r) => r.orderId));
  const outcomes: Outcome[] = orders.map((_, n) => (createdIds.has(ids[n]!) ? 'created' : 'unchanged'));
  const orderIds = [...ids];
  const customerIds = [...people.customerIds];
  const events: NewEvent[] = [];

  // Orders already known: keep their id and buyer, take what may legitimately move on.
  const repeatIdx = orders.flatMap((_, n) => (outcomes[n] === 'created' ? [] : [n]));
  const recompute = new Set<string>();
  if (repeatIdx.length > 0) {
    const existing = new Map<string, Existing>();
    for (const e of await tx.query<Existing>(
      `select o.order_id as "orderId", o.customer_id as "customerId", o.source, o.external_id as "externalId",
              o.status, o.refunded_cents as "refundedCents", o.paid_at as "paidAt"
         from orders o join unnest($2::text[], $3::text[]) as k(source, external_id) using (source, external_id)
        where o.shop_id = $1`,
      [shopId, repeatIdx.map((n) => orders[n]!.source), repeatIdx.map((n) => orders[n]!.externalId)],
    )) {
      existing.set(orderKey(e.source, e.externalId), e);
    }
    const changed: { n: number; e: Existing }[] = [];
    for (const n of repeatIdx) {
      const o = orders[n]!;
      const e = existing.get(keys[n]!)!;
      orderIds[n] = e.orderId;
      customerIds[n] = e.customerId;
      if (
        o.status !== e.status ||
        o.refundedCents !== e.refundedCents ||
        (o.paidAt?.getTime() ?? null) !== (e.paidAt?.getTime() ?? null)
      ) {
        outcomes[n] = 'updated';
        changed.push({ n, e });
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
          },
        });
      }
    }
    if (changed.length > 0) {
      await tx.query(
        `update orders o set status = u.status, refunded_cents = u.refunded, paid_at = u.paid_at, updated_at = now()
           from unnest($2::uuid[], $3::text[], $4::int8[], $5::timestamptz[]) as u(order_id, status, refunded, paid_at)
          where o.shop_id = $1 and o.order_id = u.order_id`,
        [
          shopId,
          changed.map((c) => c.e.orderId),
          changed.map((c) => orders[c.n]!.status),
          changed.map((c) => orders[c.n]!.refundedCents),
          changed.map((c) => orders[c.n]!.paidAt?.toISOString() ?? null),
        ],
      );
    }
  }

  const created = orders.flatMap((o, n) => (outcomes[n] === 'created' ? [{ o, n }] : []));
  await insertItems(
    tx,
    shopId,
    created.map(({ o, n }) => ({ orderId: ids[n]!, items: o.items })),
  );
  const deltas = new Map<string, StatsDelta>();
  for (const { o, n } of created) {
    const customerId = customerIds[n]!;
    events.push({
      customerId,
      type: 'order.placed',
      occurredAt: o.orderedAt,
      source: origin,
      data: {
        orderId: ids[n],
        externalId: o.externalId,
        source: o.source,
        channel: o.channel,
        storeId: o.storeId,
        status: o.status,
        totalCents: o.totalCents,
        currency: o.currency,
      },
    });
    if (!isPurchase(o.status) || recompute.has(customerId)) continue;
    let d = deltas.get(customerId);
    if (!d) {
      d = {
        customerId,
        orders: 0,
        onlineOrders: 0,
        offlineOrders: 0,
        spendCents: 0,
        refundedCents: 0,
        firstOrderAt: null,
        lastOrderAt: null,
      };
      deltas.set(customerId, d);
    }
    d.orders += 1;
    if (o.channel === 'online') d.onlineOrders += 1;
    else d.offlineOrders += 1;
    d.spendCents += o.totalCents;
    d.refundedCents += o.refundedCents;
    if (!d.firstOrderAt || o.orderedAt < d.firstOrderAt) d.firstOrderAt = o.orderedAt;
    if (!d.lastOrderAt || o.orderedAt > d.lastOrderAt) d.lastOrderAt = o.orderedAt;
  }
  await addToStats(tx, shopId, [...deltas.values()]);
  await recomputeCustomerStats(tx, shopId, [...recompute]);
  await recordEvents(tx, shopId, events);

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
    `insert into order_items (shop_id, order_id, line_no, product_id, sku, title, category, quantity, unit_price_cents)
     select $1, * from unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::int8[])`,
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
    ],
  );
}
