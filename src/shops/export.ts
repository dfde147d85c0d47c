// A shop's data as files: one CSV per table with the shop's rows, and a manifest saying what is there —
// what an agency hands its client when the shop leaves, before `regulars shop delete`, or a backup of one
// shop out of many. The tables are read from the catalog, like the deletion's, so a table added later is
// exported too. Left out: what lets someone in (sign-in sessions, remembered browsers, the channels'
// provider credentials, and every column kept as a hash). Rows are read a page at a time in primary-key
// order, so a shop of millions of orders never sits in memory. Where the database can spare it, all in one
// read-only transaction that sees one moment: orders arriving meanwhile are in no file or in all that
// concern them. PGlite has one connection, and a transaction there would hold every other request of a
// running server until the export ends (minutes, for a large shop), so the server's export reads there
// page by page, and the manifest says the files were not read at one moment.
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { quoteIdent, type Db, type Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { shopTablesInDeleteOrder } from './deletion.js';
import { getShop } from './shops.js';

/** Tables not exported, and why. */
export const LEFT_OUT_TABLES: Record<string, string> = {
  staff_sessions: 'sign-in sessions',
  staff_devices: 'browsers remembered at sign-in',
  channel_settings: "the channels' provider credentials: set them up again wherever the data goes",
};

/** Columns ending so hold secrets kept only as hashes (passwords, API keys, codes). */
const HASH_SUFFIX = '_hash';

export interface ShopExport {
  shopId: string;
  name: string;
  exportedAt: string;
  /** The last migration applied: which version of the tables the files follow. */
  schema: string;
  /** Whether every file was read at one moment; if not, rows written meanwhile may be in some files only. */
  snapshot: boolean;
  /** Rows written, by table (a table's file is written even when empty). */
  tables: Record<string, number>;
  leftOut: { tables: Record<string, string>; columns: string[] };
}

interface Column {
  name: string;
  type: string;
}

async function columnsOf(db: Queryable, table: string): Promise<Column[]> {
  return db.query<Column>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = (current_schema() || '.' || $1)::regclass and attnum > 0 and not attisdropped
      order by attnum`,
    [table],
  );
}

async function primaryKeyOf(db: Queryable, table: string): Promise<Column[]> {
  return db.query<Column>(
    `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = (current_schema() || '.' || $1)::regclass and i.indisprimary
      order by array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
}

/** A cell as text: JSON for documents and arrays, ISO 8601 for times (as PostgreSQL writes them in JSON). */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The tables an export writes, one file each, by name. */
export async function exportedTables(db: Queryable): Promise<string[]> {
  return (await shopTablesInDeleteOrder(db)).filter((t) => !(t in LEFT_OUT_TABLES)).sort();
}

/**
 * Writes the shop's tables into `dir` (made if missing; it must be empty) and answers the manifest;
 * `onTable` hears of each table as its file is written, `onPage` of each page of rows (inside the
 * snapshot's transaction, when there is one: on PGlite neither may wait for a query of its own).
 * `snapshot: false` reads page by page.
 */
export async function exportShop(
  db: Db,
  shopId: string,
  dir: string,
  options: {
    at?: Date;
    pageSize?: number;
    snapshot?: boolean;
    onTable?: (table: string, rows: number) => void | Promise<void>;
    onPage?: () => void | Promise<void>;
  } = {},
): Promise<ShopExport> {
  const { at = new Date(), pageSize = 5000, snapshot = true, onTable, onPage } = options;
  const shop = await getShop(db, shopId);
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0)
    throw AppError.invalid(`${dir} is not empty: export into a new or empty folder`, [
      { field: 'out', message: 'not empty' },
    ]);
  const write = async (tx: Queryable) => {
    const [schema] = await tx.query<{ version: string }>(
      'select max(version) as version from schema_migrations',
    );
    const manifest: ShopExport = {
      shopId,
      name: shop.name,
      exportedAt: at.toISOString(),
      schema: schema!.version,
      snapshot,
      tables: {},
      leftOut: { tables: LEFT_OUT_TABLES, columns: [] },
    };
    for (const table of await exportedTables(tx)) {
      const all = await columnsOf(tx, table);
      manifest.leftOut.columns.push(
        ...all.filter((c) => c.name.endsWith(HASH_SUFFIX)).map((c) => `${table}.${c.name}`),
      );
      const rows = await writeTable(
        tx,
        shopId,
        table,
        all.filter((c) => !c.name.endsWith(HASH_SUFFIX)),
        join(dir, `${table}.csv`),
        pageSize,
        onPage,
      );
      manifest.tables[table] = rows;
      await onTable?.(table, rows);
    }
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  };
  if (!snapshot) return write(db);
  return db.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    return write(tx);
  });
}

/** One table's rows of the shop, a page at a time by primary key (shop_id leads it); answers how many. */
async function writeTable(
  db: Queryable,
  shopId: string,
  table: string,
  columns: Column[],
  path: string,
  pageSize: number,
  onPage?: () => void | Promise<void>,
): Promise<number> {
  const key = await primaryKeyOf(db, table);
  const keys = key.map((c) => `t.${quoteIdent(c.name)}`).join(', ');
  const file = await open(path, 'w');
  let rows = 0;
  try {
    await file.write(stringify([columns.map((c) => c.name)]));
    let after: string[] | null = null;
    for (;;) {
      const from = after ? `and (${keys}) > (${key.map((c, i) => `$${i + 2}::${c.type}`).join(', ')})` : '';
      const page: { r: Record<string, unknown> }[] = await db.query(
        `select to_jsonb(t) as r from ${quoteIdent(table)} t where t.shop_id = $1 ${from}
          order by ${keys} limit ${pageSize}`,
        [shopId, ...(after ?? [])],
      );
      if (page.length === 0) break;
      await file.write(stringify(page.map(({ r }) => columns.map((c) => cell(r[c.name])))));
      rows += page.length;
      await onPage?.();
      const last = page[page.length - 1]!.r;
      after = key.map((c) => cell(last[c.name]));
      if (page.length < pageSize) break;
    }
  } finally {
    await file.close();
  }
  return rows;
}
