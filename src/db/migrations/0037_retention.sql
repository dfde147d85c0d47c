-- How long the shop keeps what it needs only for a while (shops/retention.ts): the activity record, and
-- the cells its imports refused (a mistyped phone or email is still someone's). A shop without a row keeps
-- the defaults; the nightly prune writes the row when it first sets the shop's next run.
create table retention_settings (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  -- China's Cybersecurity Law (art. 21) asks for network logs of six months at least.
  activity_days integer not null check (activity_days between 180 and 3650),
  import_cells_days integer not null check (import_cells_days between 1 and 3650),
  next_prune_at timestamptz
);
