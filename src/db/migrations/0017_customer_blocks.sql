-- A segment's members are read as a bitmap (analytics/members.ts), grouped in blocks of 4,096 customer
-- numbers. Without statistics on that expression the planner takes the numbers' own count (one group
-- per member), thinks gathering partial groups from parallel workers costs as much as the rows, and
-- reads a million customer rows in one process. A sample sees each of the few blocks many times, so
-- ANALYZE counts them right.
create statistics customers_by_block on (customer_no >> 12) from customers;
analyze customers;
