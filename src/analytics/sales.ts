// Sales, the customers behind them, and retention, for a period. What counts, everywhere here:
// - an order is a purchase (paid, shipped, completed, or refunded in part or in whole; never pending or
//   cancelled) placed in the period, by its day in the shop's time zone;
// - gross is what the orders were for, refunds what was given back of them, net the difference;
// - an order is a new customer's when it is the customer's first purchase ever, a returning customer's
//   otherwise (so one customer's first and second order in the period count one each way).
//
// The figures come from the purchase rollups (analytics/rollup.ts), never from the orders: a pass over the
// period's purchase days, where each customer who bought has exactly one row whose previous purchase day
// is before the period, so "customers who…" is a count of rows and nothing is grouped by customer. For a
// segment's members (the rows whose customer number is in the members' bitmap, analytics/members.ts) the
// same pass goes on past the period to count who came back after a gap, which dormancy
// (analytics/dormancy.ts) completes.
import type { Queryable } from '../db/db.js';
import { isMember, memberParams, type Members } from './members.js';
import type { Returned } from './dormancy.js';
import type { Period } from './period.js';

export interface SalesOverview {
  orders: number;
  customers: number;
  grossCents: number;
  refundedCents: number;
  netCents: number;
  newCustomers: number;
  newNetCents: number;
  returningOrders: number;
  returningCustomers: number;
  returningNetCents: number;
  /** Returning customers' net sales over all net sales. */
  returningShare: number | null;
  /** Customers who had bought before the period … */
  previousBuyers: number;
  /** … and the share of them who bought in it. */
  returningConversion: number | null;
  /** Customers with two orders or more in the period, over those with one or more. */
  repeatCustomers: number;
  repurchaseRate: number | null;
  /** For customers whose second purchase ever fell in the period: the median days (local days) from the first. */
  secondOrders: number;
  medianDaysToSecondOrder: number | null;
  aovCents: number | null;
  /** Orders per customer who ordered. */
  frequency: number | null;
  refundedOrders: number;
  refundOrderRate: number | null;
  refundAmountRate: number | null;
  /** Orders with a discount or a coupon code, and their share of orders and of gross sales. */
  discountedOrders: number;
  discountOrderShare: number | null;
  discountRevenueShare: number | null;
  /**
   * Customers who bought in the period by how many of their purchases up to its end were discounted:
   * none, some, at least half — a trait of the customer, not of one period's few orders.
   */
  customersByDiscount: { none: number; some: number; mostly: number };
  channels: { onlineOrders: number; offlineOrders: number; bothChannelsCustomers: number };
}

export interface SalesPoint {
  /** The local day (or month, for long periods) the figures are for: YYYY-MM-DD or YYYY-MM. */
  bucket: string;
  orders: number;
  newNetCents: number;
  returningNetCents: number;
}

export interface Cohort {
  /** The month of the first purchase, YYYY-MM (shop time). */
  month: string;
  customers: number;
  /** By months since: [k] = cohort customers who bought in the k-th month after their first ([0] = all). */
  active: number[];
}

export const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** The period's sales, the customers behind them, the chart and the cohorts: one pass over its purchase days. */
export async function salesFigures(
  db: Queryable,
  shopId: string,
  period: Period,
  members: Members | null,
  dormantDays?: number,
): Promise<{
  sales: Omit<SalesOverview, 'previousBuyers' | 'returningConversion'>;
  series: SalesPoint[];
  /** Customers whose first purchase fell in the period, by its month, and who bought again in each month after. */
  cohorts: Cohort[];
  /** Customers who had bought before the period and bought in it. */
  convertedPrevious: number;
  /** For a segment, given the dormancy line. */
  returned: Returned | null;
}> {
  const {
    totals: s,
    series,
    cohorts,
    gaps,
    returned,
  } = await periodSales(db, shopId, period, members, dormantDays);
  const netCents = s.grossCents - s.refundedCents;
  return {
    sales: {
      orders: s.orders,
      customers: s.customers,
      grossCents: s.grossCents,
      refundedCents: s.refundedCents,
      netCents,
      newCustomers: s.newCustomers,
      newNetCents: s.newNetCents,
      returningOrders: s.orders - s.newCustomers,
      returningCustomers: s.returningCustomers,
      returningNetCents: netCents - s.newNetCents,
      returningShare: ratio(netCents - s.newNetCents, netCents),
      repeatCustomers: s.repeatCustomers,
      repurchaseRate: ratio(s.repeatCustomers, s.customers),
      secondOrders: gaps.count,
      medianDaysToSecondOrder: gaps.median,
      aovCents: s.orders > 0 ? Math.round(s.grossCents / s.orders) : null,
      frequency: ratio(s.orders, s.customers),
      refundedOrders: s.refundedOrders,
      refundOrderRate: ratio(s.refundedOrders, s.orders),
      refundAmountRate: ratio(s.refundedCents, s.grossCents),
      discountedOrders: s.discountedOrders,
      discountOrderShare: ratio(s.discountedOrders, s.orders),
      discountRevenueShare: ratio(s.discountedGrossCents, s.grossCents),
      customersByDiscount: { none: s.discountNone, some: s.discountSome, mostly: s.discountMostly },
      channels: {
        onlineOrders: s.onlineOrders,
        offlineOrders: s.offlineOrders,
        bothChannelsCustomers: s.bothChannels,
      },
    },
    convertedPrevious: s.convertedPrevious,
    returned,
    series: series ?? [],
    cohorts: cohortsOf(cohorts ?? [], period.toDay),
  };
}

