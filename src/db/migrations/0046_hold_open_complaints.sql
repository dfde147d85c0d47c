-- A customer with an open complaint or dispute gets no marketing until it is resolved (engage/policy.ts):
-- a promotion in the middle of a quarrel reads as not listening. On unless the shop turns it off; no case
-- existed before this, so turning it on for every shop changes no message already planned.
alter table contact_policies add column hold_open_complaints boolean not null default true;
-- The delivery job asks of each marketing message's customer whether one is open: a probe of this index.
create index service_cases_open_grievances on service_cases (shop_id, customer_id)
  where status = 'open' and kind in ('complaint', 'dispute');
