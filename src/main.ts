#!/usr/bin/env node
// The `regulars` command: serve, import, demo, migrate, and the few admin tasks (shops, staff, API keys).
import { join } from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { loadConfig } from './config.js';
import { pickShop, positiveInt, withDb } from './cli/context.js';
import { campaignCommands } from './cli/campaigns.js';
import { serviceCommands } from './cli/service.js';
import { flowCommands } from './cli/flows.js';
import { reportCommand } from './cli/report.js';
import { activityCommands } from './cli/activity.js';
import { retentionCommands } from './cli/retention.js';
import { shopCommands } from './cli/shop.js';
import { importCommands } from './cli/imports.js';
import { listShops } from './shops/shops.js';
import { customerCommands } from './cli/customers.js';
import { membershipCommands } from './cli/membership.js';
import type { Db } from './db/db.js';
import { INGEST_TABLES, refreshStatistics } from './db/maintenance.js';
import { openDatabase } from './db/open.js';
import { DEMO_LOGIN, loadDemo } from './demo/demo.js';
import { AppError } from './errors.js';
import { buildApp, DEFAULT_WEB_DIR } from './http/app.js';
import { ImportQueue } from './imports/queue.js';
import { JobRunner } from './jobs/runner.js';
import { scheduleAll, serverJobHandlers } from './jobs/handlers.js';
import { sweepShopArchives } from './shops/archive.js';
import { sweepPreviewed } from './imports/previewed.js';
import { scoringCommands } from './cli/scoring.js';
import { segmentCommands } from './cli/segments.js';
import { createApiKey } from './shops/apiKeys.js';
import { createStaff, listStaff, StaffChange, updateStaff } from './shops/staff.js';

const program = new Command('regulars').description(
  'Regulars: the e-commerce CRM that turns one-time buyers into regulars',
);

program
  .command('migrate')
  .description('apply database migrations')
  .action(() =>
    withDb(async () => {
      console.log('Database is up to date.');
    }),
  );

program
  .command('demo')
  .description('load the demo shop (about 20,000 customers and 60,000 orders over two years)')
  .option('--customers <n>', 'how many customers', positiveInt, 20_000)
  .option('--seed <n>', 'random seed (the same seed builds the same shop)', positiveInt, 20261124)
  .action((opts: { customers: number; seed: number }) => withDb((db) => demo(db, opts)));

