// How the shop's members spread over its tiers: the console's tier distribution.
import type { Queryable } from '../db/db.js';
import type { MemberProgram } from './program.js';

export interface TierShare {
  rank: number;
  name: string;
  customers: number;
  spendCents: number;
}

/** Customers by tier now, and what they have spent; `audience` (over `customers c`, its parameters after $2) narrows it. */
export async function tierDistribution(
  db: Queryable,
  shopId: string,
  program: MemberProgram,
  audience: { where: string; params: unknown[] } = { where: 'true', params: [] },
): Promise<TierShare[]> {
  const rows = await db.query<{ rank: number; customers: number; spendCents: number }>(
    `select least(c.tier_rank, $2) as rank, count(*)::int8 as customers,
            coalesce(sum(c.spend_cents - c.refunded_cents), 0)::int8 as "spendCents"
       from customers c where c.shop_id = $1 and ${audience.where} group by 1`,
    [shopId, program.tiers.length - 1, ...audience.params],
  );
  return tierShares(program, rows);
}

/** Every tier of the program with its counts (ranks above the program's top count as its top). */
export function tierShares(
  program: MemberProgram,
  rows: { rank: number; customers: number; spendCents: number }[],
): TierShare[] {
  return program.tiers.map((t, rank) => {
    const r = rows.find((x) => x.rank === rank);
    return { rank, name: t.name, customers: r?.customers ?? 0, spendCents: r?.spendCents ?? 0 };
  });
}
