// What autovacuum does on a PostgreSQL server, done by hand where there is none: PGlite runs no
// background workers, so its planner statistics never refresh (it would keep planning as if a
// million-order table were empty) and the dead row versions of updated customers are never cleared.
import type { Db } from './db.js';

/** Refreshes planner statistics (and clears dead rows) of the tables bulk ingestion grows. */
export async function refreshStatistics(db: Db, tables: readonly string[], vacuum = false): Promise<void> {
  for (const table of tables) {
    if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
    // VACUUM cannot run inside a transaction, so each runs on its own.
    await db.query(`${vacuum ? 'vacuum (analyze)' : 'analyze'} ${table}`);
  }
}

export const INGEST_TABLES = [
  'orders',
  'order_items',
  'customers',
  'customer_identities',
  'points_ledger',
  'customer_events',
  // The dashboard's rollups: a vacuum also summarizes the new blocks of purchase_days' block range
  // index, without which a period's pass reads every block added since.
  'purchase_days',
  'purchase_pairs',
  'line_sales',
  // What each customer bought by category and brand, and where: a count reads their indexes alone once
  // a vacuum has marked the blocks all-visible.
  'customer_categories',
  'customer_brands',
  'customer_stores',
  // Rule tags applied as orders come in: each batch's statements plan on what a tag has.
  'customer_tags',
] as const;
