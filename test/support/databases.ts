// Integration suites run once per database: PGlite always, a PostgreSQL server when the run has one
// (CI always does). Every test works in a shop of its own, so tests never see each other's data.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openPGlite, openPostgres, type Db } from '../../src/db/db.js';
import { createShop, type Shop, type ShopInput } from '../../src/shops/shops.js';

export interface DbContext {
  kind: 'pglite' | 'postgres';
  db(): Db;
  newShop(input?: Partial<ShopInput>): Promise<Shop>;
}

export const databaseKinds = (): ('pglite' | 'postgres')[] =>
  inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];

export async function openTestDb(kind: 'pglite' | 'postgres'): Promise<Db> {
  if (kind === 'postgres') return openPostgres(inject('postgresUrl'), 20);
  return openPGlite({ loadDataDir: new Blob([await readFile(inject('pgliteTemplate'))]) });
}

export function describeEachDb(title: string, body: (ctx: DbContext) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${title} [${kind}]`, () => {
      let db: Db | undefined;
      beforeAll(async () => {
        db = await openTestDb(kind);
      });
      afterAll(async () => {
        await db?.close();
      });
      body({
        kind,
        db: () => db!,
        newShop: (input) =>
          createShop(db!, { name: `Test shop ${Math.random().toString(36).slice(2, 8)}`, ...input }),
      });
    });
  }
}
