-- The brands a shop's order lines name, for the console to suggest where a brand is typed (a segment's
-- purchase condition, a purchase entered by hand; orders/bought.ts): each brand's spelling, found by its
-- lowercased name in a probe, where grouping the lines took seconds at a few million. Partial, so lines
-- without a brand (most sources) cost nothing.
create index order_items_brand on order_items (shop_id, lower(brand), brand) where brand is not null;
