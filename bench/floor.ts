// The least a bulk import can cost on PGlite, in its two parts. The database's: every row the import
// left, in every table (indexes as migrated), written again into a fresh database with one COPY per
// table — no lookups, no checks, no triggers, no logic of ours; no ingest design that keeps these rows
// goes under it. The reader's: the file parsed and each row made an order, with no database at all.
import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPgliteBuffersMb, openPGlite, pgliteStartParams } from '../src/db/db.js';
import { migrate } from '../src/db/migrate.js';
import { FORMATS } from '../src/imports/formats.js';
import { readRows } from '../src/imports/reader.js';
import { bindColumns, orderFromRows, Row, type Binding } from '../src/imports/rows.js';
import type { Shop } from '../src/shops/shops.js';
import { seconds } from './options.js';

export interface Floor {
  seconds: number;
  tables: { table: string; rows: number; seconds: number }[];
}

export async function writeFloor(sourceDir: string, shopId: string): Promise<Floor> {
  // COPY takes no parameters, so the id goes into its text.
  if (!/^[0-9a-f-]{36}$/.test(shopId)) throw new Error(`not a shop id: ${shopId}`);
  const target = await mkdtemp(join(tmpdir(), 'regulars-floor-'));
  const fresh = await openPGlite({ dataDir: target });
  await migrate(fresh);
  await fresh.close();

  const source = await PGlite.create(sourceDir);
  // Started as the import's database is.
  const into = await PGlite.create(target, { startParams: pgliteStartParams(defaultPgliteBuffersMb()) });
  // Replica mode skips triggers and foreign-key checks: what triggers wrote is copied as rows.
  await into.exec('set session_replication_role = replica');
  const tables = (
    await source.query<{ table: string; columns: string }>(
      `select quote_ident(c.table_name) as table,
              string_agg(quote_ident(c.column_name), ', ' order by c.ordinal_position) as columns
         from information_schema.columns c
         join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
          and c.table_name in (select table_name from information_schema.columns
                                where table_schema = 'public' and column_name = 'shop_id')
        group by c.table_name order by c.table_name`,
    )
  ).rows;
  const floor: Floor = { seconds: 0, tables: [] };
  for (const { table, columns } of tables) {
    const out = await source.query(
      `copy (select ${columns} from ${table} where shop_id = '${shopId}') to '/dev/blob'`,
    );
    const rows = out.affectedRows ?? 0;
    if (!out.blob || rows === 0) continue;
    const started = performance.now();
    await into.query(`copy ${table} (${columns}) from '/dev/blob'`, [], { blob: out.blob });
    const took = seconds(started);
    floor.tables.push({ table, rows, seconds: took });
    floor.seconds += took;
  }
  await source.close();
  await into.close();
  await rm(target, { recursive: true, force: true });
  return floor;
}

/**
 * Seconds to read a generic-format file of one line per order into normalized orders, as the import
 * does before it touches the database.
 */
export async function readFloor(path: string, shop: Shop): Promise<{ seconds: number; orders: number }> {
  const started = performance.now();
  const stream = await readRows(path);
  let binding: Binding | undefined;
  let orders = 0;
  for await (const { rowNo, cells } of stream.rows) {
    if (!binding) {
      const bound = bindColumns(FORMATS.generic, cells);
      if ('missing' in bound) throw new Error(`not a generic file: ${bound.missing.join(', ')}`);
      binding = bound;
      continue;
    }
    const parsed = orderFromRows([new Row(binding, rowNo, cells)], shop, 'bench');
    if (!parsed.ok) throw new Error(`row ${rowNo}: ${parsed.errors[0]!.reason}`);
    orders++;
  }
  return { seconds: seconds(started), orders };
}
