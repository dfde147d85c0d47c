// The points ledger: append-only entries (earn, reverse, redeem, expire, adjust), each unique per shop by
// what it is for, and the balance cached on the customer row, changed in the same statement batch as the
// entries so the two always agree. What moves points lives beside it: orders earn and reverse them
// (purchases.ts), members and staff spend and correct them (redemptions.ts), and lots expire
// (expiry.ts); each writes through appendEntries.
import { int4Array, textArray, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { openLots } from './earning.js';
import { balanceMoves, moveMembers } from './members.js';

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
  // Each detail travels as JSON text in a binary text[] (db/arrays.ts): nothing to escape.
  return tx.query<{ entryId: string; customerId: string; points: number }>(
    `insert into points_ledger (shop_id, entry_id, customer_id, kind, points, idempotency_key, order_id, expires_at,
                                lot_id, reason, detail, staff_id, created_at)
     select $1, e.entry_id, e.customer_id, e.kind, e.points, e.key, e.order_id, e.expires_at, e.lot_id, e.reason,
            e.detail::jsonb, e.staff_id, e.created_at
       from unnest($2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::uuid[], $8::timestamptz[],
                   $9::uuid[], $10::text[], $11::text[], $12::uuid[], $13::timestamptz[])
              as e(entry_id, customer_id, kind, points, key, order_id, expires_at, lot_id, reason, detail,
                   staff_id, created_at)
     on conflict (shop_id, idempotency_key) do nothing
     returning entry_id as "entryId", customer_id as "customerId", points`,
    [
      shopId,
      uuidArray(entries.map((e) => e.entryId ?? uuidv7((e.at ?? at).getTime()))),
      uuidArray(entries.map((e) => e.customerId)),
      textArray(entries.map((e) => e.kind)),
      int4Array(entries.map((e) => e.points)),
      textArray(entries.map((e) => e.key)),
      uuidArray(entries.map((e) => e.orderId)),
      timestamptzArray(entries.map((e) => e.expiresAt)),
      uuidArray(entries.map((e) => e.lotId)),
      textArray(entries.map((e) => e.reason)),
      textArray(entries.map((e) => JSON.stringify(e.detail ?? {}))),
      uuidArray(entries.map((e) => e.staffId)),
      timestamptzArray(entries.map((e) => e.at ?? at)),
    ],
  );
}

/** The entry a key stands for, if it is in the ledger. */
export async function existingEntry(tx: Queryable, shopId: string, key: string): Promise<LedgerEntry | null> {
  const [row] = await tx.query<LedgerEntry>(
    `select ${entryColumns} from points_ledger where shop_id = $1 and idempotency_key = $2`,
    [shopId, key],
  );
  return row ?? null;
}

/** The member's cached balance; a customer not in the shop is not found. */
export async function balanceOf(tx: Queryable, shopId: string, customerId: string): Promise<number> {
  const [row] = await tx.query<{ balance: number }>(
    'select points_balance as balance from customers where shop_id = $1 and customer_id = $2',
    [shopId, customerId],
  );
  if (!row) throw AppError.notFound('Customer');
  return row.balance;
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
export const CONSUMPTION_SQL = `kind in ('redeem', 'expire') or (kind = 'adjust' and points < 0)`;

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
