import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openPGlite, openPostgres, type Db } from './db.js';
import { migrate } from './migrate.js';

/** Opens the configured database (server when DATABASE_URL is set, else PGlite under the data dir), migrated. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'pgliteBuffersMb'>>,
): Promise<Db> {
  let db: Db;
  if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl);
  } else {
    const dataDir = join(config.dataDir, 'pgdata');
    await mkdir(dataDir, { recursive: true });
    db = await openPGlite({ dataDir, buffersMb: config.pgliteBuffersMb });
  }
  await migrate(db);
  return db;
}
