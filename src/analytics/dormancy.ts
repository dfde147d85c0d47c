// Dormancy and reactivation for a period, and the period's figures made whole with them. A customer is
// dormant on a day when they had bought before it but not in the `dormantDays` days before it; they were
// reactivated when they then bought in the period, and churned when still dormant at its end.
//
// Who was quiet at a line (their last purchase ever before it) comes from the pass over the customer
// rows (analytics/standing.ts: the buyer lines); who came back after such a gap from the purchase pairs
// for all customers, or for a segment's members from their purchase days, read in the sales pass
// (analytics/sales.ts).
import type { Queryable } from '../db/db.js';
import type { Members } from './members.js';
import type { Period } from './period.js';
import { ratio, salesFigures, type Cohort, type SalesOverview, type SalesPoint } from './sales.js';

export interface Dormancy {
  days: number;
  /** Customers whose last purchase before the period was more than `days` days before it … */
  dormant: number;
  /** … those of them who bought in the period, and their share. */
  reactivated: number;
  rate: number | null;
  /** Of everyone who had bought by the period's end, those whose last purchase by then was more than `days` days before it. */
  buyers: number;
  churned: number;
  churnRate: number | null;
}

export interface PeriodFigures {
  sales: SalesOverview;
  series: SalesPoint[];
  /** Customers whose first purchase fell in the period, by its month, and who bought again in each month after. */
  cohorts: Cohort[];
  dormancy: Dormancy;
}

/** The audience's buyers against the period's lines (analytics/standing.ts counts them). */
export interface BuyerLines {
  /** Customers who had bought before the period began, and by its end. */
  previous: number;
  buyers: number;
  /** Those whose last purchase ever was before the dormancy line at the period's start, and at its end. */
  quietAtStart: number;
  quietAtEnd: number;
}

/**
 * Customers whose first purchase day on or after the period's first day (`atStart`; `reactivated` when it
 * is in the period) or after its last (`atEnd`) follows one older than the dormancy line there.
 */
export interface Returned {
  atStart: number;
  reactivated: number;
  atEnd: number;
}

/**
 * Everything for the period but what needs the buyer lines, which the caller reads in its pass over the
 * customer rows at the same time; the answer completes the figures with them.
 */
export async function periodFigures(
  db: Queryable,
  shopId: string,
  period: Period,
  members: Members | null,
  dormantDays: number,
): Promise<(lines: BuyerLines) => PeriodFigures> {
  const [figures, pairs] = await Promise.all([
    salesFigures(db, shopId, period, members, dormantDays),
    members ? null : returnedOfEveryone(db, shopId, period, dormantDays),
  ]);
  const { convertedPrevious, returned: membersReturned, ...rest } = figures;
  const returned = pairs ?? membersReturned!;
  return (lines) => {
    // A customer was dormant on day X when (a) their last purchase ever is older than X − days (so they
    // bought nothing since either: quiet), or (b) their first purchase day on or after X follows one
    // older than X − days (returned).
    const counts = {
      dormant: lines.quietAtStart + returned.atStart,
      reactivated: returned.reactivated,
      churned: lines.quietAtEnd + returned.atEnd,
    };
    return {
      ...rest,
      sales: {
        ...rest.sales,
        previousBuyers: lines.previous,
        returningConversion: ratio(convertedPrevious, lines.previous),
      },
      dormancy: {
        days: dormantDays,
        ...counts,
        rate: ratio(counts.reactivated, counts.dormant),
        buyers: lines.buyers,
        churnRate: ratio(counts.churned, lines.buyers),
      },
    };
  };
}

/**
 * For all customers, who returned (see Returned): sums over the pair counts, since a customer's first
 * purchase day on or after a day X follows one older than the line when a pair of their consecutive
 * purchase days spans X with the first older than the line.
 */
async function returnedOfEveryone(
  db: Queryable,
  shopId: string,
  period: Period,
  days: number,
): Promise<Returned> {
  const [row] = await db.query<Returned>(
    `select coalesce(sum(customers) filter (where day < $2::date - $4::int and next_day >= $2), 0)::int as "atStart",
            coalesce(sum(customers) filter (where day < $2::date - $4::int
                                              and next_day >= $2 and next_day <= $3), 0)::int as reactivated,
            coalesce(sum(customers) filter (where day <= $3::date - $4::int and next_day > $3), 0)::int as "atEnd"
       from purchase_pairs
      where shop_id = $1 and day > '-infinity' and next_day < 'infinity'`,
    [shopId, period.fromDay, period.toDay, days],
  );
  return row!;
}
