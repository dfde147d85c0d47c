// Campaign delivery: an email campaign to N opted-in customers (default 200,000), sent by the real CLI
// (`regulars campaign send`, in a child process) to an SMTP server running here, which counts every
// message per recipient. With --kill-at F the sender is killed with SIGKILL once a fraction F of the mail
// has arrived, then `regulars campaign deliver` finishes the job; the count then shows whether anyone got
// a message twice or not at all.
//
//   npm run bench:campaign -- [--customers 200000] [--db pglite|postgres] [--connections 30] [--kill-at 0.4]
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { openDatabase } from '../src/db/open.js';
import type { Db } from '../src/db/db.js';
import { saveChannel } from '../src/engage/channels.js';
import { createCampaign } from '../src/engage/campaigns.js';
import { setContactPolicy } from '../src/engage/policy.js';
import { sendingUsage } from '../src/engage/usage.js';
import { createTemplate } from '../src/engage/templates.js';
import { requeueStalled } from '../src/jobs/jobs.js';
import { saveSegment } from '../src/segments/segments.js';
import { createShop, getShop } from '../src/shops/shops.js';
import { arg, seconds } from './options.js';

const customers = Number(arg('customers', '200000'));
const kind = arg('db', 'pglite');
const killAt = Number(arg('kill-at', '0'));
const main = join(import.meta.dirname, '..', 'src', 'main.js');

interface Sink {
  port: number;
  received: number;
  perRecipient: Map<string, number>;
  messageIds: Set<string>;
  firstAt: number;
  lastAt: number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink = {
    port: 0,
    received: 0,
    perRecipient: new Map<string, number>(),
    messageIds: new Set<string>(),
    firstAt: 0,
    lastAt: 0,
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 200,
    onData(stream, session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const now = performance.now();
        sink.firstAt ||= now;
        sink.lastAt = now;
        sink.received++;
        for (const r of session.envelope.rcptTo)
          sink.perRecipient.set(r.address, (sink.perRecipient.get(r.address) ?? 0) + 1);
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1];
        if (id) sink.messageIds.add(id);
        callback();
      });
    },
  });
  // A sender killed mid-conversation resets its connections: that is the point, not a fault here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

/** The database the CLI will open: a PGlite directory, or BENCH_DATABASE_URL. */
async function benchConfig(): Promise<{ dataDir: string; databaseUrl?: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'regulars-bench-campaign-'));
  if (kind === 'pglite') return { dataDir };
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('Set BENCH_DATABASE_URL to a PostgreSQL database the benchmark may fill');
  return { dataDir, databaseUrl: url };
}

