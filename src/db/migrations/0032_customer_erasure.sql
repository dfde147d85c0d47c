-- A customer whose personal data the shop erased on their request (customers/erasure.ts): the row stays,
-- without a name, contact or identity, so that orders, points and the shop's figures stay whole.
alter table customers add column erased_at timestamptz;
