-- How many customers each shop has, kept by statement-level triggers on customers. A segment count
-- answers "N of M customers"; for a rule with order-history conditions M was a pass of its own over the
-- shop's customer rows (200 ms of a 400 ms count at a million customers on PostgreSQL), since such a rule
-- is counted in a WHERE clause (segments/segments.ts). Customers are created and merged away only under
-- the shop's ingest lock (customers/resolve.ts), so the counter row adds no waiting of its own.
create table shop_customer_counts (
  shop_id uuid primary key references shops on delete cascade,
  customers bigint not null check (customers >= 0)
);

insert into shop_customer_counts (shop_id, customers)
select s.shop_id, (select count(*) from customers c where c.shop_id = s.shop_id) from shops s;

-- A shop's row comes with its first customer; one that loses customers has a row already (the
-- proposed row of an insert meets the check before its conflict is found, so a decrement is an update).
create function shop_customers_counted() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into shop_customer_counts as n (shop_id, customers)
    select shop_id, count(*) from changed group by shop_id
    on conflict (shop_id) do update set customers = n.customers + excluded.customers;
  else
    update shop_customer_counts n set customers = n.customers - d.customers
      from (select shop_id, count(*) as customers from changed group by shop_id) d
     where n.shop_id = d.shop_id;
  end if;
  return null;
end $$;

create trigger customers_counted_in after insert on customers
  referencing new table as changed for each statement execute function shop_customers_counted();
create trigger customers_counted_out after delete on customers
  referencing old table as changed for each statement execute function shop_customers_counted();
