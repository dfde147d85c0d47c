// Coupons: the offers, their terms and who may have one; the unique codes issued from them are
// couponCodes.ts. A coupon with a points price is also one a member can buy with points
// (membership/redemptions.ts). A coupon kept for members (`membersOnly`, migration 0055) goes only to
// customers whose tier grants member-only offers, a benefit of the member program: its codes are issued
// to no one else, however they are given.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { isUniqueViolation } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { benefitRanks, getProgram } from '../membership/program.js';

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
