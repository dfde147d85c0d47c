-- Coupons: an offer (amount or percent off, a minimum spend, a validity) and the unique codes issued
-- from it, one per customer per issue — to a segment, with a campaign, or (later) by a flow. An order
-- that brings a code back redeems it, which credits the campaign that issued it.
create table coupons (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  coupon_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('amount', 'percent')),
  amount_cents bigint check (amount_cents > 0),
  percent numeric(5, 2) check (percent > 0 and percent < 100),
  min_spend_cents bigint not null default 0 check (min_spend_cents >= 0),
  -- A fixed window, or a number of days from each code's issue (or both: whichever ends first).
  valid_from timestamptz,
  valid_until timestamptz,
  valid_days integer check (valid_days between 1 and 3650),
  code_prefix text not null check (code_prefix ~ '^[A-Z0-9]{1,12}$'),
  created_at timestamptz not null default now(),
  primary key (shop_id, coupon_id),
  unique (shop_id, name),
  check ((kind = 'amount') = (amount_cents is not null)),
  check ((kind = 'percent') = (percent is not null))
);

-- Codes are upper case; an order's code is compared upper-cased. issue_key names the issue
-- ('campaign:<id>', 'segment:<snapshot>'). A code is derived from (shop key, coupon, issue, customer), so
-- issuing again meets the primary key and changes nothing. Like messages, no foreign key to customers
-- (merges move codes to the surviving profile).
create table coupon_codes (
  shop_id uuid not null,
  code text not null,
  coupon_id uuid not null,
  customer_id uuid not null,
  issue_key text not null,
  campaign_id uuid,
  issued_at timestamptz not null default now(),
  expires_at timestamptz,
  redeemed_at timestamptz,
  order_id uuid,
  primary key (shop_id, code),
  foreign key (shop_id, coupon_id) references coupons (shop_id, coupon_id) on delete cascade
);
create index coupon_codes_by_customer on coupon_codes (shop_id, customer_id);
create index coupon_codes_by_campaign on coupon_codes (shop_id, campaign_id) where campaign_id is not null;

alter table campaigns add column coupon_id uuid;
alter table campaigns add foreign key (shop_id, coupon_id) references coupons (shop_id, coupon_id);
