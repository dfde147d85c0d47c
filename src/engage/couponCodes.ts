// Coupon codes: issued from a coupon (coupons.ts) to customers, one per customer and issue, derived from
// the shop's secret key and (coupon, issue, customer), so issuing twice gives the same code and no one can
// guess another's; read back for messages and a customer's profile; redeemed by the order that carries
// one (orders call redeemCoupons in their transaction). A members-only coupon's codes go only to members
// whose tier grants member-only offers, however they are given.
import type { Queryable } from '../db/db.js';
import { formatAmount } from '../orders/money.js';
import { assertIssuable, couponTerms, offerRanks } from './coupons.js';
import { signingKeyOf } from './links.js';

/**
 * Who gets a code: a snapshot's members, a campaign's recipients, a flow's customers (one key each), or a
 * member who bought it with points.
 */
export type CouponGrant =
  | { snapshotId: string }
  | { campaignId: string; customerIds: string[] }
  | { flowId: string; grants: { customerId: string; issueKey: string }[] }
  | { customerId: string };

/**
 * Issues one code per customer under `issueKey` (a flow's grants carry a key each). Issuing again under
 * the same key changes nothing. A members-only coupon skips whoever's tier grants no member-only offers.
 * Returns the codes issued now.
 */
export async function issueCoupon(
  tx: Queryable,
  shopId: string,
  couponId: string,
  to: CouponGrant,
  issueKey: string,
  at = new Date(),
): Promise<number> {
  const signingKey = await signingKeyOf(tx, shopId);
  let source: string;
  let params: unknown[];
  if ('snapshotId' in to) {
    source = `select customer_id, null::uuid as campaign_id, null::uuid as flow_id, $3 as issue_key
                from segment_snapshot_members where shop_id = $1 and snapshot_id = $6`;
    params = [to.snapshotId];
  } else if ('campaignId' in to) {
    source = `select distinct unnest($7::uuid[]) as customer_id, $6::uuid as campaign_id, null::uuid as flow_id, $3 as issue_key`;
    params = [to.campaignId, to.customerIds];
  } else if ('customerId' in to) {
    source = `select $6::uuid as customer_id, null::uuid as campaign_id, null::uuid as flow_id, $3 as issue_key`;
    params = [to.customerId];
  } else {
    source = `select g.customer_id, null::uuid as campaign_id, $6::uuid as flow_id, coalesce(g.issue_key, $3) as issue_key
                from unnest($7::uuid[], $8::text[]) as g(customer_id, issue_key)`;
    params = [to.flowId, to.grants.map((g) => g.customerId), to.grants.map((g) => g.issueKey)];
  }
  // Sixteen hex digits of a digest keyed by the shop's secret: 64 bits, so even among a million codes
  // the odds of two alike are about one in thirty million (the customer would get no code: the count says).
  const rows = await tx.query(
    `insert into coupon_codes (shop_id, code, coupon_id, customer_id, issue_key, campaign_id, flow_id, issued_at, expires_at)
     select $1, c.code_prefix || '-' || upper(substr(md5($4 || $2::text || m.issue_key || m.customer_id::text), 1, 16)),
            $2, m.customer_id, m.issue_key, m.campaign_id, m.flow_id, $5,
            nullif(least(coalesce(c.valid_until, 'infinity'),
                         coalesce($5::timestamptz + make_interval(days => c.valid_days), 'infinity')), 'infinity')
       from (${source}) m
       join coupons c on c.shop_id = $1 and c.coupon_id = $2
      where not c.members_only
         or exists (select 1 from customers cu where cu.shop_id = $1 and cu.customer_id = m.customer_id
                     and cu.tier_rank = any($${6 + params.length}::int[]))
     on conflict do nothing
     returning 1`,
    [shopId, couponId, issueKey, signingKey, at.toISOString(), ...params, await offerRanks(tx, shopId)],
  );
  return rows.length;
}

/** A code a member bought with points, as the redemption answers it. */
export interface BoughtCode {
  code: string;
  couponId: string;
  name: string;
  expiresAt: Date | null;
}

/** The code issued to `customerId` under `issueKey` (null if none was: see issueCoupon's odds). */
export async function issuedCode(
  db: Queryable,
  shopId: string,
  couponId: string,
  customerId: string,
  issueKey: string,
): Promise<BoughtCode | null> {
  const [row] = await db.query<BoughtCode>(
    `select k.code, k.coupon_id as "couponId", c.name, k.expires_at as "expiresAt"
       from coupon_codes k join coupons c on c.shop_id = k.shop_id and c.coupon_id = k.coupon_id
      where k.shop_id = $1 and k.customer_id = $3 and k.coupon_id = $2 and k.issue_key = $4`,
    [shopId, couponId, customerId, issueKey],
  );
  return row ?? null;
}

export interface CustomerCode {
  code: string;
  couponId: string;
  name: string;
  campaignId: string | null;
  issuedAt: Date;
  expiresAt: Date | null;
  redeemedAt: Date | null;
  orderId: string | null;
}