async function demo(db: Db, opts: { customers?: number; seed?: number }): Promise<void> {
  const bar = new SingleBar(
    { format: 'demo shop |{bar}| {value} orders', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  const result = await loadDemo(db, {
    ...opts,
    onProgress: (n) => {
      if (!started) bar.start(Math.round((opts.customers ?? 20_000) * 3), 0);
      started = true;
      bar.update(n);
    },
  });
  if (started) bar.stop();
  if (!result.created) {
    console.log(`The demo shop already exists (${result.shop.shopId}).`);
    return;
  }
  console.log(`Demo shop ${result.shop.shopId}: ${result.customers} customers, ${result.orders} orders.`);
  console.log(`Console sign-in: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`);
  console.log(`API key: ${result.apiKey}`);
}

importCommands(program);

program
  .command('serve')
  .description('serve the web console and the REST API')
  .option('--port <port>', 'port (default: $PORT or 3000)', positiveInt)
  .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
  .option('--demo', 'load the demo shop first when there is no shop yet')
  .action(async (opts: { port?: number; host?: string; demo?: boolean }) => {
    const config = loadConfig();
    const db = await openDatabase(config);
    if (opts.demo && (await listShops(db)).length === 0) await demo(db, {});
    const { uploadDir, exportDir } = config;
    const imports = new ImportQueue(
      db,
      (err, importId) => app.log.error({ err, importId }, 'import failed'),
      uploadDir,
    );
    const jobs = new JobRunner(db, serverJobHandlers(config), scheduleAll, (err) =>
      app.log.error({ err }, 'background job failed'),
    );
    const app = await buildApp({
      db,
      imports,
      jobs,
      publicUrl: config.publicUrl,
      uploadDir,
      exportDir,
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      logLevel: config.logLevel,
      webDir: DEFAULT_WEB_DIR,
    });
    if (db.kind === 'pglite') {
      // The embedded database has no autovacuum: keep statistics fresh and dead rows cleared by hand.
      setInterval(
        () =>
          void refreshStatistics(db, INGEST_TABLES, true).catch((err: unknown) =>
            app.log.error({ err }, 'maintenance failed'),
          ),
        15 * 60_000,
      ).unref();
    }
    // Export archives and previewed files hold customers' personal data: none is kept past its time.
    const sweep = () => {
      void sweepShopArchives(exportDir).catch((err: unknown) =>
        app.log.error({ err }, 'sweeping export archives failed'),
      );
      void sweepPreviewed(uploadDir).catch((err: unknown) =>
        app.log.error({ err }, 'sweeping previewed files failed'),
      );
    };
    sweep();
    setInterval(sweep, 60 * 60_000).unref();
    const resumed = await imports.resumeStalled();
    if (resumed > 0) app.log.info(`resuming ${resumed} unfinished import(s)`);
    jobs.start();
    const address = await app.listen({ port: opts.port ?? config.port, host: opts.host ?? config.host });
    console.log(
      `Regulars is serving the console at ${address}/ and the API at ${address}/api (docs: ${address}/api/docs)`,
    );
    console.log(
      `Database: ${config.databaseUrl ? 'PostgreSQL server' : `PGlite in ${join(config.dataDir, 'pgdata')}`}`,
    );
    const stop = async () => {
      await app.close();
      await jobs.stop();
      await imports.idle();
      await db.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

shopCommands(program);

const staff = program.command('staff').description('the staff who sign in to the console');
staff
  .command('list')
  .option('--shop <id>')
  .action((o: { shop?: string }) =>
    withDb(
      async (db) => {
        for (const s of await listStaff(db, await pickShop(db, o.shop)))
          console.log(`${s.staffId}  ${s.role.padEnd(8)}  ${s.email}  ${s.name}`);
      },
      { light: true },
    ),
  );
staff
  .command('add')
  .description('add a staff member; roles: README, "The API"')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .requiredOption('--password <password>')
  .option('--role <role>', 'owner | admin | operator | viewer', 'owner')
  .option('--shop <id>')
  .action((o: { email: string; name: string; password: string; role: 'owner'; shop?: string }) =>
    withDb(
      async (db) => {
        const s = await createStaff(db, await pickShop(db, o.shop), o);
        console.log(`Staff ${s.email} can sign in to shop ${s.shopId}.`);
      },
      { light: true },
    ),
  );

staff
  .command('password')
  .description("set a staff member's password: their sessions end and a sign-in lock is lifted")
  .requiredOption('--email <email>')
  .requiredOption('--password <password>')
  .option('--shop <id>')
  .action((o: { email: string; password: string; shop?: string }) =>
    withDb(
      async (db) => {
        const shopId = await pickShop(db, o.shop);
        const email = o.email.trim().toLowerCase();
        // The way back in for an owner who forgot the password, or whose email is locked.
        const member = (await listStaff(db, shopId)).find((s) => s.email === email);
        if (!member) throw AppError.notFound(`Staff member ${email} in shop ${shopId}`);
        const change = StaffChange.safeParse({ password: o.password });
        if (!change.success)
          throw AppError.invalid(
            'Cannot set this password',
            change.error.issues.map((i) => ({ field: '--password', message: i.message })),
          );
        await updateStaff(db, shopId, member.staffId, change.data);
        console.log(`New password set for ${email}: their sessions ended, and they can sign in at once.`);
      },
      { light: true },
    ),
  );

program
  .command('apikey')
  .description('create an API key for an integration')
  .command('create')
  .requiredOption('--name <name>')
  .option('--shop <id>')
  .action((o: { name: string; shop?: string }) =>
    withDb(
      async (db) => {
        const k = await createApiKey(db, await pickShop(db, o.shop), o.name);
        console.log(k.key);
      },
      { light: true },
    ),
  );

customerCommands(program);
membershipCommands(program);
scoringCommands(program);
segmentCommands(program);
campaignCommands(program);
serviceCommands(program);
flowCommands(program);
reportCommand(program);
activityCommands(program);
retentionCommands(program);

program.parseAsync().catch((err: unknown) => {
  if (err instanceof AppError) {
    console.error(`Error: ${err.message}`);
    for (const d of err.details) console.error(`  ${d.field ?? ''}${d.field ? ': ' : ''}${d.message}`);
  } else if (err instanceof z.ZodError) {
    console.error('Error: invalid input');
    for (const issue of err.issues) console.error(`  ${issue.path.join('.') || 'input'}: ${issue.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
});
