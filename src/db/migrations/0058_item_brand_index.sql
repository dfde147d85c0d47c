-- The brands a shop's order lines name, for the console to suggest where a brand is typed (a segment's
-- purchase condition, a purchase entered by hand; orders/bought.ts). Read a brand at a time, skipping
-- from one to the next along this index: milliseconds whatever the number of lines, where grouping the
-- lines took seconds at a few million. Partial, so lines without a brand (most sources) cost nothing.
create index order_items_brand on order_items (shop_id, lower(brand), brand) where brand is not null;
