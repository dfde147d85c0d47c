// Sales and the customers behind them, for a period. What counts, everywhere here:
// - an order is a purchase (paid, shipped, completed, or refunded in part or in whole; never pending or
//   cancelled) placed in the period, by its time in the shop's time zone;
// - gross is what the orders were for, refunds what was given back of them, net the difference;
// - an order is a new customer's when it is the customer's first purchase ever, a returning customer's
//   otherwise (so one customer's first and second order in the period count one each way).
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

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Orders of the period, each with what the figures need; $1 shop, $2–$3 the period, audience after. */
const PERIOD_ORDERS = (audience: Audience) => `
  select o.customer_id, o.order_id, o.ordered_at, o.total_cents, o.refunded_cents, o.channel,
         o.ordered_at <= c.first_order_at as first_purchase,
         c.first_order_at < $2 as bought_before,
         (o.discount_cents > 0 or o.coupon_code is not null) as discounted
    from orders o
    join customers c on c.shop_id = o.shop_id and c.customer_id = o.customer_id
   where o.shop_id = $1 and o.${PURCHASE_SQL} and o.ordered_at >= $2 and o.ordered_at < $3 and ${audience.where}`;

export async function salesOverview(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
): Promise<SalesOverview> {
  const params = [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params];
  const [s] = await db.query<Record<string, number>>(
    `with o as (${PERIOD_ORDERS(audience)}),
     per_customer as (
       select customer_id, count(*) as orders, count(*) filter (where discounted) as discounted,
              bool_or(bought_before) as bought_before, count(distinct channel) as channels
         from o group by customer_id
     )
     select (select count(*) from o)::int as orders,
            (select count(*) from per_customer)::int as customers,
            (select coalesce(sum(total_cents), 0) from o)::int8 as "grossCents",
            (select coalesce(sum(refunded_cents), 0) from o)::int8 as "refundedCents",
            (select count(*) filter (where first_purchase) from o)::int as "newCustomers",
            (select coalesce(sum(total_cents - refunded_cents) filter (where first_purchase), 0) from o)::int8 as "newNetCents",
            (select count(*) filter (where not first_purchase) from o)::int as "returningOrders",
            (select count(distinct customer_id) filter (where not first_purchase) from o)::int as "returningCustomers",
            (select coalesce(sum(total_cents - refunded_cents) filter (where not first_purchase), 0) from o)::int8 as "returningNetCents",
            (select count(*) filter (where bought_before) from per_customer)::int as "convertedPrevious",
            (select count(*) from customers c where c.shop_id = $1 and c.first_order_at < $2 and ${audience.where})::int
              as "previousBuyers",
            (select count(*) filter (where orders >= 2) from per_customer)::int as "repeatCustomers",
            (select count(*) filter (where refunded_cents > 0) from o)::int as "refundedOrders",
            (select count(*) filter (where discounted) from o)::int as "discountedOrders",
            (select coalesce(sum(total_cents) filter (where discounted), 0) from o)::int8 as "discountedGrossCents",
            (select count(*) filter (where discounted = 0) from per_customer)::int as "discountNone",
            (select count(*) filter (where discounted > 0 and discounted * 2 < orders) from per_customer)::int as "discountSome",
            (select count(*) filter (where discounted * 2 >= orders and discounted > 0) from per_customer)::int as "discountMostly",
            (select count(*) filter (where channel = 'online') from o)::int as "onlineOrders",
            (select count(*) filter (where channel = 'offline') from o)::int as "offlineOrders",
            (select count(*) filter (where channels = 2) from per_customer)::int as "bothChannels"`,
    params,
  );
  const second = await secondOrders(db, shopId, period, audience);
  const r = s!;
  const netCents = r.grossCents! - r.refundedCents!;
  return {
    orders: r.orders!,
    customers: r.customers!,
    grossCents: r.grossCents!,
    refundedCents: r.refundedCents!,
    netCents,
    newCustomers: r.newCustomers!,
    newNetCents: r.newNetCents!,
    returningOrders: r.returningOrders!,
    returningCustomers: r.returningCustomers!,
    returningNetCents: r.returningNetCents!,
    returningShare: ratio(r.returningNetCents!, netCents),
    previousBuyers: r.previousBuyers!,
    returningConversion: ratio(r.convertedPrevious!, r.previousBuyers!),
    repeatCustomers: r.repeatCustomers!,
    repurchaseRate: ratio(r.repeatCustomers!, r.customers!),
    secondOrders: second.count,
    medianDaysToSecondOrder: second.medianDays,
    aovCents: r.orders! > 0 ? Math.round(r.grossCents! / r.orders!) : null,
    frequency: ratio(r.orders!, r.customers!),
    refundedOrders: r.refundedOrders!,
    refundOrderRate: ratio(r.refundedOrders!, r.orders!),
    refundAmountRate: ratio(r.refundedCents!, r.grossCents!),
    discountedOrders: r.discountedOrders!,
    discountOrderShare: ratio(r.discountedOrders!, r.orders!),
    discountRevenueShare: ratio(r.discountedGrossCents!, r.grossCents!),
    customersByDiscount: { none: r.discountNone!, some: r.discountSome!, mostly: r.discountMostly! },
    channels: {
      onlineOrders: r.onlineOrders!,
      offlineOrders: r.offlineOrders!,
      bothChannelsCustomers: r.bothChannels!,
    },
  };
}

