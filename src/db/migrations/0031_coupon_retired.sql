-- A coupon the shop has stopped giving out (engage/coupons.ts): no campaign, flow, segment issue or points
-- purchase issues its codes from then on, while the codes already given keep their worth and expiry.
alter table coupons add column retired_at timestamptz;