export async function customerCoupons(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<CustomerCode[]> {
  return db.query<CustomerCode>(
    `select k.code, k.coupon_id as "couponId", c.name, k.campaign_id as "campaignId", k.issued_at as "issuedAt",
            k.expires_at as "expiresAt", k.redeemed_at as "redeemedAt", k.order_id as "orderId"
       from coupon_codes k join coupons c on c.shop_id = k.shop_id and c.coupon_id = k.coupon_id
      where k.shop_id = $1 and k.customer_id = $2 order by k.issued_at desc limit 200`,
    [shopId, customerId],
  );
}

export interface CouponVars {
  code: string;
  value: string;
  min_spend: string;
  expires_at: string;
}

/**
 * A campaign's codes for these recipients, as templates show them: issued now if the campaign carries a
 * coupon, so only customers a message actually goes to get one (not the held out, nor the suppressed).
 * A coupon that has ended since the campaign was scheduled (its sending ran late, or quiet hours put it
 * off) is refused with `coupon_ended`; one the shop retired meanwhile, with `coupon_retired`.
 */
export async function campaignCoupons(
  db: Queryable,
  shopId: string,
  campaignId: string,
  customerIds: string[],
  currency: string,
  at = new Date(),
): Promise<Map<string, CouponVars>> {
  const [campaign] = await db.query<{ couponId: string | null }>(
    'select coupon_id as "couponId" from campaigns where shop_id = $1 and campaign_id = $2',
    [shopId, campaignId],
  );
  if (!campaign?.couponId) return new Map();
  assertIssuable(await couponTerms(db, shopId, campaign.couponId), at);
  await issueCoupon(db, shopId, campaign.couponId, { campaignId, customerIds }, `campaign:${campaignId}`, at);
  return codeVars(db, shopId, currency, 'k.campaign_id = $2 and k.customer_id = any($3::uuid[])', [
    campaignId,
    customerIds,
  ]);
}

/** Codes as templates show them, by code (a flow's messages carry the code their enrollment was given). */
export async function couponVarsByCode(
  db: Queryable,
  shopId: string,
  codes: string[],
  currency: string,
): Promise<Map<string, CouponVars>> {
  return codeVars(db, shopId, currency, 'k.code = any($2::text[])', [codes], 'code');
}

/** Which of these codes have expired by `at`, with when: a message showing one would offer nothing. */
export async function expiredCodes(
  db: Queryable,
  shopId: string,
  codes: string[],
  at: Date,
): Promise<Map<string, Date>> {
  const rows = await db.query<{ code: string; expiresAt: Date }>(
    `select code, expires_at as "expiresAt" from coupon_codes
      where shop_id = $1 and code = any($2::text[]) and expires_at <= $3`,
    [shopId, codes, at.toISOString()],
  );
  return new Map(rows.map((r) => [r.code, r.expiresAt]));
}

/** The template variables of the codes `where` picks, keyed by customer (or by code). */
async function codeVars(
  db: Queryable,
  shopId: string,
  currency: string,
  where: string,
  params: unknown[],
  key: 'customerId' | 'code' = 'customerId',
): Promise<Map<string, CouponVars>> {
  const rows = await db.query<{
    customerId: string;
    code: string;
    kind: string;
    amountCents: number | null;
    percent: number | null;
    minSpendCents: number;
    expiresAt: Date | null;
  }>(
    `select k.customer_id as "customerId", k.code, c.kind, c.amount_cents as "amountCents", c.percent::float8 as percent,
            c.min_spend_cents as "minSpendCents", k.expires_at as "expiresAt"
       from coupon_codes k join coupons c on c.shop_id = k.shop_id and c.coupon_id = k.coupon_id
      where k.shop_id = $1 and ${where}`,
    [shopId, ...params],
  );
  const money = (minor: number) => `${formatAmount(minor, currency)} ${currency}`;
  return new Map(
    rows.map((r) => [
      r[key],
      {
        code: r.code,
        value: r.kind === 'amount' ? money(r.amountCents!) : `${r.percent}%`,
        min_spend: r.minSpendCents > 0 ? money(r.minSpendCents) : '',
        expires_at: r.expiresAt ? r.expiresAt.toISOString().slice(0, 10) : '',
      },
    ]),
  );
}

/**
 * Orders that bring a code redeem it (once: the first order to bring it). The shop's checkout decides
 * whether the code was good; the CRM records that it was used, and by which order.
 */
export async function redeemCoupons(
  tx: Queryable,
  shopId: string,
  orders: { orderId: string; couponCode: string; orderedAt: Date }[],
): Promise<void> {
  if (orders.length === 0) return;
  await tx.query(
    `update coupon_codes k set redeemed_at = o.ordered_at, order_id = o.order_id
       from unnest($2::uuid[], $3::text[], $4::timestamptz[]) as o(order_id, code, ordered_at)
      where k.shop_id = $1 and k.code = upper(trim(o.code)) and k.redeemed_at is null`,
    [
      shopId,
      orders.map((o) => o.orderId),
      orders.map((o) => o.couponCode),
      orders.map((o) => o.orderedAt.toISOString()),
    ],
  );
}
