// Points expiry: lots expire in the order they were earned, at the date the program gives each (earning.ts);
// the nightly run writes what fell due, and flows warn of what is about to.
import type { Db, Queryable } from '../db/db.js';
import { expiringPoints } from './earning.js';
import { appendEntries, CONSUMPTION_SQL, type NewEntry } from './points.js';

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
