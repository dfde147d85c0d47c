-- Marketing consent per customer and channel, as the customer last gave or withdrew it, with where
-- (source) and when. No row for a channel means no opt-in: marketing needs one. Like identities, no
-- foreign key to customers (ingestion and merges are its only writers; see 0001).
create table customer_consents (
  shop_id uuid not null,
  customer_id uuid not null,
  channel text not null check (channel in ('email', 'sms')),
  status text not null check (status in ('opted_in', 'opted_out')),
  source text not null check (length(source) between 1 and 100),
  changed_at timestamptz not null,
  primary key (shop_id, customer_id, channel)
);
-- A segment asks "who opted in to SMS" of the whole shop.
create index customer_consents_by_channel on customer_consents (shop_id, channel, status);
