-- Each customer's brand row (migration 0059) keeps the brand as the customer last bought it spelled, so
-- that the console offers a brand as most of its latest buyers know it ("Velvet Lip", not the "VELVET
-- LIP" one source writes): orders/bought.ts.
alter table customer_brands add column spelled text;

update customer_brands b
   set spelled = s.brand
  from (select distinct on (o.customer_id, lower(i.brand)) o.customer_id, lower(i.brand) as name, i.brand
          from orders o
          join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
         where o.status in ('paid', 'shipped', 'completed', 'partially_refunded') and i.brand is not null
           and i.refunded_quantity < i.quantity
         order by o.customer_id, lower(i.brand), o.ordered_at desc) s
 where b.customer_id = s.customer_id and b.brand = s.name;

-- Every row has its spelling now, and every row written from now on comes with one.
alter table customer_brands alter column spelled set not null;

-- The catalog reads a brand's latest buyers' spellings from the index alone.
drop index customer_brands_by_last;
create index customer_brands_by_last on customer_brands (shop_id, brand, last_at) include (customer_id, spelled);
