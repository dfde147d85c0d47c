// Once per test run: migrate a PGlite database and dump it, so each test file starts from a copy in about
// a second instead of running initdb; and migrate the PostgreSQL server when one is given. Everything the
// run writes to the temporary directory (uploads, exports, embedded databases, the browser's profile, the
// CLI's children) goes under one directory of its own, removed at the end, so runs leave nothing behind.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPGlite, openPostgres } from '../../src/db/db.js';
import { migrate } from '../../src/db/migrate.js';

let dir: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (process.env.CI === 'true' && !url) {
    throw new Error('CI runs the integration suite on PostgreSQL too: set TEST_DATABASE_URL');
  }
  dir = await mkdtemp(join(tmpdir(), 'regulars-test-'));
  // The test workers are started after this, and inherit it; os.tmpdir() reads it on each call.
  process.env.TMPDIR = dir;
  const lite = await openPGlite({});
  await migrate(lite);
  const template = join(dir, 'template.tar');
  await writeFile(template, Buffer.from(await (await lite.dump()).arrayBuffer()));
  await lite.close();
  if (url) {
    const pg = openPostgres(url, 1);
    await migrate(pg);
    await pg.close();
  }
  project.provide('pgliteTemplate', template);
  project.provide('postgresUrl', url ?? '');
  return async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresUrl: string;
  }
}
