-- A customer with an open complaint or dispute gets no marketing until it is resolved (engage/policy.ts):
-- a promotion in the middle of a quarrel reads as not listening. On unless the shop turns it off; no case
-- existed before this, so turning it on for every shop changes no message already planned.
alter table contact_policies add column hold_open_complaints boolean not null default true;
