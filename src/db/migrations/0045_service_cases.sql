-- Service history (service/cases.ts): the inquiries, after-sale requests, complaints, platform disputes
-- and reviews a customer brought to the shop, each open until staff resolve it. They are what DESIGN.md's
-- "service history" is: shown on the profile and its timeline, a queue for the service desk, a condition
-- for segments ("an open complaint") and a trigger for flows (care once a complaint is resolved).
create table service_cases (
  shop_id uuid not null,
  case_id uuid not null,
  customer_id uuid not null,
  kind text not null check (kind in ('inquiry', 'after_sale', 'complaint', 'dispute', 'review')),
  -- Where it came in: a call, online chat, email, at a store, through the selling platform.
  channel text not null check (channel in ('phone', 'chat', 'email', 'store', 'platform', 'other')),
  status text not null check (status in ('open', 'resolved')),
  subject text not null check (length(subject) between 1 and 200),
  body text check (length(body) <= 4000),
  -- The order it is about, one of the customer's (checked when written; a merge moves both together).
  order_id uuid,
  -- A review's stars.
  rating smallint check (rating is null or (rating between 1 and 5 and kind = 'review')),
  -- Who brought the case in ('console', 'api', or a help desk's name) and its id there: a help desk that
  -- sends the same ticket again updates the case rather than adding one.
  source text not null,
  external_id text check (length(external_id) between 1 and 200),
  opened_at timestamptz not null,
  opened_by text not null,
  resolved_at timestamptz,
  resolved_by text,
  resolution text check (length(resolution) <= 4000),
  updated_at timestamptz not null,
  check ((status = 'resolved') = (resolved_at is not null)),
  -- No foreign key to customers, as for notes (docs/design-notes.md): migrations rebuild that table in
  -- place (0021), which no table may reference. Cases are moved by merges only, and
  -- test/integrity.test.ts checks none is left without its customer.
  primary key (shop_id, case_id),
  foreign key (shop_id, order_id) references orders (shop_id, order_id)
);
create unique index service_cases_by_source on service_cases (shop_id, source, external_id)
  where external_id is not null;
create index service_cases_by_customer on service_cases (shop_id, customer_id, opened_at);
-- The desk's queue (open cases, oldest first); the dashboard's cases opened and resolved in a period,
-- and the flows that start when a case is resolved.
create index service_cases_open on service_cases (shop_id, opened_at) where status = 'open';
create index service_cases_by_opening on service_cases (shop_id, opened_at);
create index service_cases_resolved on service_cases (shop_id, resolved_at) where resolved_at is not null;
