// The one door to the database: PGlite (embedded, data on disk) or a PostgreSQL server, behind the same
// small interface, so every area writes plain PostgreSQL and never knows which one it talks to.
import { PGlite } from '@electric-sql/pglite';
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

export async function openPGlite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<EmbeddedDb> {
  const lite = await PGlite.create({ ...options, parsers });
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
