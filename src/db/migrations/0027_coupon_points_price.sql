-- A coupon members may buy with points (engage/coupons.ts, membership/points.ts): what one code costs.
-- Null: not offered for points.
alter table coupons add column points_price integer check (points_price between 1 and 100000000);
