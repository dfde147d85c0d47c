-- Predictions: each shop's fitted purchase models (BG/NBD for whether and how often a customer buys,
-- Gamma-Gamma for how much), and what they predict for every customer, kept on the customer row because
-- segments and flows read it: probability of being active, expected orders and value over the next
-- twelve months, the customer's typical purchase cycle and the date their next purchase is due.

create table prediction_models (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  model_id uuid not null,
  fitted_at timestamptz not null default now(),
  -- Histories run up to the end of this day (shop time zone); times are in weeks from there.
  calibration_end date not null,
  customers integer not null,
  bgnbd jsonb not null,
  -- Null when too few customers have bought twice to fit spend.
  gamma_gamma jsonb,
  primary key (shop_id, model_id)
);

alter table customers
  add column p_alive double precision,
  add column expected_orders_12m double precision,
  add column predicted_value_cents bigint,
  -- Median days between the customer's purchase days; null until they have bought on two days.
  add column purchase_cycle_days double precision,
  add column next_purchase_at timestamptz,
  add column predicted_at timestamptz;

-- The same cycle per product category, for replenishment reminders (a cleanser lasts longer than a mask).
create table customer_category_cycles (
  shop_id uuid not null,
  customer_id uuid not null,
  category text not null,
  purchase_days integer not null,
  cycle_days double precision not null,
  last_purchase_at timestamptz not null,
  next_purchase_at timestamptz not null,
  primary key (shop_id, customer_id, category)
);
create index customer_category_cycles_due on customer_category_cycles (shop_id, next_purchase_at);

-- Predictions are refreshed nightly (shop midnight), so churn risk and due dates follow the calendar.
create table prediction_schedules (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  next_run_at timestamptz not null
);