/** A customer's second purchase ever is on this row's day: the first day's second order, or the next day's first. */
const SECOND_PURCHASE = '(d.purchases_before = 1 or (d.purchases_before = 0 and d.orders >= 2))';

/** The members' rows of purchase_days `d` (all rows for everyone), the members' parameters from $4. */
const membersOnly = (members: Members | null) => (members ? `and ${isMember('d.customer_no', 4)}` : '');

interface PeriodTotals {
  orders: number;
  grossCents: number;
  refundedCents: number;
  refundedOrders: number;
  discountedOrders: number;
  discountedGrossCents: number;
  onlineOrders: number;
  offlineOrders: number;
  newCustomers: number;
  newNetCents: number;
  customers: number;
  convertedPrevious: number;
  returningCustomers: number;
  repeatCustomers: number;
  discountNone: number;
  discountSome: number;
  discountMostly: number;
  bothChannels: number;
}

/**
 * The period's purchase days, grouped by day and the month their customer started: the
 * chart's points, the cohorts' cells and the totals all sum those groups. Each customer who bought has
 * one row with prev_day before the period (their first in it), one with next_day after it (their last),
 * and at most one that is their second purchase ever; the conditions below pick those rows out.
 * With `dormantDays`, a segment's pass goes on past the period to count who returned (dormancy).
 * `members` is null for all customers.
 */
