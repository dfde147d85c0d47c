// Each customer's purchase history as the models read it, computed from the orders (fully refunded ones
// left out): purchase days in the shop's time zone (several orders on one day are one purchase, as in Fader, Hardie & Lee), up to the end
// of a calibration day. Frequency counts repeat purchase days, recency is the last one's distance from the
// first and age the calibration end's, both in weeks; the spend model reads the mean net value of the
// repeat days; the purchase cycle is the median gap between purchase days.
import type { Queryable } from '../db/db.js';
import { PURCHASE_SQL } from '../orders/status.js';

export interface CustomerHistory {
  customerId: string;
  frequency: number;
  recencyWeeks: number;
  ageWeeks: number;
  /** Mean net value of the repeat purchase days, minor units; 0 without one. */
  repeatMeanCents: number;
  /** Median days between purchase days; null with a single one. */
  cycleDays: number | null;
  lastPurchaseDay: string;
}

export async function customerHistories(
  db: Queryable,
  shopId: string,
  calibrationEnd: string,
  timeZone: string,
): Promise<CustomerHistory[]> {
  return db.query<CustomerHistory>(
    `with days as (
       select customer_id, (ordered_at at time zone $3)::date as day, sum(total_cents - refunded_cents) as value
         from orders
        where shop_id = $1 and ${PURCHASE_SQL} and status <> 'refunded'
          and (ordered_at at time zone $3)::date <= $2::date
        group by 1, 2
     ), ranked as (
       select customer_id, day, value, row_number() over w as n, day - lag(day) over w as gap
         from days window w as (partition by customer_id order by day)
     )
     select customer_id as "customerId",
            (count(*) - 1)::int as frequency,
            round(((max(day) - min(day)) / 7.0)::numeric, 2)::float8 as "recencyWeeks",
            round((($2::date - min(day)) / 7.0)::numeric, 2)::float8 as "ageWeeks",
            coalesce(avg(value) filter (where n > 1), 0)::float8 as "repeatMeanCents",
            percentile_cont(0.5) within group (order by gap) filter (where gap is not null) as "cycleDays",
            max(day)::text as "lastPurchaseDay"
       from ranked
      group by customer_id`,
    [shopId, calibrationEnd, timeZone],
  );
}
