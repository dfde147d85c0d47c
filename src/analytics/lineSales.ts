// Sales by category and by brand: what sold, what came back, and who bought a category or a brand for
// the first time, for a period and an audience. All customers read the day rows ingestion keeps
// (line_sales, migration 0061: what every purchase's lines count, and why); a segment's members read
// their own orders' lines, since the day rows know no buyer. New buyers come from each customer's rows by
// category and brand (orders/bought.ts): those whose first purchase of it ever fell in the period.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import type { NormalizedOrder } from '../orders/input.js';
import { PURCHASE_SQL, PURCHASE_STATUSES } from '../orders/status.js';
import { getShop } from '../shops/shops.js';
import { audienceOf, parsed, PeriodInput, periodOf, type Audience } from './period.js';

export const LINE_KINDS = ['category', 'brand'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/**
 * What a relation of purchase lines — (order_id, ordered_at, status, category, brand, quantity,
 * unit_price_cents, refunded_quantity) — adds to line_sales, by local day, kind and name. $1 is the shop.
 * The same shape whether the lines come from the tables or from the batch ingestion holds.
 */
const contributions = (lines: string) => `
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
const storedLines = (where: string) => `
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
      lines.map((l) => l.orderId),
      lines.map((l) => l.order.orderedAt.toISOString()),
      lines.map((l) => l.order.status),
      lines.map((l) => l.item.category ?? null),
      lines.map((l) => l.item.brand ?? null),
      lines.map((l) => l.item.quantity),
      lines.map((l) => l.item.unitPriceCents),
      lines.map((l) => l.item.refundedQuantity ?? 0),
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

export const LineSalesInput = PeriodInput.and(
  z.object({
    by: z.enum(LINE_KINDS).default('category').describe('what the lines are grouped by'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(20)
      .describe('the names with the most net sales listed; the rest are summed as others'),
  }),
);
export type LineSalesInput = z.input<typeof LineSalesInput>;

export interface LineFigures {
  units: number;
  grossCents: number;
  returnedUnits: number;
  returnedCents: number;
  netCents: number;
}

export interface LineRow extends LineFigures {
  /** The name as last written; null for lines that named none. */
  name: string | null;
  /** Purchases with a line of it. */
  orders: number;
  /** Customers whose first purchase of it ever (kept, not wholly given back) fell in the period. */
  newBuyers: number;
  /** Its net sales over all lines' net sales in the period. */
  share: number | null;
}

export interface LineSales {
  from: string;
  to: string;
  by: LineKind;
  currency: string;
  /** Every line of the period's purchases. */
  total: LineFigures;
  rows: LineRow[];
  /** The names past the limit, summed. */
  others: (LineFigures & { names: number; newBuyers: number }) | null;
}

interface Summed {
  name: string;
  spelled: string;
  orders: number;
  units: number;
  gross_cents: number;
  returned_units: number;
  returned_cents: number;
}

const SUMS = `sum(orders)::int as orders, sum(units)::float8 as units, sum(gross_cents)::float8 as gross_cents,
  sum(returned_units)::float8 as returned_units, sum(returned_cents)::float8 as returned_cents`;

export async function lineSales(
  db: Db,
  shopId: string,
  input: LineSalesInput,
  segmentField = 'segmentId',
): Promise<LineSales> {
  const q = parsed(LineSalesInput, input);
  const shop = await getShop(db, shopId);
  const period = periodOf(q.from, q.to, shop.timeZone);
  const audienceAt = await audienceOf(db, shopId, q.segmentId, segmentField);
  const audience = audienceAt(5);
  const names = audience.everyone
    ? await db.query<Summed>(
        `select name, (array_agg(spelled order by day desc))[1] as spelled, ${SUMS}
           from line_sales where shop_id = $1 and kind = $2 and day >= $3::date and day <= $4::date
          group by name having sum(orders) > 0`,
        [shopId, q.by, q.from, q.to],
      )
    : await db.query<Summed>(
        `select name, (array_agg(spelled order by day desc))[1] as spelled, ${SUMS}
           from (${contributions(
             storedLines(`o.ordered_at >= $3 and o.ordered_at < $4 and exists (
               select 1 from customers c where c.shop_id = o.shop_id and c.customer_id = o.customer_id and ${audience.where})`),
           )}) d
          where kind = $2 group by name`,
        [shopId, q.by, period.start, period.end, ...audience.params],
      );
  const firsts = await newBuyers(db, shopId, q.by, period.start, period.end, audienceAt(4));
  const figures = (r: Omit<Summed, 'name' | 'spelled' | 'orders'>): LineFigures => ({
    units: r.units,
    grossCents: r.gross_cents,
    returnedUnits: r.returned_units,
    returnedCents: r.returned_cents,
    netCents: r.gross_cents - r.returned_cents,
  });
  const all = names.map((r) => ({ ...figures(r), spelled: r.spelled, key: r.name, orders: r.orders }));
  const total = sum(all);
  all.sort((a, b) => b.netCents - a.netCents || a.key.localeCompare(b.key));
  const shown = all.slice(0, q.limit);
  const rest = all.slice(q.limit);
  return {
    from: q.from,
    to: q.to,
    by: q.by,
    currency: shop.currency,
    total,
    rows: shown.map(({ key, spelled, orders, ...f }) => ({
      name: key === '' ? null : spelled,
      orders,
      ...f,
      newBuyers: firsts.get(key) ?? 0,
      share: total.netCents > 0 ? f.netCents / total.netCents : null,
    })),
    others:
      rest.length === 0
        ? null
        : {
            names: rest.length,
            ...sum(rest),
            newBuyers: rest.reduce((n, r) => n + (firsts.get(r.key) ?? 0), 0),
          },
  };
}

function sum(rows: LineFigures[]): LineFigures {
  const t: LineFigures = { units: 0, grossCents: 0, returnedUnits: 0, returnedCents: 0, netCents: 0 };
  for (const r of rows) {
    t.units += r.units;
    t.grossCents += r.grossCents;
    t.returnedUnits += r.returnedUnits;
    t.returnedCents += r.returnedCents;
    t.netCents += r.netCents;
  }
  return t;
}

/** Customers whose first purchase of each name fell in the period, by lowercased name. */
async function newBuyers(
  db: Queryable,
  shopId: string,
  by: LineKind,
  start: Date,
  end: Date,
  audience: Audience,
): Promise<Map<string, number>> {
  const table = by === 'category' ? 'customer_categories' : 'customer_brands';
  const rows = await db.query<{ name: string; buyers: number }>(
    `select b.${by} as name, count(*)::int as buyers
       from ${table} b
      where b.shop_id = $1 and b.first_at >= $2 and b.first_at < $3
        ${audience.everyone ? '' : `and exists (select 1 from customers c where c.shop_id = b.shop_id and c.customer_id = b.customer_id and ${audience.where})`}
      group by b.${by}`,
    [shopId, start, end, ...audience.params],
  );
  return new Map(rows.map((r) => [r.name, r.buyers]));
}
