-- customer_brands: what each customer has bought, by brand (lowercased, as segments compare brands):
-- when first and last, and in how many orders, as customer_categories (migration 0018) keeps by
-- category. The segment condition "bought brand B (in the last N days, in at least N orders)" tests
-- these rows instead of the customer's orders and their items: in the demo shop (20,000 customers) a
-- count of "bought Velvet Lip in two orders or more" took 310 ms that way, and it grows with the orders.
-- Kept by ingestion and merges in the same transaction as the orders (orders/bought.ts). A line returned
-- in full was not bought (migration 0042).
create table customer_brands (
  shop_id uuid not null,
  customer_id uuid not null,
  brand text not null,
  first_at timestamptz not null,
  last_at timestamptz not null,
  orders integer not null check (orders > 0),
  -- No foreign key to customers, as for orders (docs/design-notes.md): ingestion and merges write it.
  primary key (shop_id, customer_id, brand)
);
-- Who bought a brand since a moment: all a count reads of this table.
create index customer_brands_by_last on customer_brands (shop_id, brand, last_at) include (customer_id);

insert into customer_brands (shop_id, customer_id, brand, first_at, last_at, orders)
select o.shop_id, o.customer_id, lower(i.brand), min(o.ordered_at), max(o.ordered_at), count(distinct o.order_id)
  from orders o
  join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
 where o.status in ('paid', 'shipped', 'completed', 'partially_refunded') and i.brand is not null
   and i.refunded_quantity < i.quantity
 group by 1, 2, 3;
analyze customer_brands;
