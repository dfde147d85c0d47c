-- Tags (by hand, or by a rule over what customers bought and did) and segments (saved rule trees), with
-- frozen snapshots of a segment's members for campaigns.

create table tags (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  tag_id uuid not null,
  name text not null check (length(name) between 1 and 100),
  -- Tags sit in groups: skin type, price sensitivity, interaction.
  tag_group text check (length(tag_group) between 1 and 100),
  -- A segment rule tree (segments/rule.ts); null for a tag applied by hand.
  rule jsonb,
  -- Kept with every change to customer_tags, so listing tags with their counts reads no members.
  customer_count integer not null default 0 check (customer_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, tag_id),
  unique (shop_id, name)
);

create table customer_tags (
  shop_id uuid not null,
  tag_id uuid not null,
  customer_id uuid not null,
  -- 'rule', or who applied a manual tag ('staff:<id>', 'api', 'import').
  source text not null,
  tagged_at timestamptz not null default now(),
  primary key (shop_id, tag_id, customer_id),
  foreign key (shop_id, tag_id) references tags (shop_id, tag_id) on delete cascade
);
create index customer_tags_by_customer on customer_tags (shop_id, customer_id);

-- Rule tags follow the calendar too (a rule on "the last 90 days", on RFM or predictions): re-run nightly.
create table tag_schedules (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  next_run_at timestamptz not null
);

create table segments (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  segment_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  description text not null default '',
  rule jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, segment_id),
  unique (shop_id, name)
);

-- Who was in a segment at one moment, for a campaign to send to and measure against, whatever happens
-- to the segment or its customers afterwards. A deleted segment leaves its snapshots.
create table segment_snapshots (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  snapshot_id uuid not null,
  segment_id uuid,
  name text not null,
  rule jsonb not null,
  member_count integer not null,
  created_at timestamptz not null default now(),
  primary key (shop_id, snapshot_id),
  foreign key (shop_id, segment_id) references segments (shop_id, segment_id) on delete set null (segment_id)
);

create table segment_snapshot_members (
  shop_id uuid not null,
  snapshot_id uuid not null,
  customer_id uuid not null,
  primary key (shop_id, snapshot_id, customer_id),
  foreign key (shop_id, snapshot_id) references segment_snapshots (shop_id, snapshot_id) on delete cascade
);
