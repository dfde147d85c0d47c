// Sales, the customers behind them, retention and dormancy, for a period. What counts, everywhere here:
// - an order is a purchase (paid, shipped, completed, or refunded in part or in whole; never pending or
//   cancelled) placed in the period, by its time in the shop's time zone;
// - gross is what the orders were for, refunds what was given back of them, net the difference;
// - an order is a new customer's when it is the customer's first purchase ever, a returning customer's
//   otherwise (so one customer's first and second order in the period count one each way);
// - a customer is dormant at a moment when their last purchase before it is more than `dormantDays` old.
//
// The figures come from two passes over orders, each joined to its customer's row (first and last
// purchase, purchase count, kept by ingestion): the period's orders for its sales, and the orders from
// `dormantDays` before it to its end for dormancy (those before it say who was dormant when it began,
// those near its end who was by then). Nothing is looked up customer by customer, which at a million
// customers costs seconds.
import type { Queryable } from '../db/db.js';
import { PURCHASE_SQL } from '../orders/status.js';
import type { Audience, Period } from './period.js';

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
  /** For customers whose second purchase ever fell in the period: the median days from the first. */
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
  /** Customers by how many of their orders in the period were discounted: none, some, at least half. */
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

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Everything for the period: its sales and its dormancy, whose passes a server runs at once. */
export async function periodFigures(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
  dormantDays: number,
): Promise<PeriodFigures> {
  const [sales, dormancy] = await Promise.all([
    salesFigures(db, shopId, period, audience),
    dormancyFigures(db, shopId, period, audience, dormantDays),
  ]);
  return { ...sales, dormancy };
}

/** The period's sales, the customers behind them, the chart and the cohorts: one pass over its orders. */
export async function salesFigures(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
): Promise<Omit<PeriodFigures, 'dormancy'>> {
  const params = [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params];
  const figures = await periodSales(db, period, audience, params, 4 + audience.params.length);
  const { sales: s, people: p, gaps } = figures;
  const netCents = s.grossCents! - s.refundedCents!;
  const sales: SalesOverview = {
    orders: s.orders!,
    customers: p.customers!,
    grossCents: s.grossCents!,
    refundedCents: s.refundedCents!,
    netCents,
    newCustomers: s.newCustomers!,
    newNetCents: s.newNetCents!,
    returningOrders: s.returningOrders!,
    returningCustomers: p.returningCustomers!,
    returningNetCents: s.returningNetCents!,
    returningShare: ratio(s.returningNetCents!, netCents),
    previousBuyers: figures.previous,
    returningConversion: ratio(p.convertedPrevious!, figures.previous),
    repeatCustomers: p.repeatCustomers!,
    repurchaseRate: ratio(p.repeatCustomers!, p.customers!),
    secondOrders: gaps.count,
    medianDaysToSecondOrder: gaps.median === null ? null : Math.round(gaps.median * 10) / 10,
    aovCents: s.orders! > 0 ? Math.round(s.grossCents! / s.orders!) : null,
    frequency: ratio(s.orders!, p.customers!),
    refundedOrders: s.refundedOrders!,
    refundOrderRate: ratio(s.refundedOrders!, s.orders!),
    refundAmountRate: ratio(s.refundedCents!, s.grossCents!),
    discountedOrders: s.discountedOrders!,
    discountOrderShare: ratio(s.discountedOrders!, s.orders!),
    discountRevenueShare: ratio(s.discountedGrossCents!, s.grossCents!),
    customersByDiscount: { none: p.discountNone!, some: p.discountSome!, mostly: p.discountMostly! },
    channels: {
      onlineOrders: s.onlineOrders!,
      offlineOrders: s.offlineOrders!,
      bothChannelsCustomers: p.bothChannels!,
    },
  };
  return {
    sales,
    series: figures.series ?? [],
    cohorts: cohortsOf(figures.cohorts ?? [], period.toDay),
  };
}

/** Who was dormant when the period began and came back in it, and who was dormant at its end. */
export async function dormancyFigures(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
  days: number,
): Promise<Dormancy> {
  const params = [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params, days];
  const next = 4 + audience.params.length;
  const [flags, [counts]] = await Promise.all([
    dormancyFlags(db, audience, params, next),
    db.query<{ old: number; buyers: number }>(
      `select count(*) filter (where c.first_order_at < $2::timestamptz - make_interval(days => $${next}))::int as old,
              count(*)::int as buyers
         from customers c where c.shop_id = $1 and c.first_order_at < $3 and ${audience.where}`,
      params,
    ),
  ]);
  const { old, buyers } = counts!;
  const dormant = old - flags.activeJustBefore;
  const churned = buyers - flags.activeNearEnd;
  return {
    days,
    dormant,
    reactivated: flags.reactivated,
    rate: ratio(flags.reactivated, dormant),
    buyers,
    churned,
    churnRate: ratio(churned, buyers),
  };
}

