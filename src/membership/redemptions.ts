// What members and staff ask of a member's points: a redemption (for a coupon, a gift or money off) and a
// correction by staff, each idempotent by its key. Redemptions check the balance in the same UPDATE that
// lowers it, so concurrent requests queue on the customer's row and can never overdraw it.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { issueCoupon, issuedCode, type BoughtCode } from '../engage/couponCodes.js';
import { closedBecause, couponTerms, eligibleFor, membersOnlyReason } from '../engage/coupons.js';
import { AppError } from '../errors.js';
import { currencyExponent } from '../orders/money.js';
import type { Shop } from '../shops/shops.js';
import { lotExpiry } from './earning.js';
import { appendEntries, balanceOf, existingEntry, type LedgerEntry } from './points.js';
import { getProgram, type MemberProgram } from './program.js';

/** Caller keys live in their own namespace, apart from the ledger's own 'earn:' and 'refund:' keys. */
const requestKey = (key: string) => `request:${key}`;

const IdempotencyKey = z
  .string()
  .trim()
  .min(8)
  .max(200)
  .describe('the same key repeats the same request without counting it twice');

export const RedemptionInput = z
  .strictObject({
    points: z.number().int().min(1).max(100_000_000),
    purpose: z.enum(['coupon', 'gift', 'money_off']),
    couponId: z
      .uuid()
      .optional()
      .describe(
        "for a coupon: one of the shop's coupons with a points price (points must be that price); a code of it is issued to the member and answered",
      ),
    reference: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('a coupon code given elsewhere, the gift, or the order it pays towards'),
    idempotencyKey: IdempotencyKey,
  })
  .superRefine((r, ctx) => {
    if (r.couponId && r.purpose !== 'coupon')
      ctx.addIssue({ code: 'custom', path: ['couponId'], message: "only for the purpose 'coupon'" });
    if (r.couponId && r.reference)
      ctx.addIssue({ code: 'custom', path: ['reference'], message: 'the issued code is the reference' });
  });
export type RedemptionInput = z.infer<typeof RedemptionInput>;

export const AdjustmentInput = z.strictObject({
  points: z
    .number()
    .int()
    .min(-100_000_000)
    .max(100_000_000)
    .refine((n) => n !== 0, 'cannot be zero'),
  reason: z.string().trim().min(1).max(500),
  idempotencyKey: IdempotencyKey.optional(),
});
export type AdjustmentInput = z.infer<typeof AdjustmentInput>;

export interface PointsMove {
  entry: LedgerEntry;
  balance: number;
  /** For money off: what the points are worth, in minor units. */
  valueCents: number | null;
  /** A coupon bought with the points: the code issued. */
  coupon: BoughtCode | null;
  /** False when the idempotency key had been used: the first outcome is answered again. */
  applied: boolean;
}

/** A key seen before must come with the same request: the same member, points and coupon bought. */
function replayed(entry: LedgerEntry, customerId: string, points: number, couponId?: string): void {
  if (entry.customerId !== customerId || entry.points !== points || entry.detail.couponId !== couponId) {
    throw new AppError('idempotency_conflict', 409, 'This idempotency key was used for a different request');
  }
}

/**
 * Spends points: the ledger entry and the balance change commit together or not at all, and the balance
 * is checked by the UPDATE that lowers it, after any concurrent redemption has committed. Spent on one
 * of the shop's coupons, the code is issued in the same transaction, keyed by the redemption's key.
 */
export async function redeemPoints(
  db: Db,
  shop: Shop,
  customerId: string,
  input: RedemptionInput,
  staffId: string | null,
  at = new Date(),
): Promise<PointsMove> {
  if (!isUuid(customerId)) throw AppError.notFound('Customer');
  const { program } = await getProgram(db, shop.shopId);
  const valueCents =
    input.purpose === 'money_off' ? pointsValueCents(input.points, program, shop.currency) : null;
  const key = requestKey(input.idempotencyKey);
  const issueKey = `points:${key}`;
  return db.transaction(async (tx) => {
    const balance = await balanceOf(tx, shop.shopId, customerId);
    // A replay answers the first outcome, even if the coupon has ended or changed price since.
    const again = async (entry: LedgerEntry, balance: number): Promise<PointsMove> => {
      replayed(entry, customerId, -input.points, input.couponId);
      const coupon = input.couponId
        ? await issuedCode(tx, shop.shopId, input.couponId, customerId, issueKey)
        : null;
      return { entry, balance, valueCents, coupon, applied: false };
    };
    const before = await existingEntry(tx, shop.shopId, key);
    if (before) return again(before, balance);
    const coupon = input.couponId
      ? await buyCoupon(tx, shop.shopId, customerId, input.couponId, input.points, issueKey, at)
      : null;
    const reference = coupon?.code ?? input.reference ?? null;
    const entryId = uuidv7(at.getTime());
    const [inserted] = await tx.query<{ entryId: string }>(
      `insert into points_ledger (shop_id, entry_id, customer_id, kind, points, idempotency_key, reason, detail, staff_id, created_at)
       values ($1, $2, $3, 'redeem', $4, $5, $6, $7, $8, $9)
       on conflict (shop_id, idempotency_key) do nothing returning entry_id as "entryId"`,
      [
        shop.shopId,
        entryId,
        customerId,
        -input.points,
        key,
        reference,
        JSON.stringify({
          purpose: input.purpose,
          reference,
          valueCents,
          ...(coupon ? { couponId: coupon.couponId, coupon: coupon.name } : {}),
        }),
        staffId,
        at.toISOString(),
      ],
    );
    // The same key committed by a concurrent request since this one looked.
    if (!inserted)
      return again(
        (await existingEntry(tx, shop.shopId, key))!,
        await balanceOf(tx, shop.shopId, customerId),
      );
    const [after] = await tx.query<{ balance: number }>(
      `update customers set points_balance = points_balance - $3
        where shop_id = $1 and customer_id = $2 and points_balance >= $3
       returning points_balance as balance`,
      [shop.shopId, customerId, input.points],
    );
    if (!after) {
      throw new AppError('insufficient_points', 409, `The balance is below ${input.points} points`, [
        { field: 'points', message: `balance ${await balanceOf(tx, shop.shopId, customerId)}` },
      ]);
    }
    const entry = (await existingEntry(tx, shop.shopId, key))!;
    return { entry, balance: after.balance, valueCents, coupon, applied: true };
  });
}

