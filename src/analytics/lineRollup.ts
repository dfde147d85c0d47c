// The sales days (line_sales, migration 0061: what every purchase's lines count, and why), kept by
// ingestion in the same transaction as the orders: a new order adds its lines, a changed one (status, a
// line returned) takes its old lines away and adds its new ones. Kept apart from the report that reads
// them (lineSales.ts): the report loads the period and segment modules, which load the shop module, which
// loads the rebuild job that needs this one — an import cycle a test file hit when it loaded them first.
import { int4Array, int8Array, textArray, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import type { NormalizedOrder } from '../orders/input.js';
import { PURCHASE_SQL, PURCHASE_STATUSES } from '../orders/status.js';

/**
 * What a relation of purchase lines — (order_id, ordered_at, status, category, brand, quantity,
 * unit_price_cents, refunded_quantity) — adds to line_sales, by local day, kind and name. $1 is the shop.
 * The same shape whether the lines come from the tables or from the batch ingestion holds.
 */
export const contributions = (lines: string) => `
  select (l.ordered_at at time zone s.time_zone)::date as day, k.kind, lower(k.name) as name, max(k.name) as spelled,
         count(distinct l.order_id)::int as orders, sum(l.quantity)::int8 as units,
         sum(l.quantity * l.unit_price_cents)::int8 as gross_cents,
         sum(r.units)::int8 as returned_units, sum(r.units * l.unit_price_cents)::int8 as returned_cents
    from (${lines}) l
    join shops s on s.shop_id = $1
    cross join lateral (values ('category', coalesce(l.category, '')), ('brand', coalesce(l.brand, ''))) k(kind, name)
    -- A wholly refunded order gave every unit back, whatever its lines say.
    cross join lateral (select case when l.status = 'refunded' then l.quantity else l.refunded_quantity end as units) r
   where l.${PURCHASE_SQL}
   group by 1, 2, 3`;

/** Stored lines of orders matching `where` (over `orders o`), in the shape `contributions` reads. */
export const storedLines = (where: string) => `
  select o.order_id, o.ordered_at, o.status, i.category, i.brand, i.quantity, i.unit_price_cents, i.refunded_quantity
    from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
   where o.shop_id = $1 and ${where}`;

/** Adds (or, with -1, takes away) `lines`' contributions to the day rows. */
const move = (lines: string, sign: 1 | -1) => `
  insert into line_sales as t (shop_id, kind, day, name, spelled, orders, units, gross_cents, returned_units, returned_cents)
  select $1, kind, day, name, spelled, ${sign} * orders, ${sign} * units, ${sign} * gross_cents,
         ${sign} * returned_units, ${sign} * returned_cents
    from (${contributions(lines)}) c
  on conflict (shop_id, kind, day, name) do update
     set orders = t.orders + excluded.orders, units = t.units + excluded.units,
         gross_cents = t.gross_cents + excluded.gross_cents,
         returned_units = t.returned_units + excluded.returned_units,
         returned_cents = t.returned_cents + excluded.returned_cents${sign === 1 ? ', spelled = excluded.spelled' : ''}`;

/**
 * Adds newly ingested orders' lines, from the orders as ingestion holds them (reading them back would
 * join the batch to all the shop's lines: orders/bought.ts).
 */
export async function addLineSales(
  tx: Queryable,
  shopId: string,
  orders: { orderId: string; order: Pick<NormalizedOrder, 'status' | 'orderedAt' | 'items'> }[],
): Promise<void> {
  const lines = orders.flatMap(({ orderId, order }) =>
    PURCHASE_STATUSES.includes(order.status) ? order.items.map((i) => ({ orderId, order, item: i })) : [],
  );
  if (lines.length === 0) return;
  await tx.query(
    move(
      `select * from unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int8[], $9::int[])
         as n(order_id, ordered_at, status, category, brand, quantity, unit_price_cents, refunded_quantity)`,
      1,
    ),
    [
      shopId,
      uuidArray(lines.map((l) => l.orderId)),
      timestamptzArray(lines.map((l) => l.order.orderedAt)),
      textArray(lines.map((l) => l.order.status)),
      textArray(lines.map((l) => l.item.category)),
      textArray(lines.map((l) => l.item.brand)),
      int4Array(lines.map((l) => l.item.quantity)),
      int8Array(lines.map((l) => l.item.unitPriceCents)),
      int4Array(lines.map((l) => l.item.refundedQuantity ?? 0)),
    ],
  );
}

/**
 * Takes stored orders' lines away (`sign` -1, before the orders change) or adds them back (1, after):
 * a changed order moves the day rows by exactly what changed.
 */
export async function moveLineSales(
  tx: Queryable,
  shopId: string,
  orderIds: string[],
  sign: 1 | -1,
): Promise<void> {
  if (orderIds.length === 0) return;
  await tx.query(move(storedLines('o.order_id = any($2::uuid[])'), sign), [shopId, orderIds]);
}

/** Rebuilds a whole shop's day rows from its orders (a new time zone moves days; bulk loads). */
export async function rebuildLineSales(tx: Queryable, shopId: string): Promise<void> {
  await tx.query('delete from line_sales where shop_id = $1', [shopId]);
  await tx.query(move(storedLines('true'), 1), [shopId]);
}
