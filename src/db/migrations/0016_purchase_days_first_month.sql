-- purchase_days.first_month: the month of the customer's first purchase, which a period's pass over the
-- purchase days groups by (with the day) for the cohorts. Worked out in that pass, truncating each row's
-- first day to its month (through a timestamp) cost a fifth of it on PGlite; stored, the pass reads a
-- column. The statistics move to the column: they keep the planner hashing the few thousand (day, month)
-- groups rather than sorting millions of rows on disk.
alter table purchase_days
  add column first_month date generated always as (date_trunc('month', first_day::timestamp)::date) stored;

drop statistics purchase_days_by_month;
create statistics purchase_days_by_month (ndistinct) on day, first_month from purchase_days;
analyze purchase_days;

-- The function that works out new purchase days returned the table's rows; it now returns the columns
-- that are stored (its body as in migration 0014), and ingestion inserts them by name
-- (analytics/rollup.ts), the generated column taking its own value.
drop function purchase_days_to_add(uuid, uuid[]);
create function purchase_days_to_add(p_shop_id uuid, p_customer_ids uuid[])
returns table (
  shop_id uuid, customer_id uuid, day date, orders integer, gross_cents bigint, refunded_cents bigint,
  refunded_orders integer, discounted_orders integer, discounted_gross_cents bigint, online_orders integer,
  offline_orders integer, opening_net_cents bigint, first_day date, prev_day date, next_day date,
  prev_online_day date, prev_offline_day date, purchases_before integer, discounted_before integer,
  customer_no bigint
)
language sql stable
as $$
  with asked as (
    select c.customer_id, c.customer_no
      from unnest(p_customer_ids) as a(customer_id)
      join customers c on c.shop_id = p_shop_id and c.customer_id = a.customer_id
    union all
    select customer_id, customer_no from customers where shop_id = p_shop_id and p_customer_ids is null
  ),
  stored as (
    select a.customer_id, a.customer_no, s.time_zone, b.day, b.first_day, b.purchases_before + b.orders as purchases,
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
         (coalesce(t.discounted, 0) + coalesce(sum(d.discounted_orders) over before, 0))::int as discounted_before,
         t.customer_no
    from days d
    join stored t on t.customer_id = d.customer_id
  window w as (partition by d.customer_id order by d.day),
         before as (partition by d.customer_id order by d.day rows between unbounded preceding and 1 preceding)
$$;
