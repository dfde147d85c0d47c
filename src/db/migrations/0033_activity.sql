-- What staff and API keys did through the API (shops/activity.ts): every sign-in, every request that changes
-- data and every download of customers' personal data, with who, from where, when, what it named and how
-- it ended. The actor
-- is kept by name as well as id, so the record still reads after a staff member or key is removed.
create table activity (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  entry_id uuid not null,
  at timestamptz not null,
  staff_id uuid,
  api_key_id uuid,
  actor text not null,
  -- The client's address, as REGULARS_TRUST_PROXY lets it be known.
  address text not null,
  method text not null,
  route text not null,
  params jsonb not null,
  status smallint not null,
  primary key (shop_id, entry_id)
);
