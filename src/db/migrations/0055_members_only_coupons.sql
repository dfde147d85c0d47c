-- Member-only offers, a tier benefit (membership/program.ts): a coupon kept for the members whose tier
-- grants them. Its codes go to no one else — a campaign's message to anyone else is suppressed, a flow's
-- customer leaves at its coupon step, a purchase with points is refused (engage/coupons.ts).
alter table coupons add column members_only boolean not null default false;
