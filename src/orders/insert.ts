// New orders' rows: the orders of a batch and their lines, each table written with one statement of
// arrays (orders/ingest.ts decides which orders are new and who bought them).
import { int4Array, int8Array, textArray, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import type { NormalizedOrder } from './input.js';

export async function insertOrders(
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
      uuidArray(rows.map((r) => r.orderId)),
      uuidArray(rows.map((r) => r.customerId)),
      textArray(rows.map((r) => r.o.source)),
      textArray(rows.map((r) => r.o.externalId)),
      textArray(rows.map((r) => r.o.channel)),
      textArray(rows.map((r) => r.o.storeId)),
      textArray(rows.map((r) => r.o.memberCard)),
      textArray(rows.map((r) => r.o.status)),
      textArray(rows.map((r) => r.o.currency)),
      int8Array(rows.map((r) => r.o.totalCents)),
      int8Array(rows.map((r) => r.o.discountCents)),
      int8Array(rows.map((r) => r.o.shippingCents)),
      int8Array(rows.map((r) => r.o.refundedCents)),
      textArray(rows.map((r) => r.o.couponCode)),
      timestamptzArray(rows.map((r) => r.o.orderedAt)),
      timestamptzArray(rows.map((r) => r.o.paidAt)),
    ],
  );
}

export async function insertItems(
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
      uuidArray(rows.map((r) => r.orderId)),
      int4Array(rows.map((r) => r.lineNo)),
      textArray(rows.map((r) => r.productId)),
      textArray(rows.map((r) => r.sku)),
      textArray(rows.map((r) => r.title)),
      textArray(rows.map((r) => r.category)),
      int4Array(rows.map((r) => r.quantity)),
      int8Array(rows.map((r) => r.unitPriceCents)),
      int4Array(rows.map((r) => r.refundedQuantity ?? 0)),
      textArray(rows.map((r) => r.brand)),
    ],
  );
}
