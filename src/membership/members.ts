// The membership columns of the customer row (points_balance, tier_rank and its dates), which segments
// read all the time: every change to them goes through moveMembers, in the transaction of its cause.
import { int4Array, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';

export interface MemberMove {
  customerId: string;
  points: number;
  /** A new tier, or null to leave the tier alone. */
  rank: number | null;
  /** When the new tier started, if before the move is made (an upgrade by an order of the past). */
  since?: Date;
}

/** Sums appended entries per customer. */
export function balanceMoves(appended: { customerId: string; points: number }[]): MemberMove[] {
  const sums = new Map<string, number>();
  for (const a of appended) sums.set(a.customerId, (sums.get(a.customerId) ?? 0) + a.points);
  return [...sums].map(([customerId, points]) => ({ customerId, points, rank: null }));
}

/**
 * Moves balances and, where given, tiers, in one update of each member's row: an order's points and the
 * upgrade it brings are one write. A new tier starts at the move's `since`, else at `at`, and ends any
 * grace period or spent hold.
 */
export async function moveMembers(
  tx: Queryable,
  shopId: string,
  moves: MemberMove[],
  at: Date,
  /** For a tier set by hand: no order or re-grade moves it before this time. */
  holdUntil: Date | null = null,
): Promise<void> {
  if (moves.length === 0) return;
  await tx.query(
    `update customers c set points_balance = c.points_balance + m.points,
            tier_rank = coalesce(m.rank, c.tier_rank),
            tier_since = case when m.rank is null then c.tier_since else coalesce(m.since, $5) end,
            tier_grace_until = case when m.rank is null then c.tier_grace_until end,
            tier_hold_until = case when m.rank is null then c.tier_hold_until else $6::timestamptz end
       from unnest($2::uuid[], $3::int[], $4::int[], $7::timestamptz[]) as m(customer_id, points, rank, since)
      where c.shop_id = $1 and c.customer_id = m.customer_id`,
    [
      shopId,
      uuidArray(moves.map((m) => m.customerId)),
      int4Array(moves.map((m) => m.points)),
      int4Array(moves.map((m) => m.rank)),
      at.toISOString(),
      holdUntil?.toISOString() ?? null,
      timestamptzArray(moves.map((m) => m.since)),
    ],
  );
}
