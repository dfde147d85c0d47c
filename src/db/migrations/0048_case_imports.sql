-- A help desk's export file imports as service cases (imports/tickets.ts); its record counts the cases
-- it opened, brought up to date, and found as they were, as an orders file counts its orders.
alter table imports
  add column cases_created integer not null default 0,
  add column cases_updated integer not null default 0,
  add column cases_unchanged integer not null default 0;
