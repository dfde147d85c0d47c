-- "Bought offline at store S" (a segment leaf, a rule tag) read every order of the shop to find one
-- store's: 0.8 s at 5M orders. Store orders are the offline few, so a partial index holding them with what
-- the condition reads (channel, status) answers it from the index alone.
create index orders_by_store on orders (shop_id, store_id, customer_id) include (channel, status)
  where store_id is not null;
