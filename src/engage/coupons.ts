// Coupons: offers and the unique codes issued from them. A code is derived from the shop's secret key
// and (coupon, issue, customer), so issuing twice gives the same code and no one can guess another's.
// An incoming order that carries a code redeems it (orders call redeemCoupons in their transaction). A
// coupon with a points price is also one a member can buy with points (membership/redemptions.ts). A coupon
// kept for members (`membersOnly`, migration 0055) goes only to customers whose tier grants member-only
// offers, a benefit of the member program: its codes are issued to no one else, however they are given.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { isUniqueViolation } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { benefitRanks, getProgram } from '../membership/program.js';
import { formatAmount } from '../orders/money.js';
import { linkSettings } from './links.js';

export const CouponInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['amount', 'percent']),
    amountCents: z.number().int().positive().optional().describe('for kind amount: money off, minor units'),
    percent: z.number().gt(0).lt(100).multipleOf(0.01).optional().describe('for kind percent: % off'),
    minSpendCents: z.number().int().min(0).default(0),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validUntil: z.iso.datetime({ offset: true }).optional(),
    validDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe('each code expires this many days after issue'),
    codePrefix: z
      .string()
      .regex(/^[A-Z0-9]{1,12}$/, 'one to twelve capital letters or digits')
      .default('CRM'),
    pointsPrice: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .optional()
      .describe('points a member may spend for one code; without it the coupon is not offered for points'),
    membersOnly: z
      .boolean()
      .default(false)
      .describe('only for members whose tier grants member-only offers (a benefit of the member program)'),
  })
  .superRefine((c, ctx) => {
    if (c.kind === 'amount' && c.amountCents === undefined)
      ctx.addIssue({ code: 'custom', path: ['amountCents'], message: 'An amount coupon needs amountCents' });
    if (c.kind === 'percent' && c.percent === undefined)
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'A percent coupon needs percent' });
    if (c.kind === 'amount' && c.percent !== undefined)
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'An amount coupon has no percent' });
    if (c.kind === 'percent' && c.amountCents !== undefined)
      ctx.addIssue({ code: 'custom', path: ['amountCents'], message: 'A percent coupon has no amountCents' });
    if (c.validFrom && c.validUntil && new Date(c.validFrom) >= new Date(c.validUntil))
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'must be after validFrom' });
  });
export type CouponInput = z.input<typeof CouponInput>;

export interface Coupon {
  couponId: string;
  name: string;
  kind: 'amount' | 'percent';
  amountCents: number | null;
  percent: number | null;
  minSpendCents: number;
  validFrom: Date | null;
  validUntil: Date | null;
  validDays: number | null;
  codePrefix: string;
  pointsPrice: number | null;
  /** Given only to members whose tier grants member-only offers. */
  membersOnly: boolean;
  /** When the shop stopped giving it out (codes given keep their worth), or null. */
  retiredAt: Date | null;
  issued: number;
  redeemed: number;
  createdAt: Date;
}

/** A coupon's own terms, without the counts of its codes (which read every code of the shop). */
export type CouponTerms = Omit<Coupon, 'issued' | 'redeemed' | 'createdAt'>;

const termColumns = `c.coupon_id as "couponId", c.name, c.kind, c.amount_cents as "amountCents",
  c.percent::float8 as percent, c.min_spend_cents as "minSpendCents", c.valid_from as "validFrom",
  c.valid_until as "validUntil", c.valid_days as "validDays", c.code_prefix as "codePrefix",
  c.points_price as "pointsPrice", c.members_only as "membersOnly", c.retired_at as "retiredAt"`;

const columns = `${termColumns},
  (select count(*)::int from coupon_codes k where k.shop_id = c.shop_id and k.coupon_id = c.coupon_id) as issued,
  (select count(*)::int from coupon_codes k where k.shop_id = c.shop_id and k.coupon_id = c.coupon_id
      and k.redeemed_at is not null) as redeemed,
  c.created_at as "createdAt"`;

