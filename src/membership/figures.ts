// Member figures for the dashboard, read where membership keeps them: points moved in a period (from the
// ledger) and how customers moved between tiers from one moment to another (from the tier changes on the
// timeline). What is owed now is read with the rest of the customers' standing (analytics/standing.ts).
import type { Queryable } from '../db/db.js';

export interface PointsMoved {
  /** Earned on orders, and added by hand or by flows. */
  earned: number;
  added: number;
  /** Taken back on refunds, spent, expired, and taken off by hand. */
  reversed: number;
  redeemed: number;
  expired: number;
  deducted: number;
}

/**
 * Points moved between `start` and `end`. `audience` is a predicate over `customers c` whose parameters
 * follow $3; everyone's entries need no customer row.
 */
export async function pointsMoved(
  db: Queryable,
  shopId: string,
  start: Date,
  end: Date,
  audience: { everyone?: boolean; where: string; params: unknown[] },
): Promise<PointsMoved> {
  const [row] = await db.query<PointsMoved>(
    `select coalesce(sum(l.points) filter (where l.kind = 'earn'), 0)::int8 as earned,
            coalesce(sum(l.points) filter (where l.kind = 'adjust' and l.points > 0), 0)::int8 as added,
            coalesce(-sum(l.points) filter (where l.kind = 'reverse'), 0)::int8 as reversed,
            coalesce(-sum(l.points) filter (where l.kind = 'redeem'), 0)::int8 as redeemed,
            coalesce(-sum(l.points) filter (where l.kind = 'expire'), 0)::int8 as expired,
            coalesce(-sum(l.points) filter (where l.kind = 'adjust' and l.points < 0), 0)::int8 as deducted
       from points_ledger l
       ${audience.everyone ? '' : 'join customers c on c.shop_id = l.shop_id and c.customer_id = l.customer_id'}
      where l.shop_id = $1 and l.created_at >= $2 and l.created_at < $3 and ${audience.where}`,
    [shopId, start.toISOString(), end.toISOString(), ...audience.params],
  );
  return row!;
}

/**
 * How many customers were at tier `from` at one moment and at tier `to` at another (ranks; 0 the entry
 * tier). A customer's tier at a moment is where their last tier change before it took them, or the entry
 * tier; only customers who were customers at the first moment count. Audience parameters follow $3.
 */
export async function tierMigration(
  db: Queryable,
  shopId: string,
  first: Date,
  second: Date,
  audience: { where: string; params: unknown[] },
): Promise<{ from: number; to: number; customers: number }[]> {
  const tierAt = (at: string) => `(
      select (e.data->>'to')::int from customer_events e
       where e.shop_id = c.shop_id and e.customer_id = c.customer_id and e.type = 'tier.changed' and e.occurred_at < ${at}
       order by e.occurred_at desc limit 1)`;
  return db.query(
    `select coalesce(${tierAt('$2')}, 0) as "from", coalesce(${tierAt('$3')}, 0) as "to", count(*)::int as customers
       from customers c
      where c.shop_id = $1 and least(c.created_at, c.first_order_at) < $2 and ${audience.where}
      group by 1, 2 order by 1, 2`,
    [shopId, first.toISOString(), second.toISOString(), ...audience.params],
  );
}
