// Retention by monthly cohort, churn and reactivation ("wake-up"): how many customers keep buying.
import type { Queryable } from '../db/db.js';
import { PURCHASE_SQL } from '../orders/status.js';
import type { Audience, Period } from './period.js';

export interface Cohort {
  /** The month of the first purchase, YYYY-MM (shop time). */
  month: string;
  customers: number;
  /** By months since: [k] = cohort customers who bought in the k-th month after their first ([0] = all). */
  active: number[];
}

/** Customers whose first purchase fell in the period, by its month, and who bought again in each month after (up to the period's end). */
export async function cohortRetention(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
): Promise<Cohort[]> {
  const tz = `$${4 + audience.params.length}`;
  const params = [
    shopId,
    period.start.toISOString(),
    period.end.toISOString(),
    ...audience.params,
    period.timeZone,
  ];
  const cohorts = `select c.customer_id, date_trunc('month', c.first_order_at at time zone ${tz}) as m0
                     from customers c
                    where c.shop_id = $1 and c.first_order_at >= $2 and c.first_order_at < $3 and ${audience.where}`;
  const sizes = await db.query<{ month: string; customers: number }>(
    `select to_char(m0, 'YYYY-MM') as month, count(*)::int as customers from (${cohorts}) c group by 1 order by 1`,
    params,
  );
  const cells = await db.query<{ month: string; k: number; customers: number }>(
    `with c as (${cohorts}),
     a as (
       select distinct o.customer_id, date_trunc('month', o.ordered_at at time zone ${tz}) as m
         from orders o join c on c.customer_id = o.customer_id
        where o.shop_id = $1 and o.${PURCHASE_SQL} and o.ordered_at >= $2 and o.ordered_at < $3
     )
     select to_char(c.m0, 'YYYY-MM') as month,
            ((extract(year from a.m) - extract(year from c.m0)) * 12 + extract(month from a.m) - extract(month from c.m0))::int as k,
            count(*)::int as customers
       from c join a using (customer_id)
      group by 1, 2`,
    params,
  );
  const [ey, em] = period.toDay.split('-').map(Number) as [number, number];
  return sizes.map(({ month, customers }) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const span = (ey - y) * 12 + (em - m) + 1;
    const active = Array.from({ length: span }, (_, k) =>
      k === 0 ? customers : (cells.find((c) => c.month === month && c.k === k)?.customers ?? 0),
    );
    return { month, customers, active };
  });
}

export interface Dormancy {
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

/** Reactivation in the period and churn at its end, with `days` as the line between active and dormant. */
export async function dormancy(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
  days: number,
): Promise<Dormancy> {
  const n = `$${4 + audience.params.length}`;
  // The last purchase before an instant is the customer row's when that is earlier; else one index probe.
  const lastBefore = (at: string) => `case when c.last_order_at < ${at} then c.last_order_at else (
      select max(o.ordered_at) from orders o
       where o.shop_id = c.shop_id and o.customer_id = c.customer_id and o.${PURCHASE_SQL} and o.ordered_at < ${at}) end`;
  const [row] = await db.query<{ dormant: number; reactivated: number; buyers: number; churned: number }>(
    `select count(*) filter (where x.before_start < $2::timestamptz - make_interval(days => ${n}))::int as dormant,
            count(*) filter (where x.before_start < $2::timestamptz - make_interval(days => ${n}) and x.bought)::int as reactivated,
            count(*)::int as buyers,
            count(*) filter (where x.before_end < $3::timestamptz - make_interval(days => ${n}))::int as churned
       from customers c
       cross join lateral (
         select ${lastBefore('$2::timestamptz')} as before_start,
                ${lastBefore('$3::timestamptz')} as before_end,
                c.last_order_at >= $2 and exists (
                  select 1 from orders o where o.shop_id = c.shop_id and o.customer_id = c.customer_id
                     and o.${PURCHASE_SQL} and o.ordered_at >= $2 and o.ordered_at < $3) as bought
       ) x
      where c.shop_id = $1 and c.first_order_at < $3 and ${audience.where}`,
    [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params, days],
  );
  const r = row!;
  return {
    dormant: r.dormant,
    reactivated: r.reactivated,
    rate: r.dormant > 0 ? r.reactivated / r.dormant : null,
    buyers: r.buyers,
    churned: r.churned,
    churnRate: r.buyers > 0 ? r.churned / r.buyers : null,
  };
}
