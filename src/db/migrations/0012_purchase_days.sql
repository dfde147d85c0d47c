-- Measure's rollups, kept by ingestion in the same transaction as the orders (analytics/rollup.ts).
-- The dashboard's figures are about customers over days: who bought in a period, who was new, who came
-- back after going dormant. Read from the orders, each figure groups millions of wide rows by customer;
-- read from these, it is a count of narrow rows in a range of days.
--
-- purchase_days: one row per customer and local day (the shop's time zone) with a purchase (orders/status.ts
-- says what counts), with that day's sums and where it sits in the customer's history: the previous and
-- next purchase day ('-infinity' before the first, 'infinity' after the last), the first purchase day, and
-- counts of purchases before it. So "bought in the period" is one row per customer — the row whose previous
-- day is before the period — and no figure needs to gather a customer's rows together.
create table purchase_days (
  shop_id uuid not null,
  customer_id uuid not null,
  day date not null,
  orders integer not null,
  gross_cents bigint not null,
  refunded_cents bigint not null,
  refunded_orders integer not null,
  -- with a discount or a coupon code
  discounted_orders integer not null,
  discounted_gross_cents bigint not null,
  online_orders integer not null,
  offline_orders integer not null,
  -- what the day's earliest order came to after refunds: a new customer's first sale when day = first_day
  opening_net_cents bigint not null,
  first_day date not null,
  prev_day date not null,
  next_day date not null,
  -- the last day before this one with an online (offline) purchase, '-infinity' if none
  prev_online_day date not null,
  prev_offline_day date not null,
  purchases_before integer not null,
  discounted_before integer not null,
  primary key (shop_id, day, customer_id)
);
create index purchase_days_by_customer on purchase_days (shop_id, customer_id, day);
-- A period is a range of days. Rows arrive roughly in day order, so a block range index finds a month's
-- rows in a few hundred blocks; the primary key's ranges would too, but the planner prices them as
-- scattered (it sees the shop and day columns' order apart) and reads the whole table instead.
create index purchase_days_by_day on purchase_days using brin (shop_id, day)
  with (pages_per_range = 16, autosummarize = on);
-- Customers' second purchases ever, whose gaps from the first the dashboard takes the median of.
create index purchase_days_second on purchase_days (shop_id, day)
  where purchases_before = 1 or (purchases_before = 0 and orders >= 2);
-- A period's pass groups its rows by day and the month their customer started: a few thousand groups,
-- which without these statistics the planner guesses at hundreds of thousands, and sorts on disk for.
create statistics purchase_days_by_month (ndistinct)
  on day, (date_trunc('month', first_day::timestamp)::date) from purchase_days;

-- purchase_pairs: how many customers bought on `day` and next on `next_day` — every pair of consecutive
-- purchase days, with ('-infinity', first day) for each customer's first and (last day, 'infinity') for
-- their last. Dormancy at any moment is a sum over it: customers whose last purchase before the moment is
-- older than N days and whose next is after it. Its size grows with the days of history squared (a quarter
-- of a million cells for two years), not with customers or orders.
create table purchase_pairs (
  shop_id uuid not null,
  day date not null,
  next_day date not null,
  customers integer not null,
  primary key (shop_id, day, next_day)
);

-- The purchase days of a shop's customers (all of them when customer_ids is null) that come after the
-- last day stored for each, computed from their orders and placed after that stored day (the customer's
-- history up to it is read from its row, not recomputed). The rollup module deletes a customer's days
-- from the one before a change and then inserts these; this migration inserts them for every order
-- already in. Reading only the orders after the stored days keeps an order's upkeep independent of how
-- many orders its buyer had before.
create function purchase_days_to_add(p_shop_id uuid, p_customer_ids uuid[])
returns setof purchase_days
language sql stable
as $$
  with asked as (
    select customer_id from unnest(p_customer_ids) as customer_id
    union all
    select customer_id from customers where shop_id = p_shop_id and p_customer_ids is null
  ),
  stored as (
    select a.customer_id, s.time_zone, b.day, b.first_day, b.purchases_before + b.orders as purchases,
           b.discounted_before + b.discounted_orders as discounted,
           case when b.online_orders > 0 then b.day else b.prev_online_day end as online_day,
           case when b.offline_orders > 0 then b.day else b.prev_offline_day end as offline_day
      from asked a
      join shops s on s.shop_id = p_shop_id
      left join lateral (
        select * from purchase_days b
         where b.shop_id = p_shop_id and b.customer_id = a.customer_id
         order by b.day desc limit 1
      ) b on true
  ),
  -- Each customer's orders read by their own index range (a lateral subquery), whatever the planner
  -- believes of the table: a shop imported minutes ago has no statistics, and a hash join over all its
  -- orders for every batch made an import quadratic.
  days as (
    select t.customer_id, x.*
      from stored t
      cross join lateral (
        select (o.ordered_at at time zone t.time_zone)::date as day,
               count(*)::int as orders,
               sum(o.total_cents)::bigint as gross_cents,
               sum(o.refunded_cents)::bigint as refunded_cents,
               count(*) filter (where o.refunded_cents > 0)::int as refunded_orders,
               count(*) filter (where o.discount_cents > 0 or o.coupon_code is not null)::int as discounted_orders,
               coalesce(sum(o.total_cents) filter (where o.discount_cents > 0 or o.coupon_code is not null), 0)::bigint
                 as discounted_gross_cents,
               count(*) filter (where o.channel = 'online')::int as online_orders,
               count(*) filter (where o.channel = 'offline')::int as offline_orders,
               (array_agg(o.total_cents - o.refunded_cents order by o.ordered_at, o.order_id))[1] as opening_net_cents
          from orders o
         where o.shop_id = p_shop_id and o.customer_id = t.customer_id
           and o.ordered_at >= (coalesce(t.day + 1, '-infinity')::timestamp at time zone t.time_zone)
           and o.status in ('paid', 'shipped', 'completed', 'refunded', 'partially_refunded')
         group by 1
      ) x
  )
  select p_shop_id, d.customer_id, d.day, d.orders, d.gross_cents, d.refunded_cents, d.refunded_orders,
         d.discounted_orders, d.discounted_gross_cents, d.online_orders, d.offline_orders, d.opening_net_cents,
         coalesce(t.first_day, min(d.day) over w) as first_day,
         coalesce(lag(d.day) over w, t.day, '-infinity') as prev_day,
         coalesce(lead(d.day) over w, 'infinity') as next_day,
         coalesce(max(d.day) filter (where d.online_orders > 0) over before, t.online_day, '-infinity')
           as prev_online_day,
         coalesce(max(d.day) filter (where d.offline_orders > 0) over before, t.offline_day, '-infinity')
           as prev_offline_day,
         (coalesce(t.purchases, 0) + coalesce(sum(d.orders) over before, 0))::int as purchases_before,
         (coalesce(t.discounted, 0) + coalesce(sum(d.discounted_orders) over before, 0))::int as discounted_before
    from days d
    join stored t on t.customer_id = d.customer_id
  window w as (partition by d.customer_id order by d.day),
         before as (partition by d.customer_id order by d.day rows between unbounded preceding and 1 preceding)
$$;

-- In day order: periods read ranges of days, and most later rows arrive in day order too.
insert into purchase_days
select d.* from shops s, purchase_days_to_add(s.shop_id, null) d order by d.day;

insert into purchase_pairs
select shop_id, day, next_day, count(*)::int from purchase_days group by 1, 2, 3
union all
select shop_id, '-infinity', day, count(*)::int from purchase_days where prev_day = '-infinity' group by 1, 3;
