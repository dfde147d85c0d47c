// What every benchmark reads from its command line, and the database it fills: a fresh PGlite directory
// (or, with --data-dir, the one an earlier run left, to reuse its shop with --shop), or the PostgreSQL
// database BENCH_DATABASE_URL names.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPGlite, openPostgres, type Db } from '../src/db/db.js';

const args = process.argv.slice(2);

export function arg(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

export function flag(name: string): boolean {
  return args.includes(`--${name}`);
}

export async function openBenchDb(kind: string): Promise<Db> {
  if (kind === 'pglite') {
    const dataDir = arg('data-dir', '') || (await mkdtemp(join(tmpdir(), 'regulars-bench-')));
    console.log(`PGlite data directory ${dataDir}`);
    return openPGlite({ dataDir });
  }
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('Set BENCH_DATABASE_URL to a PostgreSQL database the benchmark may fill');
  return openPostgres(url, 4);
}

export const seconds = (since: number) => (performance.now() - since) / 1000;