/** Second purchases ever that fell in the period, and the median days from the first purchase to them. */
async function secondOrders(db: Queryable, shopId: string, period: Period, audience: Audience) {
  const [row] = await db.query<{ count: number; medianDays: number | null }>(
    `select count(*)::int as count,
            percentile_cont(0.5) within group (order by extract(epoch from s.second_at - c.first_order_at) / 86400)::float8
              as "medianDays"
       from customers c
       cross join lateral (
         select o.ordered_at as second_at from orders o
          where o.shop_id = c.shop_id and o.customer_id = c.customer_id and o.${PURCHASE_SQL}
          order by o.ordered_at, o.order_id offset 1 limit 1
       ) s
      where c.shop_id = $1 and c.order_count >= 2 and c.first_order_at < $3 and c.last_order_at >= $2
        and s.second_at >= $2 and s.second_at < $3 and ${audience.where}`,
    [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params],
  );
  return {
    count: row!.count,
    medianDays: row!.medianDays === null ? null : Math.round(row!.medianDays * 10) / 10,
  };
}

export interface SalesPoint {
  /** The local day (or month, for long periods) the figures are for: YYYY-MM-DD or YYYY-MM. */
  bucket: string;
  orders: number;
  newNetCents: number;
  returningNetCents: number;
}

/** Net sales of new and returning customers by local day (by month past 92 days), for the chart. */
export async function salesSeries(
  db: Queryable,
  shopId: string,
  period: Period,
  audience: Audience,
): Promise<SalesPoint[]> {
  const monthly = (period.end.getTime() - period.start.getTime()) / 86_400_000 > 92;
  const tz = `$${4 + audience.params.length}`;
  return db.query<SalesPoint>(
    `with o as (${PERIOD_ORDERS(audience)})
     select to_char(o.ordered_at at time zone ${tz}, '${monthly ? 'YYYY-MM' : 'YYYY-MM-DD'}') as bucket,
            count(*)::int as orders,
            coalesce(sum(total_cents - refunded_cents) filter (where first_purchase), 0)::int8 as "newNetCents",
            coalesce(sum(total_cents - refunded_cents) filter (where not first_purchase), 0)::int8 as "returningNetCents"
       from o group by 1 order by 1`,
    [shopId, period.start.toISOString(), period.end.toISOString(), ...audience.params, period.timeZone],
  );
}
