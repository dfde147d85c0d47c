-- Measure: what the shop spent on marketing, by month and channel (ads, a marketplace's paid traffic,
-- SMS fees…), entered by staff, so acquisition cost can be divided out against the new customers.
create table marketing_spend (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  month date not null check (extract(day from month) = 1),
  channel text not null check (length(channel) between 1 and 100),
  amount_cents bigint not null check (amount_cents >= 0),
  updated_at timestamptz not null default now(),
  primary key (shop_id, month, channel)
);
