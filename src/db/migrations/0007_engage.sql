-- Engage: the channels a shop reaches its customers through, what it says (templates), how often it may
-- say it (contact policy), campaigns to a segment, and every message sent, as an outbox the delivery job
-- drains.

-- Per shop and channel: where messages go (SMTP relay, SMS provider, webhook URL) and how fast.
-- Settings hold the credentials the sender needs in clear (an SMTP password must be sent as is); the API
-- never returns them.
create table channel_settings (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  channel text not null check (channel in ('email', 'sms', 'webhook')),
  settings jsonb not null,
  rate_per_second integer not null check (rate_per_second between 1 and 10000),
  updated_at timestamptz not null default now(),
  primary key (shop_id, channel)
);

-- Where the links in messages point (the address customers reach this server at) and the key that signs
-- them (unsubscribe, open, click) and webhook bodies; made on first use.
create table engage_settings (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  public_url text not null check (public_url ~ '^https?://'),
  signing_key text not null
);

-- How much contact a customer bears: at most max_messages marketing messages in any per_days days, and
-- none in the quiet hours (shop's local time; the window may pass midnight). Transactional messages
-- (receipts, order care) are outside both.
create table contact_policies (
  shop_id uuid primary key references shops (shop_id) on delete cascade,
  max_messages integer not null check (max_messages between 0 and 100),
  per_days integer not null check (per_days between 1 and 365),
  quiet_start time,
  quiet_end time,
  check ((quiet_start is null) = (quiet_end is null))
);

-- A customer who asked for less (or agreed to more) than the shop's cap.
create table customer_contact_caps (
  shop_id uuid not null,
  customer_id uuid not null,
  max_messages integer not null check (max_messages between 0 and 100),
  per_days integer not null check (per_days between 1 and 365),
  primary key (shop_id, customer_id)
);

create table templates (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  template_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  channel text not null check (channel in ('email', 'sms', 'webhook')),
  subject text,
  body text not null check (length(body) between 1 and 200000),
  transactional boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, template_id),
  unique (shop_id, name),
  check ((channel = 'email') = (subject is not null))
);

create table campaigns (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  campaign_id uuid not null,
  name text not null check (length(name) between 1 and 200),
  template_id uuid not null,
  segment_id uuid,
  snapshot_id uuid,
  holdout_percent numeric(4, 1) not null default 0 check (holdout_percent >= 0 and holdout_percent <= 50),
  conversion_days integer not null default 7 check (conversion_days between 1 and 90),
  status text not null default 'draft' check (status in ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
  scheduled_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (shop_id, campaign_id),
  foreign key (shop_id, template_id) references templates (shop_id, template_id),
  check (segment_id is not null or snapshot_id is not null)
);
create index campaigns_due on campaigns (shop_id, scheduled_at) where status = 'scheduled';

-- The campaign's audience as it was frozen, split once into those messaged and the held-out control
-- group that lift is measured against.
create table campaign_members (
  shop_id uuid not null,
  campaign_id uuid not null,
  customer_id uuid not null,
  holdout boolean not null,
  primary key (shop_id, campaign_id, customer_id),
  foreign key (shop_id, campaign_id) references campaigns (shop_id, campaign_id) on delete cascade
);

-- Every message, from queued to its fate. A campaign message's id is derived from (campaign, customer)
-- (a version 8 UUID of their MD5), so queueing a campaign twice, or after a crash, cannot give anyone a
-- second copy. Like orders, no foreign key to customers (merges move messages to the surviving profile).
create table messages (
  shop_id uuid not null,
  message_id uuid not null,
  customer_id uuid not null,
  channel text not null check (channel in ('email', 'sms', 'webhook')),
  template_id uuid not null,
  campaign_id uuid,
  transactional boolean not null,
  status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed')),
  reason text,
  recipient text,
  subject text,
  attempts integer not null default 0,
  not_before timestamptz not null default now(),
  queued_at timestamptz not null default now(),
  sent_at timestamptz,
  delivered_at timestamptz,
  opened_at timestamptz,
  clicked_at timestamptz,
  unsubscribed_at timestamptz,
  primary key (shop_id, message_id),
  foreign key (shop_id, template_id) references templates (shop_id, template_id)
);
-- The delivery job's queue, read in this order: only messages still to send are in it.
create index messages_to_send on messages (shop_id, not_before, message_id) where status in ('queued', 'sending');
-- A customer's messages: the contact cap's count, the timeline.
create index messages_by_customer on messages (shop_id, customer_id, queued_at);
create index messages_by_campaign on messages (shop_id, campaign_id) where campaign_id is not null;
