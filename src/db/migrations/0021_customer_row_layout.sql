-- The customer table rebuilt with the same columns in a new order and half of each page left free.
--
-- Order: a segment count reads every customer row of the shop, and PostgreSQL unpacks a row's columns
-- one after another up to the last one the rule needs; the stats, tier, points, RFM and prediction
-- columns sat behind a dozen text columns (they were added by later migrations). Fixed-width columns
-- that rules read now come first, then the short text ones rules read, then the contact details.
-- Timed at 1M customers on PostgreSQL, a count on spend and last order: 205–213 ms → 178–186 ms.
--
-- Room: the nightly RFM and prediction runs rewrite most rows. With 80 % fill, a rewritten row rarely fit
-- on its own page, so each run moved rows elsewhere and touched both indexes for every one of them
-- (10.6 s and 8.4 s for the two updates at 1M), and the table settled at 2.7 times its rows' size
-- (861 MB for 320 MB of rows, and counts a third slower than on a packed copy). At 50 % nearly every
-- rewrite is a HOT update on its own page (2.3 s and 2.7 s), the old version is pruned there, and the
-- table stays at twice its rows' size; only the first night after a bulk load still moves many rows
-- (bench/RESULTS.md). An order's update of its buyer's stats is HOT for the same reason (see 0001).
create table customers_rebuilt (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  customer_id uuid not null,
  customer_no bigint generated always as identity,
  spend_cents bigint not null default 0,
  refunded_cents bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  order_count integer not null default 0,
  online_order_count integer not null default 0,
  offline_order_count integer not null default 0,
  points_balance integer not null default 0,
  tier_rank smallint not null default 0,
  first_order_at timestamptz,
  last_order_at timestamptz,
  tier_since timestamptz,
  next_purchase_at timestamptz,
  rfm_monetary_cents bigint,
  predicted_value_cents bigint,
  p_alive double precision,
  expected_orders_12m double precision,
  purchase_cycle_days double precision,
  rfm_recency_days integer,
  rfm_frequency integer,
  birthday date,
  rfm_r smallint,
  rfm_f smallint,
  rfm_m smallint,
  gender text constraint customers_gender_check check (gender in ('female', 'male', 'other')),
  tag_ids uuid[] not null default '{}',
  rfm_segment text,
  province text,
  city text,
  country text,
  first_source text not null,
  tier_hold_until timestamptz,
  tier_grace_until timestamptz,
  predicted_at timestamptz,
  rfm_at timestamptz,
  name text,
  email text,
  phone text,
  member_card text,
  address text,
  company text,
  job_title text,
  constraint customers_pkey_rebuilt primary key (shop_id, customer_id)
) with (fillfactor = 50);

-- In the new table's column order.
insert into customers_rebuilt overriding system value
select
  shop_id, customer_id, customer_no, spend_cents, refunded_cents, created_at, updated_at, order_count,
  online_order_count, offline_order_count, points_balance, tier_rank, first_order_at, last_order_at,
  tier_since, next_purchase_at, rfm_monetary_cents, predicted_value_cents, p_alive, expected_orders_12m,
  purchase_cycle_days, rfm_recency_days, rfm_frequency, birthday, rfm_r, rfm_f, rfm_m, gender, tag_ids,
  rfm_segment, province, city, country, first_source, tier_hold_until, tier_grace_until, predicted_at,
  rfm_at, name, email, phone, member_card, address, company, job_title
from customers
order by shop_id, customer_no;

-- New customers go on numbering after the highest number given so far.
select setval(pg_get_serial_sequence('customers_rebuilt', 'customer_no'),
              coalesce((select max(customer_no) from customers), 0) + 1, false);

drop table customers;
alter table customers_rebuilt rename to customers;
alter table customers rename constraint customers_pkey_rebuilt to customers_pkey;
alter table customers rename constraint customers_rebuilt_shop_id_fkey to customers_shop_id_fkey;
alter sequence customers_rebuilt_customer_no_seq rename to customers_customer_no_seq;

-- What went with the old table, as 0001, 0017 and 0019 made it.
create index customers_by_name on customers (shop_id, lower(name) text_pattern_ops);
create statistics customers_by_block on (customer_no >> 12) from customers;
create trigger customers_counted_in after insert on customers
  referencing new table as changed for each statement execute function shop_customers_counted();
create trigger customers_counted_out after delete on customers
  referencing old table as changed for each statement execute function shop_customers_counted();
analyze customers;