async function buildShop(db: Db, smtpPort: number): Promise<{ shopId: string; campaignId: string }> {
  const shop = await createShop(db, { name: `Campaign bench ${customers}` });
  const shopId = shop.shopId;
  await db.query(
    `insert into customers (shop_id, customer_id, name, email, first_source, order_count, spend_cents)
     select $1, gen_random_uuid(), 'Customer ' || n, 'c' || n || '@bench.example', 'bench', 1, 10000
       from generate_series(1, $2) n`,
    [shopId, customers],
  );
  await db.query(
    `insert into customer_consents (shop_id, customer_id, channel, status, source, changed_at)
     select shop_id, customer_id, 'email', 'opted_in', 'bench', now() from customers where shop_id = $1`,
    [shopId],
  );
  await saveChannel(db, shopId, {
    channel: 'email',
    settings: {
      host: '127.0.0.1',
      port: smtpPort,
      from: 'Bench <bench@bench.example>',
      maxConnections: Number(arg('connections', '30')),
    },
    ratePerSecond: 10000,
  });
  await setContactPolicy(db, shopId, { maxMessages: 5, perDays: 7, quietHours: null });
  const template = await createTemplate(db, shopId, {
    name: 'Bench',
    channel: 'email',
    subject: '{{ customer.first_name }}, your {{ tier }} benefits',
    body: '<p>Dear {{ customer.name }}, you have {{ points.balance }} points.</p><p><a href="https://shop.example/new">New arrivals</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  });
  const segment = await saveSegment(db, shopId, {
    name: 'Everyone',
    rule: { type: 'field', field: 'orderCount', op: 'gte', value: 1 },
  });
  const campaign = await createCampaign(db, shopId, {
    name: 'Bench',
    templateId: template.templateId,
    segmentId: segment.segmentId,
  });
  return { shopId, campaignId: campaign.campaignId };
}

function cli(
  config: { dataDir: string; databaseUrl?: string },
  args: string[],
): { done: Promise<number | null>; kill(): void } {
  const child = spawn(process.execPath, [main, ...args], {
    env: {
      ...process.env,
      REGULARS_DATA_DIR: config.dataDir,
      DATABASE_URL: config.databaseUrl ?? '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    done: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    kill: () => child.kill('SIGKILL'),
  };
}

async function withBenchDb<T>(config: { dataDir: string; databaseUrl?: string }, fn: (db: Db) => Promise<T>) {
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const sink = await startSink();
const config = await benchConfig();
let started = performance.now();
const { shopId, campaignId } = await withBenchDb(config, (db) => buildShop(db, sink.port));
console.log(`${kind}: ${customers} opted-in customers built in ${seconds(started).toFixed(1)} s`);

started = performance.now();
const send = cli(config, ['campaign', 'send', campaignId, '--shop', shopId]);
let killedAt: number | null = null;
if (killAt > 0) {
  const target = Math.floor(customers * killAt);
  const watch = setInterval(() => {
    if (sink.received >= target && killedAt === null) {
      killedAt = sink.received;
      send.kill();
    }
  }, 5);
  await send.done;
  clearInterval(watch);
  if (killedAt === null) throw new Error('The sender finished before it could be killed');
  console.log(`killed the sender (SIGKILL) after ${killedAt} messages had arrived`);
  // What a server does with a job whose worker fell silent for two minutes, done at once here.
  const requeued = await withBenchDb(config, (db) => requeueStalled(db, 0));
  console.log(`the interrupted delivery job was put back in the queue (${requeued})`);
  const resume = cli(config, ['campaign', 'deliver', '--shop', shopId]);
  if ((await resume.done) !== 0) throw new Error('`regulars campaign deliver` failed');
} else if ((await send.done) !== 0) throw new Error('`regulars campaign send` failed');
const wall = seconds(started);

const counts = await withBenchDb(config, async (db) => {
  const rows = await db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from messages where shop_id = $1 and campaign_id = $2 group by status`,
    [shopId, campaignId],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
});
// The Channels page's monthly figures over what was just sent (no target; measured so the page is known).
const usageMs = await withBenchDb(config, async (db) => {
  const { timeZone } = await getShop(db, shopId);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await sendingUsage(db, shopId, timeZone, 6);
    times.push(performance.now() - t0);
  }
  return times;
});
const usageMedian = [...usageMs].sort((a, b) => a - b)[2]!;
const twice = [...sink.perRecipient.values()].filter((n) => n > 1).length;
const missing = customers - sink.perRecipient.size;
const sending = (sink.lastAt - sink.firstAt) / 1000;
console.log(
  `delivered ${sink.received} emails to ${sink.perRecipient.size} recipients (${sink.messageIds.size} distinct Message-IDs)`,
);
console.log(`recipients with more than one: ${twice}; recipients with none: ${missing}`);
console.log(`database: ${JSON.stringify(counts)}`);
console.log(
  `first to last email: ${sending.toFixed(1)} s = ${(sink.received / sending).toFixed(0)} emails/s; ` +
    `command start to finish (launch, snapshot, start-up${killAt > 0 ? ', kill and restart' : ''}): ${wall.toFixed(1)} s`,
);
console.log(
  `sent and spent, 6 months (GET /api/messages/usage): first of 5 ${usageMs[0]!.toFixed(0)} ms, median ${usageMedian.toFixed(0)} ms`,
);
await sink.close();
if (twice > 0 || missing > 0) process.exitCode = 1;
