-- Foundation: shops (tenants), staff and API keys, customers with their identities, orders with items,
-- the customer timeline, and imports with their row-level reports.
-- Citus-ready: every table carries shop_id, which leads every primary and unique key and every foreign
-- key (test/catalog.test.ts reads the catalog and enforces it).

create table shops (
  shop_id uuid primary key,
  name text not null check (length(name) between 1 and 200),
  currency text not null default 'CNY' check (currency ~ '^[A-Z]{3}$'),
  time_zone text not null default 'Asia/Shanghai',
  phone_region text not null default 'CN' check (phone_region ~ '^[A-Z]{2}$'),
  created_at timestamptz not null default now()
);

create table staff (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  staff_id uuid not null,
  email text not null,
  name text not null,
  password_hash text not null,
  role text not null default 'owner' check (role in ('owner', 'admin', 'operator', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (shop_id, staff_id),
  unique (shop_id, email)
);
-- Sign-in knows only the email; the shop follows from the staff row.
create index staff_by_email on staff (email);

create table staff_sessions (
  shop_id uuid not null,
  token_hash bytea not null,
  staff_id uuid not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (shop_id, token_hash),
  foreign key (shop_id, staff_id) references staff (shop_id, staff_id) on delete cascade
);

create table api_keys (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  key_id uuid not null,
  name text not null,
  key_hash bytea not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (shop_id, key_id),
  unique (shop_id, key_hash)
);

create table customers (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  customer_id uuid not null,
  name text,
  email text,
  phone text,
  member_card text,
  gender text check (gender in ('female', 'male', 'other')),
  birthday date,
  country text,
  province text,
  city text,
  address text,
  company text,
  job_title text,
  first_source text not null,
  -- Trading stats, kept current in the same transaction as each order (orders/stats.ts says what counts).
  order_count integer not null default 0,
  online_order_count integer not null default 0,
  offline_order_count integer not null default 0,
  spend_cents bigint not null default 0,
  refunded_cents bigint not null default 0,
  first_order_at timestamptz,
  last_order_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, customer_id)
) with (fillfactor = 80);
-- Every order rewrites its buyer's stats. With free room on each page (fillfactor) and no index on a stats
-- column, those rewrites are HOT updates that touch no index; segment indexes must keep that in mind.
create index customers_by_name on customers (shop_id, lower(name) text_pattern_ops);

-- How a real person is recognised: normalized phone (E.164), lowercase email, member card number,
-- or a platform id written 'platform:id' (taobao:buyer_nick, shopify:123456).
-- No foreign key to customers here or on orders, on purpose: a foreign-key check locks every version
-- in the update chain of the customer row, and a loyal customer's row is rewritten with each order, so
-- checks grew with every order of the import (16 s instead of 2.4 s for 20,000 orders on PGlite).
-- Ingestion and merges are the only writers of both tables; test/integrity.test.ts checks no row is orphaned.
create table customer_identities (
  shop_id uuid not null,
  kind text not null check (kind in ('phone', 'email', 'member_card', 'platform_id')),
  value text not null,
  customer_id uuid not null,
  source text not null,
  created_at timestamptz not null default now(),
  primary key (shop_id, kind, value)
);
create index customer_identities_by_customer on customer_identities (shop_id, customer_id);

-- When two profiles turn out to be one person, the merged id keeps answering (API clients may hold it).
create table customer_merges (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  merged_id uuid not null,
  into_id uuid not null,
  merged_at timestamptz not null default now(),
  primary key (shop_id, merged_id)
);

create table orders (
  shop_id uuid not null,
  order_id uuid not null,
  customer_id uuid not null,
  source text not null,
  external_id text not null,
  channel text not null check (channel in ('online', 'offline')),
  store_id text,
  member_card text,
  status text not null
    check (status in ('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded', 'partially_refunded')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  total_cents bigint not null check (total_cents >= 0),
  discount_cents bigint not null default 0 check (discount_cents >= 0),
  shipping_cents bigint not null default 0 check (shipping_cents >= 0),
  refunded_cents bigint not null default 0 check (refunded_cents >= 0 and refunded_cents <= total_cents),
  coupon_code text,
  ordered_at timestamptz not null,
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, order_id),
  unique (shop_id, source, external_id)
);
create index orders_by_customer on orders (shop_id, customer_id, ordered_at desc);

create table order_items (
  shop_id uuid not null,
  order_id uuid not null,
  line_no integer not null,
  product_id text,
  sku text,
  title text not null,
  category text,
  quantity integer not null check (quantity > 0),
  unit_price_cents bigint not null check (unit_price_cents >= 0),
  primary key (shop_id, order_id, line_no),
  foreign key (shop_id, order_id) references orders (shop_id, order_id) on delete cascade
);

-- The customer's timeline: every change to a customer is also an event here, except the two facts whose
-- own row already records them (the customer row's creation and each order's placement), which the
-- timeline reads from customers and orders rather than writing each fact twice.
create table customer_events (
  shop_id uuid not null,
  event_id uuid not null,
  customer_id uuid not null,
  type text not null,
  occurred_at timestamptz not null,
  source text not null,
  data jsonb not null default '{}',
  primary key (shop_id, event_id),
  foreign key (shop_id, customer_id) references customers (shop_id, customer_id) on delete cascade
);
create index customer_events_by_customer on customer_events (shop_id, customer_id, occurred_at desc);

create table imports (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  import_id uuid not null,
  format text not null,
  source text not null,
  file_name text not null,
  file_path text not null,
  file_sha256 text not null,
  file_bytes bigint not null,
  mapping jsonb,
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  -- Checkpoint: every source row up to this one is committed (with its errors), so a re-run resumes here.
  rows_done integer not null default 0,
  bytes_done bigint not null default 0,
  orders_created integer not null default 0,
  orders_updated integer not null default 0,
  orders_unchanged integer not null default 0,
  customers_created integer not null default 0,
  customers_updated integer not null default 0,
  error_rows integer not null default 0,
  failure text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  -- A running import touches this at every batch; one silent for long was cut off and may be resumed.
  heartbeat_at timestamptz,
  finished_at timestamptz,
  primary key (shop_id, import_id)
);
create index imports_by_file on imports (shop_id, file_sha256, format);

create table import_errors (
  shop_id uuid not null,
  import_id uuid not null,
  row_no integer not null,
  seq smallint not null,
  column_name text,
  reason text not null,
  value text,
  primary key (shop_id, import_id, row_no, seq),
  foreign key (shop_id, import_id) references imports (shop_id, import_id) on delete cascade
);

-- Staff search a buyer by platform nickname without knowing the platform.
create index customer_identities_by_platform_key on customer_identities (shop_id, (substr(value, strpos(value, ':') + 1)))
  where kind = 'platform_id';