async function periodSales(
  db: Queryable,
  shopId: string,
  period: Period,
  members: Members | null,
  dormantDays: number | undefined,
) {
  const returns = members !== null && dormantDays !== undefined;
  const params = members ? memberParams(members) : [];
  const n = `$${4 + params.length}::int`;
  const monthly = (period.end.getTime() - period.start.getTime()) / 86_400_000 > 92;
  // Money is summed as float8, exact for whole cents below 2^53 and far cheaper per row than numeric.
  const sum = (e: string) => `coalesce(sum(${e}), 0)::float8`;
  // Purchases up to and including the day, and how many of them were discounted.
  const [upTo, discountedUpTo] = ['purchases_before + orders', 'discounted_before + discounted_orders'];
  const [row] = await db.query<{
    totals: PeriodTotals;
    series: SalesPoint[] | null;
    cohorts: { month: string; k: number; customers: number }[] | null;
    gaps: { count: number; median: number | null };
    returned: Returned | null;
  }>(
    `with g as materialized (
       select d.day,
              d.first_month,
              sum(d.orders) as orders, sum(d.gross_cents::float8) as gross, sum(d.refunded_cents::float8) as refunded,
              sum(d.refunded_orders) as refunded_orders, sum(d.discounted_orders) as discounted_orders,
              sum(d.discounted_gross_cents::float8) as discounted_gross, sum(d.online_orders) as online_orders,
              count(*) filter (where d.prev_day = '-infinity') as new_customers,
              coalesce(sum(d.opening_net_cents::float8) filter (where d.prev_day = '-infinity'), 0) as new_net,
              count(*) filter (where d.prev_day > '-infinity' and d.prev_day < $2) as converted,
              -- new in the period, with a second order on the first day or on a later one
              count(*) filter (where (d.purchases_before = 0 and d.orders >= 2)
                                  or (d.purchases_before = 1 and d.prev_day >= $2)) as new_returning,
              count(*) filter (where d.prev_day < $2 and (d.orders >= 2 or d.next_day <= $3)) as repeat_customers,
              count(*) filter (where d.next_day > $3 and ${discountedUpTo} > 0
                                 and 2 * (${discountedUpTo}) < ${upTo}) as discount_some,
              count(*) filter (where d.next_day > $3 and ${discountedUpTo} > 0
                                 and 2 * (${discountedUpTo}) >= ${upTo}) as discount_mostly,
              -- the day on which the customer has bought in both channels in the period, not before it
              count(*) filter (where (d.online_orders > 0 or d.prev_online_day >= $2)
                                 and (d.offline_orders > 0 or d.prev_offline_day >= $2)
                                 and not (d.prev_online_day >= $2 and d.prev_offline_day >= $2)) as both_channels,
              -- a customer new in the period, on their first purchase day of a month
              count(*) filter (where d.first_day >= $2
                                 and d.prev_day < date_trunc('month', d.day::timestamp)) as cohort_active
              ${
                returns
                  ? `, count(*) filter (where d.prev_day > '-infinity' and d.prev_day < $2::date - ${n}) as back_at_start,
                     count(*) filter (where d.day > $3 and d.prev_day > '-infinity'
                                        and d.prev_day <= $3::date - ${n}) as back_at_end`
                  : ''
              }
         from purchase_days d
        where d.shop_id = $1 and d.day >= $2 ${returns ? '' : 'and d.day <= $3'} ${membersOnly(members)}
        group by 1, 2
     ),
     in_period as (select * from g where day <= $3),
     -- Second purchases ever (the partial index purchase_days_second holds their rows): the days since the first.
     gaps as (
       select case when d.purchases_before = 1 then d.day - d.prev_day else 0 end as gap
         from purchase_days d
        where d.shop_id = $1 and d.day >= $2 and d.day <= $3 ${membersOnly(members)}
          and ${SECOND_PURCHASE}
     )
     select
       (select json_build_object(
          'orders', ${sum('orders')}, 'grossCents', ${sum('gross')}, 'refundedCents', ${sum('refunded')},
          'refundedOrders', ${sum('refunded_orders')}, 'discountedOrders', ${sum('discounted_orders')},
          'discountedGrossCents', ${sum('discounted_gross')}, 'onlineOrders', ${sum('online_orders')},
          'offlineOrders', ${sum('orders - online_orders')}, 'newCustomers', ${sum('new_customers')},
          'newNetCents', ${sum('new_net')}, 'customers', ${sum('new_customers + converted')},
          'convertedPrevious', ${sum('converted')}, 'returningCustomers', ${sum('converted + new_returning')},
          'repeatCustomers', ${sum('repeat_customers')},
          'discountNone', ${sum('new_customers + converted - discount_some - discount_mostly')},
          'discountSome', ${sum('discount_some')}, 'discountMostly', ${sum('discount_mostly')},
          'bothChannels', ${sum('both_channels')})
          from in_period) as totals,
       (select json_agg(p order by p.bucket) from (
          select to_char(day, '${monthly ? 'YYYY-MM' : 'YYYY-MM-DD'}') as bucket, ${sum('orders')} as orders,
                 ${sum('new_net')} as "newNetCents", ${sum('gross - refunded - new_net')} as "returningNetCents"
            from in_period group by 1) p) as series,
       (select json_agg(cell order by cell.month, cell.k) from (
          select to_char(first_month, 'YYYY-MM') as month,
                 ((extract(year from day) - extract(year from first_month)) * 12
                   + extract(month from day) - extract(month from first_month))::int as k,
                 ${sum('cohort_active')} as customers
            from in_period where first_month >= date_trunc('month', $2::date::timestamp) group by 1, 2
           having ${sum('cohort_active')} > 0) cell) as cohorts,
       (select json_build_object('count', count(*), 'median', percentile_cont(0.5) within group (order by gap))
          from gaps) as gaps,
       ${
         returns
           ? `(select json_build_object('atStart', ${sum('back_at_start')},
                 'reactivated', coalesce(sum(back_at_start) filter (where day <= $3), 0)::float8,
                 'atEnd', ${sum('back_at_end')})
                 from g)`
           : 'null'
       } as returned`,
    [shopId, period.fromDay, period.toDay, ...params, ...(returns ? [dormantDays] : [])],
  );
  return row!;
}

/** The cohort cells as rows, one per month of first purchase, with a cell for every month up to `lastDay`. */
function cohortsOf(cells: { month: string; k: number; customers: number }[], lastDay: string): Cohort[] {
  const [ey, em] = lastDay.split('-').map(Number) as [number, number];
  return [...new Set(cells.map((c) => c.month))].map((month) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const span = (ey - y) * 12 + (em - m) + 1;
    const active = Array.from(
      { length: span },
      (_, k) => cells.find((c) => c.month === month && c.k === k)?.customers ?? 0,
    );
    return { month, customers: active[0]!, active };
  });
}
