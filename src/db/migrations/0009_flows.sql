-- Flows: automations that a trigger (an order paid, a purchase cycle coming due, a birthday, a lapse, a
-- tier upgrade, points about to expire, a new member, a date on the calendar) starts for one customer at a
-- time, and that walk each customer through steps: wait, branch, send, issue a coupon, tag, award points.

create table flows (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  flow_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  -- What starts it ({"type": "order_paid"}, {"type": "no_order", "days": 90}, …) and the steps, as
  -- flows/definition.ts validates them; a step keeps its id across edits, so its counts do too.
  trigger jsonb not null,
  steps jsonb not null,
  -- Only the segment's members enter (null: anyone the trigger finds).
  segment_id uuid,
  holdout_percent numeric(4, 1) not null default 0 check (holdout_percent >= 0 and holdout_percent <= 50),
  conversion_days integer not null default 7 check (conversion_days between 1 and 90),
  status text not null default 'draft' check (status in ('draft', 'active', 'paused')),
  -- Occurrences from this time on enter (activation, less the days the operator chose to catch up on) …
  enter_from timestamptz,
  -- … and those up to this time have been looked for.
  scanned_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, flow_id),
  unique (shop_id, name)
);

-- A customer's pass through a flow for one occurrence of its trigger ('order:<id>', 'birthday:2026', …):
-- the unique key is what lets a customer enter once per occurrence however often the trigger is looked for.
-- Like messages, no foreign key to customers (a merge moves enrollments to the surviving profile).
create table flow_enrollments (
  shop_id uuid not null,
  enrollment_id uuid not null,
  flow_id uuid not null,
  customer_id uuid not null,
  occurrence text not null,
  occurred_at timestamptz not null,
  -- Drawn at entry by a hash, like a campaign's control group: they walk no step and are measured.
  holdout boolean not null default false,
  status text not null default 'active' check (status in ('active', 'completed', 'exited')),
  -- The step it is at (null once finished), since when, and whether a wait there has begun.
  step_id text,
  step_at timestamptz not null,
  waiting boolean not null default false,
  next_at timestamptz not null,
  -- The code an issue-coupon step gave it, which its later messages show.
  coupon_code text,
  exit_reason text,
  entered_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (shop_id, enrollment_id),
  unique (shop_id, flow_id, customer_id, occurrence),
  foreign key (shop_id, flow_id) references flows (shop_id, flow_id) on delete cascade
);
create index flow_enrollments_due on flow_enrollments (shop_id, next_at) where status = 'active';
create index flow_enrollments_by_customer on flow_enrollments (shop_id, customer_id);

-- Each step an enrollment passed, and how (a branch: 'yes' or 'no'): the per-step counts.
create table flow_step_runs (
  shop_id uuid not null,
  enrollment_id uuid not null,
  step_id text not null,
  flow_id uuid not null,
  outcome text not null,
  ran_at timestamptz not null,
  primary key (shop_id, enrollment_id, step_id),
  foreign key (shop_id, enrollment_id) references flow_enrollments (shop_id, enrollment_id) on delete cascade
);
create index flow_step_runs_by_flow on flow_step_runs (shop_id, flow_id, step_id);

alter table messages add column flow_id uuid;
alter table messages add column coupon_code text;
create index messages_by_flow on messages (shop_id, flow_id) where flow_id is not null;

alter table coupon_codes add column flow_id uuid;
create index coupon_codes_by_flow on coupon_codes (shop_id, flow_id) where flow_id is not null;
