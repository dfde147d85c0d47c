// Offboarding a shop (an agency's client leaves, a trial ends): every row of the shop, in every table,
// deleted in one transaction, so that a crash leaves the shop whole or gone. The tables are read from the
// catalog — every table but the migrations' own is keyed by shop_id (test/integrity.test.ts) — so a table
// added later cannot be forgotten here. Several large tables carry no foreign key (ingestion is faster
// without) and some references do not cascade (a message keeps its template), so the deletes go in the
// order of the foreign keys, referencing tables first, rather than trusting a cascade from `shops`.
import { quoteIdent, rowsChanged, type Db, type Queryable } from '../db/db.js';
import { lockShopIngest } from '../customers/resolve.js';
import { AppError } from '../errors.js';
import { getShop } from './shops.js';

export interface DeletedShop {
  shopId: string;
  name: string;
  /** Rows deleted, by table, the shop's own row included. */
  rows: Record<string, number>;
  /** Files uploaded for imports that had not ended: the caller removes them from the upload folder. */
  uploads: string[];
}

/** The shop's tables (those with a shop_id column), referencing ones before those they reference. */
export async function shopTablesInDeleteOrder(db: Queryable): Promise<string[]> {
  const tables = (
    await db.query<{ name: string }>(
      `select c.relname as name from pg_class c
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'shop_id' and not a.attisdropped
        where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p')
        order by c.relname`,
    )
  ).map((t) => t.name);
  const edges = await db.query<{ child: string; parent: string }>(
    `select distinct cc.relname as child, cp.relname as parent from pg_constraint k
       join pg_class cc on cc.oid = k.conrelid join pg_class cp on cp.oid = k.confrelid
      where k.contype = 'f' and cc.relnamespace = current_schema()::regnamespace and cc.oid <> cp.oid`,
  );
  // Depth-first: a table is placed once everything that references it has been.
  const referencedBy = new Map<string, string[]>(tables.map((t) => [t, []]));
  for (const e of edges) referencedBy.get(e.parent)?.push(e.child);
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (t: string, path: Set<string>) => {
    if (placed.has(t)) return;
    if (path.has(t)) throw new Error(`foreign keys form a cycle through ${t}`);
    path.add(t);
    for (const child of referencedBy.get(t) ?? []) place(child, path);
    path.delete(t);
    placed.add(t);
    order.push(t);
  };
  for (const t of tables) place(t, new Set());
  return order;
}

/**
 * Deletes the shop and everything it holds. Refused while one of its imports or jobs runs (heard from in
 * the last two minutes: one whose process died goes quiet, and then no longer holds the shop back), since
 * it would go on writing rows for a shop that is gone. Under its ingest lock: an order arriving meanwhile
 * waits and then fails. Cannot be undone.
 */
export async function deleteShop(db: Db, shopId: string): Promise<DeletedShop> {
  const shop = await getShop(db, shopId);
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    // The points ledger refuses deletes but this one, for this shop, in this transaction (migration 0038).
    await tx.query("select set_config('regulars.deleting_shop', $1, true)", [shopId]);
    const [busy] = await tx.query<{ imports: number; jobs: number }>(
      `select (select count(*)::int from imports where shop_id = $1 and status = 'running'
                 and coalesce(heartbeat_at, started_at, created_at) > now() - interval '2 minutes') as imports,
              (select count(*)::int from jobs where shop_id = $1 and status = 'running'
                 and coalesce(heartbeat_at, started_at, created_at) > now() - interval '2 minutes') as jobs`,
      [shopId],
    );
    if (busy!.imports + busy!.jobs > 0)
      throw new AppError(
        'shop_busy',
        409,
        `Not deleted: ${busy!.imports} import(s) and ${busy!.jobs} job(s) of the shop are running; wait for them to end, or stop the server`,
      );
    const uploads = (
      await tx.query<{ path: string }>(
        `select file_path as path from imports where shop_id = $1 and status in ('queued', 'running')`,
        [shopId],
      )
    ).map((u) => u.path);
    const rows: Record<string, number> = {};
    for (const table of await shopTablesInDeleteOrder(tx)) {
      const deleted = await rowsChanged(tx, `delete from ${quoteIdent(table)} where shop_id = $1`, [shopId]);
      if (deleted > 0) rows[table] = deleted;
    }
    return { shopId, name: shop.name, rows, uploads };
  });
}
