// The member year (migration 0056): for a shop whose tier program counts the last twelve months, each
// customer's purchases and net spend since the window's start, kept on the customer row so that a
// segment's "near the next tier" is judged from the row. Orders add to them as they are ingested
// (customers/stats.ts) and a changed order's buyer is recomputed from the orders; the window moves a day
// at a time, and a daily roll takes off the orders that left it. Until the figures count from today's
// window start, readers sum the orders as before (`yearIsCurrent`).
import { rowsChanged, type Db, type Queryable } from '../db/db.js';
import { lockShopIngest } from '../customers/resolve.js';
import { firstIdPlacedFrom, placedIdRange } from '../orders/ids.js';
import { PURCHASE_SQL } from '../orders/status.js';
import { windowStart, yearIsCurrent } from './grading.js';
import { getProgram } from './program.js';

export interface MemberYearClock {
  /** Where the shop's kept year figures count from, or null when none are kept (a lifetime program). */
  yearFrom: Date | null;
  /** The shop's time zone, whose dates the rolling window follows (`windowStart`). */
  timeZone: string;
}

export async function memberYearClock(db: Queryable, shopId: string): Promise<MemberYearClock> {
  const [row] = await db.query<MemberYearClock>(
    `select s.time_zone as "timeZone", m.year_from as "yearFrom"
       from shops s left join membership_programs m using (shop_id) where s.shop_id = $1`,
    [shopId],
  );
  if (!row) throw new Error(`no shop ${shopId}`);
  return row;
}

/**
 * A roll reads the orders placed in the days the window moved over, a rebuild the whole year's: past two
 * months of missed rolls (a server that was off) rebuilding is no slower, and it also mends figures
 * counted from a later start than wanted (a clock set back).
 */
const MAX_ROLL_DAYS = 62;

export interface YearUpkeep {
  /** 'off' for a lifetime program; 'current' when nothing was left to do. */
  upkeep: 'off' | 'current' | 'rolled' | 'built';
  /** Members whose figures changed. */
  customers: number;
}

/**
 * Brings the shop's year figures to the window ending at `at`, under the shop's ingest lock so that no
 * order is added to the figures or left out while the start moves. A lifetime program keeps none.
 */
export async function keepMemberYear(db: Db, shopId: string, at: Date): Promise<YearUpkeep> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const { program } = await getProgram(tx, shopId);
    const { yearFrom: kept, timeZone } = await memberYearClock(tx, shopId);
    if (program.window !== 'rolling_12_months') {
      if (kept !== null) await setYearFrom(tx, shopId, null);
      return { upkeep: 'off', customers: 0 };
    }
    if (yearIsCurrent(kept, at, timeZone)) return { upkeep: 'current', customers: 0 };
    const from = windowStart(at, timeZone);
    const rolls =
      kept !== null && kept < from && from.getTime() - kept.getTime() <= MAX_ROLL_DAYS * 86_400_000;
    const customers = rolls ? await rollYear(tx, shopId, kept, from) : await buildYear(tx, shopId, from);
    await setYearFrom(tx, shopId, from);
    return { upkeep: rolls ? 'rolled' : 'built', customers };
  });
}

async function setYearFrom(tx: Queryable, shopId: string, from: Date | null): Promise<void> {
  await tx.query('update membership_programs set year_from = $2 where shop_id = $1', [
    shopId,
    from?.toISOString() ?? null,
  ]);
}

/**
 * Each buyer's purchases and net spend in [$2, $3) (from $2 on, without `upTo`), as a relation
 * (customer_id, orders, spend). The order ids are bounded too, by $4 and $5 (by $3 without `upTo`), so
 * that a day's roll reads that day's orders, not every order of the shop (orders/ids.ts: placedIdRange).
 */
const yearOrders = (upTo: boolean) => `
  select customer_id, count(*)::int as orders, sum(total_cents - refunded_cents)::int8 as spend
    from orders
   where shop_id = $1 and ordered_at >= $2 and ${PURCHASE_SQL}
     and ${upTo ? 'ordered_at < $3 and order_id >= $4 and order_id < $5' : 'order_id >= $3'}
   group by customer_id`;

/** Takes off the purchases placed between the old start and the new one; answers the members changed. */
function rollYear(tx: Queryable, shopId: string, kept: Date, from: Date): Promise<number> {
  return rowsChanged(
    tx,
    `update customers c
        set year_order_count = c.year_order_count - g.orders, year_spend_cents = c.year_spend_cents - g.spend
       from (${yearOrders(true)}) g
      where c.shop_id = $1 and c.customer_id = g.customer_id`,
    [shopId, kept.toISOString(), from.toISOString(), ...placedIdRange(kept, from)],
  );
}

/**
 * Counts every customer's year afresh from the orders, writing only the rows that differ: of those with a
 * purchase in the year and those whose figures were not zero. Answers the members changed.
 */
function buildYear(tx: Queryable, shopId: string, from: Date): Promise<number> {
  return rowsChanged(
    tx,
    `update customers c
        set year_order_count = coalesce(d.orders, 0), year_spend_cents = coalesce(d.spend, 0)
       from (select coalesce(y.customer_id, k.customer_id) as customer_id, y.orders, y.spend
               from (select customer_id from customers
                      where shop_id = $1 and (year_order_count <> 0 or year_spend_cents <> 0)) k
               full join (${yearOrders(false)}) y on y.customer_id = k.customer_id) d
      where c.shop_id = $1 and c.customer_id = d.customer_id
        and (c.year_order_count, c.year_spend_cents) is distinct from (coalesce(d.orders, 0), coalesce(d.spend, 0))`,
    [shopId, from.toISOString(), firstIdPlacedFrom(from)],
  );
}
