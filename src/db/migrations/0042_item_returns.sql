-- A line's units returned: a return at the counter is of particular things (one of two creams), and what
-- was returned was not bought. A category, a product or a purchase cycle counts a line only while some of
-- its units are kept (orders/bought.ts, segments/purchased.ts, predict/predictions.ts). The amount
-- refunded stays the order's (refunded_cents): what a returned unit was worth after the order's discount
-- is the shop's to say.
alter table order_items
  add column refunded_quantity integer not null default 0,
  add constraint order_items_refunded_quantity check (refunded_quantity between 0 and quantity);
