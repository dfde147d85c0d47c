// The one door to the database: PGlite (embedded, data on disk) or a PostgreSQL server, behind the same
// small interface, so every area writes plain PostgreSQL and never knows which one it talks to.
import { PGlite } from '@electric-sql/pglite';
import { totalmem } from 'node:os';
import pg from 'pg';

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction; `exec` runs a multi-statement script (migrations) with the simple protocol. */
export interface Tx extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Runs an insert, update or delete (written without `returning`) and answers how many rows it changed:
 * the drivers report that differently, a count of what the statement returned reads the same on both.
 */
export async function rowsChanged(db: Queryable, statement: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `with changed as (${statement} returning 1) select count(*)::int as n from changed`,
    params,
  );
  return row!.n;
}

/** A table or column name quoted for SQL, for names read from the catalog. */
export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

// Both drivers are told to give the same JavaScript types back: int8 and numeric as numbers (money is
// integer minor units, far below 2^53), dates as 'YYYY-MM-DD' strings (a birthday has no time zone).
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parsers = {
  [INT8]: (v: string) => Number(v),
  [NUMERIC]: (v: string) => Number(v),
  [DATE]: (v: string) => v,
};

export interface EmbeddedDb extends Db {
  /** The whole data directory as a tarball: a backup, or the template tests start from. */
  dump(): Promise<Blob>;
}

/**
 * PGlite's page cache (shared_buffers) in MB unless REGULARS_PGLITE_BUFFERS says otherwise: 512, or a
 * sixteenth of the machine's memory if that is less (PGlite takes all of it at start), but never under
 * PGlite's own 128.
 */
export function defaultPgliteBuffersMb(machineBytes = totalmem()): number {
  return Math.max(128, Math.min(512, Math.floor(machineBytes / 16 / 2 ** 20)));
}

/**
 * The server settings PGlite starts with: its own (which include fsync off) and these two.
 * - full_page_writes off: after each checkpoint the first change to a page logs the whole page, to mend
 *   a page half written when the machine lost power. PGlite runs without fsync, so after a power cut its
 *   last writes may be gone whatever is logged; a killed process tears no page (the kernel finishes each
 *   write) and recovers from the WAL as before.
 * - shared_buffers: a larger page cache.
 * Neither helped alone; together they took a 1M-order import from 396 s to 324–365 s (bench/RESULTS.md).
 */
export function pgliteStartParams(buffersMb: number): string[] {
  const settings = {
    full_page_writes: 'off',
    shared_buffers: `${buffersMb}MB`,
  };
  return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

export async function openPGlite(options: {
  dataDir?: string;
  loadDataDir?: Blob;
  buffersMb?: number;
}): Promise<EmbeddedDb> {
  // A database held in memory has no disk to read evicted pages back from: PGlite's own 128 MB will do.
  const { buffersMb = options.dataDir ? defaultPgliteBuffersMb() : 128, ...where } = options;
  const lite = await PGlite.create({ ...where, parsers, startParams: pgliteStartParams(buffersMb) });
  return {
    kind: 'pglite',
    dump: async () => (await lite.dumpDataDir('none')) as Blob,
    async query<T>(sql: string, params?: unknown[]) {
      return (await lite.query<T>(sql, params)).rows;
    },
    transaction: (fn) =>
      lite.transaction((tx) =>
        fn({
          query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows,
          exec: async (sql: string) => void (await tx.exec(sql)),
        }),
      ),
    close: () => lite.close(),
  };
}

export function openPostgres(url: string, max = 10): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // A segment count is a short query over a million rows: compiling it (JIT) took 50–100 ms of the
    // 300 ms an operator waits for. JIT pays off on long analytical queries, which are not what waits
    // on a person here.
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid as keyof typeof parsers] ??
        pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
          exec: async (sql: string) => void (await client.query(sql)),
        });
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** The error both drivers raise when a write breaks a unique constraint (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
