// The purchase rollups the dashboard reads (purchase_days and purchase_pairs, migration 0012), kept in
// step with the orders in the same transaction as each change to them: a new purchase, an order whose
// status or refund moved, two profiles merged. A change rewrites the customer's purchase days from the
// one before it onwards (that day's next purchase may be the changed one), recomputed from the orders
// themselves by purchase_days_to_add (migration 0012), and moves the pair counts by what left and what
// came: so a late import of an old order, a refund or a merge leaves the rollup exactly what a rebuild
// would. An order placed after its buyer's last purchase day, the usual case, rewrites one or two rows.
import { uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';

export interface PurchaseChange {
  customerId: string;
  /** When the earliest changed order was placed; null rewrites all of the customer's days. */
  from: Date | null;
}

/** Moves purchase_pairs by the pairs of `rows` (a set of purchase_days rows), times `sign`. */
const movePairs = (rows: string, sign: 1 | -1) => `
  insert into purchase_pairs (shop_id, day, next_day, customers)
  select $1, day, next_day, ${sign} * count(*)::int from (
    select day, next_day from ${rows}
    union all
    select '-infinity', day from ${rows} where prev_day = '-infinity'
  ) p
  group by day, next_day
  on conflict (shop_id, day, next_day) do update set customers = purchase_pairs.customers + excluded.customers`;

/** Rewrites the changed customers' purchase days and the pairs they make. Callers hold the shop's ingest lock. */
export async function refreshPurchaseDays(
  tx: Queryable,
  shopId: string,
  changes: PurchaseChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const earliest = new Map<string, number>();
  for (const c of changes) {
    const at = c.from?.getTime() ?? -Infinity;
    earliest.set(c.customerId, Math.min(at, earliest.get(c.customerId) ?? Infinity));
  }
  const ids = [...earliest.keys()];
  await tx.query(
    `with changed as (
       select r.customer_id, (r.at at time zone s.time_zone)::date as day
         from unnest($2::uuid[], $3::timestamptz[]) as r(customer_id, at), shops s
        where s.shop_id = $1
     ),
     gone as (
       delete from purchase_days d
        using changed c
        where d.shop_id = $1 and d.customer_id = c.customer_id
          and d.day >= coalesce((select max(b.day) from purchase_days b
                                  where b.shop_id = $1 and b.customer_id = c.customer_id and b.day < c.day), '-infinity')
       returning d.day, d.next_day, d.prev_day
     )
     ${movePairs('gone', -1)}`,
    [shopId, uuidArray(ids), ids.map((id) => timestamp(earliest.get(id)!))],
  );
  await addPurchaseDays(tx, shopId, ids);
}

/**
 * The columns of purchase_days that are written, as purchase_days_to_add returns them: all but
 * first_month, generated from first_day (migration 0016).
 */
const STORED = `shop_id, customer_id, day, orders, gross_cents, refunded_cents, refunded_orders, discounted_orders,
  discounted_gross_cents, online_orders, offline_orders, opening_net_cents, first_day, prev_day, next_day,
  prev_online_day, prev_offline_day, purchases_before, discounted_before, customer_no`;

/**
 * Adds the purchase days that follow each customer's last stored one (all customers when `ids` is null),
 * reading only the orders after it, and the pairs they make. In day order: periods read ranges of days.
 */
async function addPurchaseDays(tx: Queryable, shopId: string, ids: string[] | null): Promise<void> {
  await tx.query(
    `with added as (
       insert into purchase_days (${STORED}) select * from purchase_days_to_add($1, $2::uuid[]) order by day
       returning day, next_day, prev_day
     )
     ${movePairs('added', 1)}`,
    [shopId, ids && uuidArray(ids)],
  );
}

const timestamp = (ms: number) => (ms === -Infinity ? '-infinity' : new Date(ms).toISOString());

/** Rebuilds a whole shop's rollup from its orders (after a bulk load that went around ingestion). */
export async function rebuildPurchaseDays(tx: Queryable, shopId: string): Promise<void> {
  await tx.query('delete from purchase_days where shop_id = $1', [shopId]);
  await tx.query('delete from purchase_pairs where shop_id = $1', [shopId]);
  await addPurchaseDays(tx, shopId, null);
}
