// Where members stand: their tier, since when and held until when, with their purchases and net spend
// over the program's window — all ever, or the twelve months before a moment (the member year on the row
// while it counts from that window's start, else summed from the orders) — and how far each is from the
// next tier and from losing their own (the tier card). Upgrades, re-grades and reviews read the same.
import { uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { PURCHASE_SQL } from '../orders/status.js';
import { tierProgress, type Standing, type TierProgress, windowStart, yearIsCurrent } from './grading.js';
import type { MemberProgram } from './program.js';
import { memberYearClock } from './year.js';

export interface MemberRow {
  customerId: string;
  rank: number;
  since: Date | null;
  holdUntil: Date | null;
  graceUntil: Date | null;
  spendCents: number;
  orders: number;
}

const memberColumns = `c.customer_id as "customerId", c.tier_rank as rank, c.tier_since as since,
  c.tier_hold_until as "holdUntil", c.tier_grace_until as "graceUntil"`;

/**
 * Members with their standing over the program's window: the row's lifetime stats, or their purchases of
 * the twelve months before `at` — the member year on the row when it counts from that window's start
 * (year.ts), else summed from the orders.
 */
export async function membersWithStanding(
  tx: Queryable,
  shopId: string,
  program: MemberProgram,
  at: Date,
  select: { ids: string[] } | { after: string; limit: number },
): Promise<MemberRow[]> {
  const where =
    'ids' in select
      ? { sql: 'c.customer_id = any($2::uuid[])', params: [uuidArray(select.ids)] }
      : { sql: 'c.customer_id > $2 order by c.customer_id limit $3', params: [select.after, select.limit] };
  const clock = program.window === 'lifetime' ? null : await memberYearClock(tx, shopId);
  const figures = !clock
    ? 'c.spend_cents - c.refunded_cents as "spendCents", c.order_count as orders'
    : yearIsCurrent(clock.yearFrom, at, clock.timeZone)
      ? 'c.year_spend_cents as "spendCents", c.year_order_count as orders'
      : null;
  if (!clock || figures) {
    return tx.query<MemberRow>(
      `select ${memberColumns}, ${figures} from customers c where c.shop_id = $1 and ${where.sql}`,
      [shopId, ...where.params],
    );
  }
  const n = where.params.length + 2;
  return tx.query<MemberRow>(
    `select ${memberColumns}, coalesce(w.spend, 0)::int8 as "spendCents", coalesce(w.orders, 0)::int as orders
       from (select * from customers c where c.shop_id = $1 and ${where.sql}) c
       left join lateral (
         select sum(o.total_cents - o.refunded_cents) as spend, count(*) as orders from orders o
          where o.shop_id = $1 and o.customer_id = c.customer_id and o.ordered_at >= $${n} and o.${PURCHASE_SQL}
       ) w on true
      order by c.customer_id`,
    [shopId, ...where.params, windowStart(at, clock.timeZone).toISOString()],
  );
}

export interface MemberTier extends TierProgress {
  rank: number;
  since: Date | null;
  holdUntil: Date | null;
  graceUntil: Date | null;
  /** Net spend and purchases over the program's window now. */
  standing: Standing;
  /** What the next review will read: the same for a lifetime window; in a rolling one, the year before it. */
  atReview: Standing;
}

/**
 * Members' tiers, where they stand, and how far each is from the next tier and from losing theirs, keyed
 * by customer id (a customer not in the shop is left out).
 */
export async function memberTiers(
  db: Queryable,
  shopId: string,
  program: MemberProgram,
  customerIds: string[],
  at: Date,
  nextReviewAt: Date,
): Promise<Map<string, MemberTier>> {
  const select = { ids: customerIds.filter(isUuid) };
  const now = await membersWithStanding(db, shopId, program, at, select);
  const atReview =
    program.window === 'lifetime'
      ? new Map(now.map((m) => [m.customerId, m]))
      : new Map(
          (await membersWithStanding(db, shopId, program, nextReviewAt, select)).map((m) => [
            m.customerId,
            m,
          ]),
        );
  return new Map(
    now.map((m) => {
      const standing = { spendCents: m.spendCents, orders: m.orders };
      const r = atReview.get(m.customerId)!;
      const review = { spendCents: r.spendCents, orders: r.orders };
      const tier: MemberTier = {
        rank: m.rank,
        since: m.since,
        holdUntil: m.holdUntil,
        graceUntil: m.graceUntil,
        standing,
        atReview: review,
        ...tierProgress(program, m.rank, standing, review),
      };
      return [m.customerId, tier];
    }),
  );
}
