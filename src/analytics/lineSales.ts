// Sales by category and by brand: what sold, what came back, and who bought a category or a brand for
// the first time, for a period and an audience. All customers read the day rows ingestion keeps
// (line_sales, lineRollup.ts); a segment's members read their own orders' lines, since the day rows know
// no buyer. New buyers come from each customer's rows by category and brand (orders/bought.ts): those
// whose first purchase of it ever fell in the period.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { placedIdRange } from '../orders/ids.js';
import { getShop } from '../shops/shops.js';
import { contributions, storedLines } from './lineRollup.js';
import { audienceOf, parsed, PeriodInput, periodOf, type Audience } from './period.js';

export const LINE_KINDS = ['category', 'brand'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

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
  others: (LineFigures & { names: number; newBuyers: number; share: number | null }) | null;
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
  const audience = audienceAt(7);
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
             // The period's orders and their lines, each a range of its primary key (placedIdRange).
             storedLines(`o.ordered_at >= $3 and o.ordered_at < $4 and o.order_id >= $5 and o.order_id < $6
               and i.order_id >= $5 and i.order_id < $6 and exists (
               select 1 from customers c where c.shop_id = o.shop_id and c.customer_id = o.customer_id and ${audience.where})`),
           )}) d
          where kind = $2 group by name`,
        [
          shopId,
          q.by,
          period.start,
          period.end,
          ...placedIdRange(period.start, period.end),
          ...audience.params,
        ],
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
  const share = (f: LineFigures) => (total.netCents > 0 ? f.netCents / total.netCents : null);
  const others = sum(rest);
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
      share: share(f),
    })),
    others:
      rest.length === 0
        ? null
        : {
            names: rest.length,
            ...others,
            newBuyers: rest.reduce((n, r) => n + (firsts.get(r.key) ?? 0), 0),
            share: share(others),
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
