-- What one message on a channel costs the shop (an SMS provider's fee; email is usually 0), in minor
-- units: campaigns' and flows' cost, and so their return on it, is what they sent times this.
alter table channel_settings
  add column cost_per_message_cents numeric(10, 2) not null default 0 check (cost_per_message_cents >= 0);
