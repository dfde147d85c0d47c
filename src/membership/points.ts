// The points ledger: append-only entries (earn, reverse, redeem, expire, adjust), each unique per shop by
// what it is for, and the balance cached on the customer row, changed in the same statement batch as the
// entries so the two always agree. Redemptions check the balance in the same UPDATE that lowers it, so
// concurrent requests queue on the customer's row and can never overdraw it.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import {
  closedBecause,
  couponTerms,
  eligibleFor,
  issueCoupon,
  issuedCode,
  membersOnlyReason,
  type BoughtCode,
} from '../engage/coupons.js';
import { AppError } from '../errors.js';
import { currencyExponent } from '../orders/money.js';
import type { Shop } from '../shops/shops.js';
import { expiringPoints, lotExpiry, openLots } from './earning.js';
import { balanceMoves, moveMembers } from './members.js';
import { getProgram, type MemberProgram } from './program.js';

export type EntryKind = 'earn' | 'reverse' | 'redeem' | 'expire' | 'adjust';

export interface NewEntry {
  entryId?: string;
  customerId: string;
  kind: EntryKind;
  points: number;
  key: string;
  orderId?: string | null;
  expiresAt?: Date | null;
  lotId?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
  staffId?: string | null;
  /** When it happened, if before it is written (points of an order of the past); else the batch's time. */
  at?: Date;
}

export interface LedgerEntry {
  entryId: string;
  customerId: string;
  kind: EntryKind;
  points: number;
  idempotencyKey: string;
  orderId: string | null;
  expiresAt: Date | null;
  lotId: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
  staffId: string | null;
  createdAt: Date;
}

const entryColumns = `entry_id as "entryId", customer_id as "customerId", kind, points,
  idempotency_key as "idempotencyKey", order_id as "orderId", expires_at as "expiresAt", lot_id as "lotId",
  reason, detail, staff_id as "staffId", created_at as "createdAt"`;

/**
 * Appends entries whose key is new and moves the balances by what was appended; an entry whose key is
 * already in the ledger is skipped, which makes every caller idempotent. Answers the appended entries.
 */
export async function appendEntries(
  tx: Queryable,
  shopId: string,
  entries: NewEntry[],
  at: Date,
): Promise<{ entryId: string; customerId: string; points: number }[]> {
  const appended = await insertEntries(tx, shopId, entries, at);
  await moveMembers(tx, shopId, balanceMoves(appended), at);
  return appended;
}

/** Inserts the entries whose key is new, without touching balances (the caller moves them). */
export async function insertEntries(
  tx: Queryable,
  shopId: string,
  entries: NewEntry[],
  at: Date,
): Promise<{ entryId: string; customerId: string; points: number }[]> {
  if (entries.length === 0) return [];
  // Details travel as one JSON array: a jsonb[] parameter is escaped element by element on both sides.
  return tx.query<{ entryId: string; customerId: string; points: number }>(
    `insert into points_ledger (shop_id, entry_id, customer_id, kind, points, idempotency_key, order_id, expires_at,
                                lot_id, reason, detail, staff_id, created_at)
     select $1, e.entry_id, e.customer_id, e.kind, e.points, e.key, e.order_id, e.expires_at, e.lot_id, e.reason,
            d.value::jsonb, e.staff_id, e.created_at
       from unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::uuid[], $8::timestamptz[],
                   $9::uuid[], $10::text[], $12::uuid[], $13::timestamptz[])
              with ordinality as e(entry_id, customer_id, kind, points, key, order_id, expires_at, lot_id, reason,
                                   staff_id, created_at, n)
       join json_array_elements($11::json) with ordinality as d(value, n) using (n)
     on conflict (shop_id, idempotency_key) do nothing
     returning entry_id as "entryId", customer_id as "customerId", points`,
    [
      shopId,
      entries.map((e) => e.entryId ?? uuidv7((e.at ?? at).getTime())),
      entries.map((e) => e.customerId),
      entries.map((e) => e.kind),
      entries.map((e) => e.points),
      entries.map((e) => e.key),
      entries.map((e) => e.orderId ?? null),
      entries.map((e) => e.expiresAt?.toISOString() ?? null),
      entries.map((e) => e.lotId ?? null),
      entries.map((e) => e.reason ?? null),
      JSON.stringify(entries.map((e) => e.detail ?? {})),
      entries.map((e) => e.staffId ?? null),
      entries.map((e) => (e.at ?? at).toISOString()),
    ],
  );
}

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

