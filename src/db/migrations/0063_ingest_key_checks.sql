-- The last two foreign-key checks on ingestion's path go, as the checks against customers went before
-- (docs/design-notes.md "No foreign key from orders, identities, events or points to customers"):
-- - order_items → orders: each line's check looks its order up and locks it (FOR KEY SHARE), an order
--   inserted moments before in the same transaction: 42 ms of each 5,000-order batch on PGlite.
-- - customers → shops: an update of a customer row whose current version this transaction wrote fires
--   the check again (PostgreSQL cannot skip it for a version of its own), and ingestion updates its buyers
--   twice, stats first and then points and tier: 31 ms a batch, besides 10 ms for the new rows.
-- Lines are written only by ingestion, with their order, in its transaction; no order is ever deleted
-- but with its shop, whose deletion goes table by table (shops/deletion.ts) rather than by cascade.
-- test/integrity.test.ts checks that no line is left without its order.
alter table order_items drop constraint order_items_shop_id_order_id_fkey;
alter table customers drop constraint customers_shop_id_fkey;
