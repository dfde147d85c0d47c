import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/http/app.js';
import type { Db } from '../../src/db/db.js';
import { ImportQueue } from '../../src/imports/queue.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { serverJobHandlers } from '../../src/jobs/handlers.js';
import { createApiKey } from '../../src/shops/apiKeys.js';
import { createShop, type Shop } from '../../src/shops/shops.js';
import { createStaff } from '../../src/shops/staff.js';

/** The address the test server is configured with (REGULARS_PUBLIC_URL): a shop's links, until it sets its own. */
export const TEST_SERVER_URL = 'https://crm.server.example';

export interface TestApp {
  app: App;
  imports: ImportQueue;
  /** Not started: tests run a shop's queued jobs with settleJobs. */
  jobs: JobRunner;
  db: Db;
  /** Where uploads wait for their import. */
  uploadDir: string;
  /** Where the shops' export archives are written. */
  exportDir: string;
}

export async function testApp(db: Db, webDir?: string): Promise<TestApp> {
  const uploadDir = await mkdtemp(join(tmpdir(), 'regulars-uploads-'));
  const exportDir = await mkdtemp(join(tmpdir(), 'regulars-exports-'));
  const imports = new ImportQueue(
    db,
    (err) => {
      throw err;
    },
    uploadDir,
  );
  // Test files share one PostgreSQL database: there each runner serves only the shops it is told of (see
  // settleJobs), so it never takes another file's job. An embedded database is the file's own.
  const jobs = new JobRunner(
    db,
    serverJobHandlers({ exportDir, publicUrl: TEST_SERVER_URL }),
    async () => {},
    (err) => {
      throw err;
    },
    db.kind === 'postgres' ? new Set() : null,
  );
  const app = await buildApp({
    db,
    imports,
    jobs,
    uploadDir,
    exportDir,
    publicUrl: TEST_SERVER_URL,
    logLevel: 'silent',
    webDir,
  });
  return { app, imports, jobs, db, uploadDir, exportDir };
}

/** The shop's staff member of the role ("The admin", admin-<shop>@example.com), signed in: their cookie. */
export async function signedInStaff(
  t: TestApp,
  tenant: TestTenant,
  role: 'viewer' | 'operator' | 'admin',
): Promise<Record<string, string>> {
  const email = `${role}-${tenant.shop.shopId.slice(-8)}@example.com`;
  await createStaff(t.db, tenant.shop.shopId, {
    email,
    name: `The ${role}`,
    password: tenant.password,
    role,
  });
  return (await signInAs(t.app, email, tenant.password))!;
}

/** Signs in as a staff member through the API: the session cookie to send, or null when refused. */
export async function signInAs(
  app: App,
  email: string,
  password: string,
): Promise<{ regulars_session: string } | null> {
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  const cookie = r.cookies.find((c) => c.name === 'regulars_session');
  return cookie ? { regulars_session: cookie.value } : null;
}

export interface TestTenant {
  shop: Shop;
  key: string;
  email: string;
  password: string;
  auth: { authorization: string };
}

export async function testTenant(
  db: Db,
  name = `Shop ${Math.random().toString(36).slice(2, 7)}`,
): Promise<TestTenant> {
  const shop = await createShop(db, { name });
  const email = `owner-${shop.shopId.slice(-8)}@example.com`;
  const password = 'correct horse battery';
  await createStaff(db, shop.shopId, { email, name: 'Owner', password });
  const { key } = await createApiKey(db, shop.shopId, 'tests');
  return { shop, key, email, password, auth: { authorization: `Bearer ${key}` } };
}

/** A multipart/form-data body as a browser would send it. */
/** A multipart/form-data body of `fields` and, unless null, a file part named `file` last. */
export function multipart(
  fields: Record<string, string>,
  file: { name: string; content: Buffer | string } | null,
) {
  const boundary = `----regulars${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Runs the shop's waiting jobs to their end. */
export async function settleJobs(jobs: JobRunner, db: Db, shopId: string): Promise<void> {
  jobs.shops?.add(shopId);
  const deadline = Date.now() + 60_000;
  for (;;) {
    jobs.wake();
    await jobs.idle();
    const [open] = await db.query<{ n: number }>(
      `select count(*)::int as n from jobs where shop_id = $1 and status in ('queued', 'running')`,
      [shopId],
    );
    if (open!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs of shop ${shopId} still open after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
