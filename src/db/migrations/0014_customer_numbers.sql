-- A number per customer, dense across the database, carried onto their purchase days. A segment's
-- dashboard pass asks of each of a period's purchase days whether its customer is a member: joined to
-- the members' customer rows, that was a hash of half a million uuids probed millions of times, which
-- spilled to disk and took most of the dashboard's time. With numbers, the members travel as a bitmap
-- (a bit per number from the lowest member's, 125 kB for a million) that each row tests by position
-- (analytics/members.ts).
alter table customers add column customer_no bigint generated always as identity;

alter table purchase_days add column customer_no bigint;
update purchase_days d set customer_no = c.customer_no
  from customers c where c.shop_id = d.shop_id and c.customer_id = d.customer_id;
alter table purchase_days alter column customer_no set not null;
-- The update wrote every row again after the old ones, leaving the table twice its size with the first
-- half dead; rewritten in key order (shop, day), it is compact and in the day order periods read it by.
cluster purchase_days using purchase_days_pkey;

-- As in migration 0012, with each customer's number read from their row. Customers merged away (a merge
-- refreshes their days too) have no row, and no orders left to add days for.
create or replace function purchase_days_to_add(p_shop_id uuid, p_customer_ids uuid[])
returns setof purchase_days
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