/** Issues a code of a coupon on offer for points, at its price (the caller's points must be that price). */
async function buyCoupon(
  tx: Queryable,
  shopId: string,
  customerId: string,
  couponId: string,
  points: number,
  issueKey: string,
  at: Date,
): Promise<BoughtCode> {
  const c = await couponTerms(tx, shopId, couponId);
  if (c.pointsPrice === null)
    throw new AppError('not_for_points', 409, `The coupon '${c.name}' is not offered for points`, [
      { field: 'couponId', message: 'has no points price' },
    ]);
  // The price is checked, not taken: a member agreed to what they were shown, and it may have changed.
  if (points !== c.pointsPrice)
    throw AppError.invalid(`The coupon '${c.name}' costs ${c.pointsPrice} points`, [
      { field: 'points', message: `must be ${c.pointsPrice}, the coupon's price` },
    ]);
  const closed = closedBecause(c, at);
  if (closed || (c.validFrom && c.validFrom > at))
    throw new AppError('coupon_not_on_offer', 409, `The coupon '${c.name}' is not on offer now`, [
      { field: 'couponId', message: closed === 'retired' ? 'retired by the shop' : 'outside its validity' },
    ]);
  if (!(await eligibleFor(tx, shopId, c, [customerId])).has(customerId))
    throw new AppError('members_only', 409, membersOnlyReason(c), [
      { field: 'couponId', message: "the member's tier grants no member-only offers" },
    ]);
  await issueCoupon(tx, shopId, couponId, { customerId }, issueKey, at);
  const code = await issuedCode(tx, shopId, couponId, customerId, issueKey);
  // Another code alike in all 64 bits of its digest (see issueCoupon): none was issued, so nothing is spent.
  if (!code) throw new AppError('code_taken', 409, 'No code could be issued: try again with a new key');
  return code;
}

/** What points are worth as money off, in minor units (rounded down, as a redemption pays). */
export function pointsValueCents(points: number, program: MemberProgram, currency: string): number {
  return Math.floor((points * 10 ** currencyExponent(currency)) / program.points.pointsPerUnitOff);
}

/** A correction by staff, with its reason. Added points are a lot of their own; taking points back cannot go below zero. */
export async function adjustPoints(
  db: Db,
  shop: Shop,
  customerId: string,
  input: AdjustmentInput,
  staffId: string | null,
  at = new Date(),
): Promise<PointsMove> {
  if (!isUuid(customerId)) throw AppError.notFound('Customer');
  const { program } = await getProgram(db, shop.shopId);
  const key = requestKey(input.idempotencyKey ?? uuidv7());
  return db.transaction(async (tx) => {
    const balance = await balanceOf(tx, shop.shopId, customerId);
    const before = await existingEntry(tx, shop.shopId, key);
    if (before) {
      replayed(before, customerId, input.points);
      return { entry: before, balance, valueCents: null, coupon: null, applied: false };
    }
    if (input.points < 0) {
      const [ok] = await tx.query(
        `select 1 from customers where shop_id = $1 and customer_id = $2 and points_balance >= $3 for update`,
        [shop.shopId, customerId, -input.points],
      );
      if (!ok) {
        throw new AppError('insufficient_points', 409, `The balance is below ${-input.points} points`, [
          { field: 'points', message: `balance ${balance}` },
        ]);
      }
    }
    await appendEntries(
      tx,
      shop.shopId,
      [
        {
          customerId,
          kind: 'adjust',
          points: input.points,
          key,
          reason: input.reason,
          staffId,
          expiresAt: input.points > 0 ? lotExpiry(program.points.expiry, at, shop.timeZone) : null,
        },
      ],
      at,
    );
    const entry = (await existingEntry(tx, shop.shopId, key))!;
    return {
      entry,
      balance: await balanceOf(tx, shop.shopId, customerId),
      valueCents: null,
      coupon: null,
      applied: true,
    };
  });
}