export async function createCoupon(db: Queryable, shopId: string, input: CouponInput): Promise<Coupon> {
  const c = CouponInput.parse(input);
  const couponId = uuidv7();
  try {
    await db.query(
      `insert into coupons (shop_id, coupon_id, name, kind, amount_cents, percent, min_spend_cents, valid_from,
                            valid_until, valid_days, code_prefix, points_price, members_only)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        shopId,
        couponId,
        c.name,
        c.kind,
        c.amountCents ?? null,
        c.percent ?? null,
        c.minSpendCents,
        c.validFrom ?? null,
        c.validUntil ?? null,
        c.validDays ?? null,
        c.codePrefix,
        c.pointsPrice ?? null,
        c.membersOnly,
      ],
    );
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.invalid('Coupon name taken', [{ field: 'body.name', message: `'${c.name}' exists` }]);
    throw err;
  }
  return getCoupon(db, shopId, couponId);
}

/**
 * What may change once codes may be out: the name, the points price — or none, to stop selling the
 * coupon for points — and whether it is still given out at all (retired: no new codes anywhere). The
 * offer itself (amount, minimum spend, validity) is what holders were given, so it stays; a new offer is
 * a new coupon.
 */
export const CouponChange = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    pointsPrice: z
      .number()
      .int()
      .min(1)
      .max(100_000_000)
      .nullable()
      .optional()
      .describe('null: no longer sold for points (codes bought keep their worth)'),
    retired: z
      .boolean()
      .optional()
      .describe(
        'true: no campaign, flow, segment issue or points purchase gives out its codes any more; false: it may again',
      ),
  })
  .refine(
    (c) => c.name !== undefined || c.pointsPrice !== undefined || c.retired !== undefined,
    'nothing to change',
  );
export type CouponChange = z.infer<typeof CouponChange>;

export async function updateCoupon(
  db: Queryable,
  shopId: string,
  couponId: string,
  change: CouponChange,
): Promise<Coupon> {
  if (!isUuid(couponId)) throw AppError.notFound('Coupon');
  try {
    const updated = await db.query(
      `update coupons set name = coalesce($3, name),
              points_price = case when $4 then $5 else points_price end,
              retired_at = case when $6::bool is null then retired_at
                                when $6 then coalesce(retired_at, now()) end
        where shop_id = $1 and coupon_id = $2 returning 1`,
      [
        shopId,
        couponId,
        change.name ?? null,
        change.pointsPrice !== undefined,
        change.pointsPrice ?? null,
        change.retired ?? null,
      ],
    );
    if (updated.length === 0) throw AppError.notFound('Coupon');
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.invalid('Coupon name taken', [
        { field: 'body.name', message: `'${change.name}' exists` },
      ]);
    throw err;
  }
  return getCoupon(db, shopId, couponId);
}

export async function getCoupon(db: Queryable, shopId: string, couponId: string): Promise<Coupon> {
  if (!isUuid(couponId)) throw AppError.notFound('Coupon');
  const [row] = await db.query<Coupon>(
    `select ${columns} from coupons c where c.shop_id = $1 and c.coupon_id = $2`,
    [shopId, couponId],
  );
  if (!row) throw AppError.notFound('Coupon');
  return row;
}

/**
 * A coupon's terms, for the checks on a path taken per request (a purchase with points, scheduling a
 * campaign, issuing): what getCoupon answers but the counts of codes, which it would read in full.
 */
export async function couponTerms(db: Queryable, shopId: string, couponId: string): Promise<CouponTerms> {
  if (!isUuid(couponId)) throw AppError.notFound('Coupon');
  const [row] = await db.query<CouponTerms>(
    `select ${termColumns} from coupons c where c.shop_id = $1 and c.coupon_id = $2`,
    [shopId, couponId],
  );
  if (!row) throw AppError.notFound('Coupon');
  return row;
}

/** Why a coupon gives out no codes at `at` — the shop retired it, or its fixed window has closed — or null. */
export function closedBecause(c: CouponTerms, at: Date): 'retired' | 'ended' | null {
  if (c.retiredAt) return 'retired';
  return c.validUntil && c.validUntil <= at ? 'ended' : null;
}

/**
 * Refuses to hand out codes of a coupon the shop retired, or whose window has closed by `at` (each would
 * arrive expired). `before` says what would have given them ("this campaign would send").
 */
export function assertIssuable(c: CouponTerms, at: Date, before?: string): void {
  const closed = closedBecause(c, at);
  if (closed === 'retired')
    throw new AppError(
      'coupon_retired',
      409,
      `The coupon '${c.name}' was retired at ${c.retiredAt!.toISOString()}: it gives out no more codes`,
    );
  if (closed === 'ended')
    throw new AppError(
      'coupon_ended',
      409,
      `The coupon '${c.name}' ${before ? 'ends' : 'ended'} at ${c.validUntil!.toISOString()}${before ? `, before ${before}` : ''}: its codes would arrive expired`,
    );
}

/** The ranks of the shop's tiers that grant member-only offers: who a members-only coupon may go to. */
export async function offerRanks(db: Queryable, shopId: string): Promise<number[]> {
  return benefitRanks((await getProgram(db, shopId)).program, 'memberOffers');
}

/** Of these customers, those a coupon may go to: everyone, unless it is kept for members with offers. */
export async function eligibleFor(
  db: Queryable,
  shopId: string,
  c: CouponTerms,
  customerIds: string[],
): Promise<Set<string>> {
  if (!c.membersOnly) return new Set(customerIds);
  const rows = await db.query<{ customerId: string }>(
    `select customer_id as "customerId" from customers
      where shop_id = $1 and customer_id = any($2::uuid[]) and tier_rank = any($3::int[])`,
    [shopId, customerIds, await offerRanks(db, shopId)],
  );
  return new Set(rows.map((r) => r.customerId));
}

/** Why a members-only coupon's code did not go to a customer, in the words of a refusal or an exit. */
export const membersOnlyReason = (c: { name: string }) =>
  `The coupon '${c.name}' is kept for members whose tier grants member-only offers`;

export async function listCoupons(db: Queryable, shopId: string): Promise<Coupon[]> {
  return db.query<Coupon>(
    `select ${columns} from coupons c where c.shop_id = $1 order by c.created_at desc`,
    [shopId],
  );
}

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
  const { signingKey } = await linkSettings(tx, shopId);
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
