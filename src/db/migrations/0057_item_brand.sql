-- The brand of a line item, where the source says it (Shopify's orders export: "Vendor"; the generic
-- format's item_brand; the API's items[].brand): a customer's brand preference is read from what they
-- bought (orders/habits.ts).
alter table order_items add column brand text;
