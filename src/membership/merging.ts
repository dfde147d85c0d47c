// When two profiles of one person merge, their membership becomes one: the survivor takes over every
// ledger entry (so its balance is still the sum of its ledger), and keeps the better of the tiers.
import type { Queryable } from '../db/db.js';
import { getProgram } from './program.js';
import { gradeMerged } from './tiers.js';

/** Moves the others' ledger and balances to the survivor; answers their tiers, read before they go. */
export async function carryMembership(
  tx: Queryable,
  shopId: string,
  survivorId: string,
  otherIds: string[],
): Promise<number[]> {
  const others = await tx.query<{ rank: number; balance: number }>(
    `select tier_rank as rank, points_balance as balance from customers
      where shop_id = $1 and customer_id = any($2::uuid[])`,
    [shopId, otherIds],
  );
  await tx.query(
    'update points_ledger set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    [shopId, survivorId, otherIds],
  );
  await tx.query(
    'update customers set points_balance = points_balance + $3 where shop_id = $1 and customer_id = $2',
    [shopId, survivorId, others.reduce((sum, o) => sum + o.balance, 0)],
  );
  return others.map((o) => o.rank);
}

/** Once the survivor's stats cover both histories, settles its tier. */
export async function settleMergedTier(
  tx: Queryable,
  shopId: string,
  survivorId: string,
  mergedRanks: number[],
  source: string,
  at: Date,
): Promise<void> {
  const { program } = await getProgram(tx, shopId);
  await gradeMerged(tx, shopId, program, survivorId, mergedRanks, source, at);
}
