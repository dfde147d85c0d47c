-- Membership: the shop's tier and points program, each customer's tier and points balance, the
-- append-only points ledger, member-card binding codes, and the background jobs that re-grade, review
-- and expire for a whole shop.

-- One program per shop, a document checked by membership/program.ts (a shop without a row runs the
-- default program). Tiers are few and always edited together, so they live in the document too.
create table membership_programs (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  program jsonb not null,
  version integer not null default 1,
  updated_at timestamptz not null default now(),
  next_review_at timestamptz,
  next_expiry_at timestamptz
);

-- Timeline events lose their foreign key to customers, as orders and identities never had one: the check
-- locks each customer row an event names, and a re-grade writes an event for every member it moves, right
-- after updating that member's row (the check doubled the time of re-grading a million members). Only
-- the code that changes a customer writes its events; test/integrity.test.ts checks none is orphaned.
alter table customer_events drop constraint customer_events_shop_id_customer_id_fkey;

-- Kept on the customer row because segments read them all the time. No index on any of them, so an
-- order's update of the row stays HOT (see 0001).
alter table customers
  -- Position in the program's tier list, 0 being the entry tier.
  add column tier_rank smallint not null default 0,
  add column tier_since timestamptz,
  -- Set by hand: no order or review moves the tier before this time ('infinity': until the next review).
  add column tier_hold_until timestamptz,
  -- Below the tier's keep threshold at a review: downgraded at the first review after this time.
  add column tier_grace_until timestamptz,
  -- Always the sum of the customer's ledger entries (test/integrity.test.ts checks it).
  add column points_balance integer not null default 0;

create table points_ledger (
  shop_id uuid not null,
  entry_id uuid not null,
  customer_id uuid not null,
  kind text not null check (kind in ('earn', 'reverse', 'redeem', 'expire', 'adjust')),
  points integer not null check (points <> 0),
  -- What the entry is for, unique per shop: 'earn:<order>', 'refund:<order>:<n>' (its n-th refund move), or a
  -- caller's idempotency key, so the same order, refund or request never counts twice.
  idempotency_key text not null,
  order_id uuid,
  -- Earned points are a lot that expires at this time (null: never); lots are spent oldest first.
  expires_at timestamptz,
  -- A reversal names the earning it takes back.
  lot_id uuid,
  reason text,
  detail jsonb not null default '{}',
  staff_id uuid,
  created_at timestamptz not null default now(),
  -- Entries are read per customer (ledger, balance, expiry), so the key leads with the customer: one index
  -- fewer to write for every order an import brings.
  primary key (shop_id, customer_id, entry_id),
  unique (shop_id, idempotency_key)
);
-- A refund finds what was already taken back from its order's earning.
create index points_ledger_by_lot on points_ledger (shop_id, lot_id) where lot_id is not null;

-- Append-only: an entry's amount and meaning never change and no entry is deleted. Only the owner may
-- move, when two profiles of one person merge.
create function points_ledger_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'points ledger entries are never deleted';
  end if;
  if (new.shop_id, new.entry_id, new.kind, new.points, new.idempotency_key, new.order_id, new.expires_at,
      new.lot_id, new.reason, new.detail, new.staff_id, new.created_at)
     is distinct from
     (old.shop_id, old.entry_id, old.kind, old.points, old.idempotency_key, old.order_id, old.expires_at,
      old.lot_id, old.reason, old.detail, old.staff_id, old.created_at) then
    raise exception 'points ledger entries are never changed';
  end if;
  return new;
end $$;
create trigger points_ledger_append_only before update or delete on points_ledger
  for each row execute function points_ledger_append_only();

-- Binding an offline member card to a phone: a one-time code goes to the phone, only its hash is kept.
create table member_card_bindings (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  binding_id uuid not null,
  member_card text not null,
  phone text not null,
  code_hash text not null,
  attempts smallint not null default 0,
  status text not null check (status in ('pending', 'confirmed', 'failed')),
  expires_at timestamptz not null,
  customer_id uuid,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  primary key (shop_id, binding_id)
);

-- Work for a whole shop that runs in the background with progress (re-grade, review, points expiry).
create table jobs (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  job_id uuid not null,
  kind text not null,
  params jsonb not null default '{}',
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  done integer not null default 0,
  total integer,
  result jsonb,
  failure text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  heartbeat_at timestamptz,
  finished_at timestamptz,
  primary key (shop_id, job_id)
);
-- One waiting job of a kind per shop: asking again while it waits joins it. A job already running may
-- have read settings that changed since, so one more may wait behind it.
create unique index jobs_one_waiting_per_kind on jobs (shop_id, kind) where status = 'queued';
create index jobs_active on jobs (status, created_at) where status in ('queued', 'running');