/** The period's orders, each with its customer's row: sales, the customers behind them, the chart, cohorts. */
async function periodSales(
  db: Queryable,
  period: Period,
  audience: Audience,
  params: unknown[],
  next: number,
) {
  const tz = `$${next}`;
  const monthly = (period.end.getTime() - period.start.getTime()) / 86_400_000 > 92;
  const [row] = await db.query<{
    sales: Record<string, number>;
    people: Record<string, number>;
    gaps: { count: number; median: number | null };
    series: SalesPoint[] | null;
    cohorts: { month: string; k: number; customers: number }[] | null;
    previous: number;
  }>(
    `with w as materialized (
       select o.customer_id, o.ordered_at, o.total_cents, o.refunded_cents, o.channel,
              (o.discount_cents > 0 or o.coupon_code is not null) as discounted,
              o.ordered_at <= c.first_order_at as first_purchase,
              c.first_order_at, c.last_order_at, c.order_count
         from orders o
         join customers c on c.shop_id = o.shop_id and c.customer_id = o.customer_id
        where o.shop_id = $1 and o.${PURCHASE_SQL} and o.ordered_at >= $2 and o.ordered_at < $3 and ${audience.where}
     ),
     pc as materialized (
       select customer_id, min(first_order_at) as first_at, min(last_order_at) as last_at,
              min(order_count) as order_count, count(*) as n,
              count(*) filter (where discounted) as discounted,
              bool_or(channel = 'online') and bool_or(channel = 'offline') as both_channels,
              -- The first order in the period, and a new customer's second (the earliest not their first).
              min(ordered_at) as first_in, min(ordered_at) filter (where not first_purchase) as second_in
         from w group by customer_id
     ),
     -- Second purchases ever in the period: a new customer's second order in it, or the first order in it
     -- of a customer with exactly one purchase before it (their count, less those in and after it).
     gaps as (
       select case when first_at >= $2 then second_in else first_in end - first_at as gap
         from pc
        where case
                when first_at >= $2 then n >= 2
                else order_count - n - case when last_at >= $3 then (
                       select count(*) from orders o
                        where o.shop_id = $1 and o.customer_id = pc.customer_id and o.${PURCHASE_SQL} and o.ordered_at >= $3)
                     else 0 end = 1
              end
     )
     select
       (select json_build_object(
          'orders', count(*), 'grossCents', coalesce(sum(total_cents), 0), 'refundedCents', coalesce(sum(refunded_cents), 0),
          'newCustomers', count(*) filter (where first_purchase),
          'newNetCents', coalesce(sum(total_cents - refunded_cents) filter (where first_purchase), 0),
          'returningOrders', count(*) filter (where not first_purchase),
          'returningNetCents', coalesce(sum(total_cents - refunded_cents) filter (where not first_purchase), 0),
          'refundedOrders', count(*) filter (where refunded_cents > 0),
          'discountedOrders', count(*) filter (where discounted),
          'discountedGrossCents', coalesce(sum(total_cents) filter (where discounted), 0),
          'onlineOrders', count(*) filter (where channel = 'online'),
          'offlineOrders', count(*) filter (where channel = 'offline'))
          from w) as sales,
       (select json_build_object(
          'customers', count(*),
          'returningCustomers', count(*) filter (where n > case when first_at >= $2 then 1 else 0 end),
          'convertedPrevious', count(*) filter (where first_at < $2),
          'repeatCustomers', count(*) filter (where n >= 2),
          'discountNone', count(*) filter (where discounted = 0),
          'discountSome', count(*) filter (where discounted > 0 and discounted * 2 < n),
          'discountMostly', count(*) filter (where discounted > 0 and discounted * 2 >= n),
          'bothChannels', count(*) filter (where both_channels))
          from pc) as people,
       (select json_build_object('count', count(*),
               'median', percentile_cont(0.5) within group (order by extract(epoch from gap) / 86400))
          from gaps) as gaps,
       (select json_agg(s order by s.bucket) from (
          select to_char(ordered_at at time zone ${tz}, '${monthly ? 'YYYY-MM' : 'YYYY-MM-DD'}') as bucket,
                 count(*) as orders,
                 coalesce(sum(total_cents - refunded_cents) filter (where first_purchase), 0) as "newNetCents",
                 coalesce(sum(total_cents - refunded_cents) filter (where not first_purchase), 0) as "returningNetCents"
            from w group by 1) s) as series,
       (select json_agg(cell order by cell.month, cell.k) from (
          select to_char(first_order_at at time zone ${tz}, 'YYYY-MM') as month,
                 ((extract(year from ordered_at at time zone ${tz}) - extract(year from first_order_at at time zone ${tz})) * 12
                   + extract(month from ordered_at at time zone ${tz}) - extract(month from first_order_at at time zone ${tz}))::int as k,
                 count(distinct customer_id) as customers
            from w where first_order_at >= $2 group by 1, 2) cell) as cohorts,
       (select count(*) from customers c where c.shop_id = $1 and c.first_order_at < $2 and ${audience.where})::int
         as previous`,
    [...params, period.timeZone],
  );
  return row!;
}

/**
 * Who bought in the `days` before the period (so was not dormant when it began), who of the dormant came
 * back in it, and who bought in the `days` before its end (so was not churned by then).
 */
async function dormancyFlags(
  db: Queryable,
  audience: Audience,
  params: unknown[],
  next: number,
): Promise<{ activeJustBefore: number; reactivated: number; activeNearEnd: number }> {
  const back = (at: string) => `${at}::timestamptz - make_interval(days => $${next})`;
  const [row] = await db.query<{ activeJustBefore: number; reactivated: number; activeNearEnd: number }>(
    `select count(*) filter (where old and just_before)::int as "activeJustBefore",
            count(*) filter (where old and not just_before and in_period)::int as reactivated,
            count(*) filter (where near_end)::int as "activeNearEnd"
       from (
         select bool_or(c.first_order_at < ${back('$2')}) as old,
                bool_or(o.ordered_at < $2) as just_before,
                bool_or(o.ordered_at >= $2) as in_period,
                bool_or(o.ordered_at >= ${back('$3')}) as near_end
           from orders o
           join customers c on c.shop_id = o.shop_id and c.customer_id = o.customer_id
          where o.shop_id = $1 and o.${PURCHASE_SQL} and o.ordered_at >= ${back('$2')}
            and o.ordered_at < $3 and ${audience.where}
          group by o.customer_id
       ) x`,
    params,
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