async function existingEntry(tx: Queryable, shopId: string, key: string): Promise<LedgerEntry | null> {
  const [row] = await tx.query<LedgerEntry>(
    `select ${entryColumns} from points_ledger where shop_id = $1 and idempotency_key = $2`,
    [shopId, key],
  );
  return row ?? null;
}

async function balanceOf(tx: Queryable, shopId: string, customerId: string): Promise<number> {
  const [row] = await tx.query<{ balance: number }>(
    'select points_balance as balance from customers where shop_id = $1 and customer_id = $2',
    [shopId, customerId],
  );
  if (!row) throw AppError.notFound('Customer');
  return row.balance;
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

export interface PointsSummary {
  balance: number;
  /** Upcoming expirations, soonest first, after spending lots oldest first. */
  expiring: { expiresAt: Date; points: number }[];
  earned: number;
  redeemed: number;
  expired: number;
}

export async function pointsSummary(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<PointsSummary> {
  const balance = await balanceOf(db, shopId, customerId);
  const lots = await db.query<{ expiresAt: Date | null; points: number }>(
    `select expires_at as "expiresAt", sum(points)::int8 as points from points_ledger
      where shop_id = $1 and customer_id = $2 and (kind in ('earn', 'reverse') or (kind = 'adjust' and points > 0))
      group by expires_at`,
    [shopId, customerId],
  );
  const [totals] = await db.query<{ earned: number; redeemed: number; expired: number; consumed: number }>(
    `select coalesce(sum(points) filter (where kind in ('earn', 'reverse')), 0)::int8 as earned,
            coalesce(-sum(points) filter (where kind = 'redeem'), 0)::int8 as redeemed,
            coalesce(-sum(points) filter (where kind = 'expire'), 0)::int8 as expired,
            coalesce(-sum(points) filter (where ${CONSUMPTION_SQL}), 0)::int8 as consumed
       from points_ledger where shop_id = $1 and customer_id = $2`,
    [shopId, customerId],
  );
  const open = openLots(lots, totals!.consumed);
  return {
    balance,
    expiring: open.flatMap((l) => (l.expiresAt ? [{ expiresAt: l.expiresAt, points: l.points }] : [])),
    earned: totals!.earned,
    redeemed: totals!.redeemed,
    expired: totals!.expired,
  };
}

/** What spends lots: redemptions, expiries and points taken back by staff (reversals shrink their own lot). */
const CONSUMPTION_SQL = `kind in ('redeem', 'expire') or (kind = 'adjust' and points < 0)`;

/**
 * Customers about to lose points: (customer_id, expires_at, notice_at) for each lot date up to $3 + $4
 * days by which more was earned than spent (spending uses the oldest lots first, so that remainder is
 * what expires then). notice_at is $4 days before the expiry, or when the lot was earned if that is
 * later (a lot shorter-lived than the notice is due at once); only dates after $2 are looked at. $1 is
 * the shop. Flows (points expiring) read it.
 */
export const EXPIRING_LOTS_SQL = `
  select c.customer_id, x.expires_at, greatest(x.expires_at - make_interval(days => $4), x.earned_at) as notice_at
    from customers c
    cross join lateral (
      select l.expires_at, min(l.created_at) as earned_at from points_ledger l
       where l.shop_id = c.shop_id and l.customer_id = c.customer_id and l.points > 0
         and l.expires_at > $2 and l.expires_at <= $3::timestamptz + make_interval(days => $4)
       group by l.expires_at
    ) x
    cross join lateral (
      select coalesce(sum(l.points) filter (where l.expires_at <= x.expires_at), 0) as due,
             coalesce(-sum(l.points) filter (where ${CONSUMPTION_SQL}), 0) as consumed
        from points_ledger l where l.shop_id = c.shop_id and l.customer_id = c.customer_id
    ) s
   where c.shop_id = $1 and c.points_balance > 0 and s.due > s.consumed`;

export async function listLedger(
  db: Queryable,
  shopId: string,
  customerId: string,
  options: { limit: number; before?: string },
): Promise<LedgerEntry[]> {
  return db.query<LedgerEntry>(
    `select ${entryColumns} from points_ledger
      where shop_id = $1 and customer_id = $2 and ($3::uuid is null or entry_id < $3)
      order by entry_id desc limit $4`,
    [shopId, customerId, options.before ?? null, options.limit],
  );
}

/**
 * Expires every lot due by `at`, for the whole shop, a chunk of customers per transaction. Each lot date
 * gets its own entry, dated when those lots fell due: a run that catches up (the first after an import of
 * last year's orders) writes each expiry on its day, not all of them on the day it ran. Replaying it
 * expires nothing more: an expiry counts as spending, so the same lots are not due twice.
 */
export async function expirePoints(
  db: Db,
  shopId: string,
  at: Date,
  onProgress: (done: number) => Promise<void> = async () => {},
  chunk = 5_000,
): Promise<{ customers: number; expired: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  const result = { customers: 0, expired: 0 };
  for (;;) {
    const run = await db.transaction((tx) => expireDue(tx, shopId, at, { after, limit: chunk }));
    result.customers += run.customers;
    result.expired += run.expired;
    await onProgress(result.customers);
    if (run.last === null || run.read < chunk) return result;
    after = run.last;
  }
}

/**
 * Expires what is due by `at` for some customers, in the caller's transaction: those after a customer id
 * (a chunk of the nightly run), or the given ones (the buyers of an order from the past sent in through
 * the API, whose points may be due already).
 */
export async function expireDue(
  tx: Queryable,
  shopId: string,
  at: Date,
  which: { after: string; limit: number } | { customerIds: string[] },
): Promise<{ customers: number; expired: number; read: number; last: string | null }> {
  const chosen =
    'customerIds' in which
      ? { sql: 'customer_id = any($3::uuid[])', params: [which.customerIds] }
      : { sql: 'customer_id > $3::uuid order by customer_id limit $4', params: [which.after, which.limit] };
  const rows = await tx.query<{
    customerId: string;
    balance: number;
    consumed: number;
    due: { at: number; points: number }[];
  }>(
    `select c.customer_id as "customerId", c.points_balance as balance, l.consumed, l.due
       from (select customer_id, points_balance from customers
              where shop_id = $1 and points_balance > 0 and ${chosen.sql} for update) c
       cross join lateral (
         select coalesce(sum(g.consumed), 0)::int8 as consumed,
                coalesce(json_agg(json_build_object('at', extract(epoch from g.expires_at) * 1000, 'points', g.points)
                                  order by g.expires_at) filter (where g.expires_at <= $2), '[]') as due
           from (select expires_at, sum(points) as points,
                        coalesce(-sum(points) filter (where ${CONSUMPTION_SQL}), 0) as consumed
                   from points_ledger l where l.shop_id = $1 and l.customer_id = c.customer_id
                  group by expires_at) g
       ) l
      order by c.customer_id`,
    [shopId, at.toISOString(), ...chosen.params],
  );
  const entries: NewEntry[] = [];
  for (const r of rows) {
    let due = 0;
    let consumed = r.consumed;
    let balance = r.balance;
    for (const lots of r.due) {
      due += lots.points;
      const points = expiringPoints(due, consumed, balance);
      if (points === 0) continue;
      consumed += points;
      balance -= points;
      const dueAt = new Date(lots.at);
      entries.push({
        customerId: r.customerId,
        kind: 'expire',
        points: -points,
        // The run's cut-off keeps a lot date that a later run finds more due on (an order of the
        // past imported after the first run) from colliding with the first run's entry.
        key: `expire:${r.customerId}:${at.toISOString()}:${dueAt.toISOString()}`,
        detail: { dueBy: dueAt.toISOString() },
        at: dueAt,
      });
    }
  }
  await appendEntries(tx, shopId, entries, at);
  return {
    customers: new Set(entries.map((e) => e.customerId)).size,
    expired: entries.reduce((sum, e) => sum - e.points, 0),
    read: rows.length,
    last: rows.length > 0 ? rows[rows.length - 1]!.customerId : null,
  };
}
