-- The member year: each customer's purchases and net spend since a year ago, kept on the row for a shop
-- whose tier program counts the last twelve months (membership/year.ts), so that a segment's "near the
-- next tier" reads a row instead of summing a year of orders per member (seconds at a million members).
-- Orders add to the figures as they come in (customers/stats.ts), a changed order's buyer is recomputed,
-- and a daily roll takes off the orders that left the window. year_from is the start the figures count
-- from; null while the program counts a lifetime, when nothing keeps them.
alter table customers
  add column year_order_count integer not null default 0,
  add column year_spend_cents bigint not null default 0;

alter table membership_programs add column year_from timestamptz;
