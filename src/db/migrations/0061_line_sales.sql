-- line_sales: what the shop sold by category and by brand, per local day of the orders (the shop's time
-- zone): the dashboard's "sales by category / brand" panel sums a period's rows. Grouping the period's
-- orders and their lines instead took 5.3 s for twelve months of a shop with five million orders on
-- PostgreSQL here (two full scans and a hash join that spilled). A row per day, kind and name (lowercased,
-- as segments compare them; '' for lines that name none, so each kind's rows add up to all the lines) is a
-- few dozen rows a day.
--
-- Every purchase counts (paid, shipped, completed, refunded in part or in whole; as the dashboard's sales):
-- its lines sold `units` for `gross_cents` (quantity × unit price), and gave back `returned_units` for
-- `returned_cents`: the units returned on each line, or every unit of a wholly refunded order. Money
-- refunded on an order without naming lines comes off no category. `orders` counts each order once per
-- name. Kept by ingestion in the same transaction as the orders (analytics/lineRollup.ts): a new order
-- adds its lines, a changed one (status, a line returned) takes its old lines away and adds its new ones,
-- so a row may fall to zero rather than be deleted.
create table line_sales (
  shop_id uuid not null,
  kind text not null check (kind in ('category', 'brand')),
  day date not null,
  name text not null,
  -- The name as the latest order written to the row spelled it: what the panel shows.
  spelled text not null,
  orders integer not null,
  units bigint not null,
  gross_cents bigint not null,
  returned_units bigint not null,
  returned_cents bigint not null,
  primary key (shop_id, kind, day, name)
);

insert into line_sales (shop_id, kind, day, name, spelled, orders, units, gross_cents, returned_units, returned_cents)
select o.shop_id, k.kind, (o.ordered_at at time zone s.time_zone)::date, lower(k.name), max(k.name),
       count(distinct o.order_id), sum(i.quantity), sum(i.quantity * i.unit_price_cents),
       sum(case when o.status = 'refunded' then i.quantity else i.refunded_quantity end),
       sum(case when o.status = 'refunded' then i.quantity else i.refunded_quantity end * i.unit_price_cents)
  from orders o
  join shops s on s.shop_id = o.shop_id
  join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
  cross join lateral (values ('category', coalesce(i.category, '')), ('brand', coalesce(i.brand, ''))) k(kind, name)
 where o.status in ('paid', 'shipped', 'completed', 'refunded', 'partially_refunded')
 group by 1, 2, 3, 4;
analyze line_sales;
