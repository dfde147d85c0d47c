// The command line as an operator uses it, against an embedded database of its own: a shop, an import,
// then the membership, segment and campaign commands.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { setConsent } from '../src/customers/consent.js';
import { openDatabase } from '../src/db/open.js';
import { createImport } from '../src/imports/imports.js';
import { saveMapping } from '../src/imports/mappings.js';
import { createCampaign, scheduleCampaign } from '../src/engage/campaigns.js';
import { createFlow } from '../src/engage/flows/flows.js';
import { saveChannel } from '../src/engage/channels.js';
import { setContactPolicy } from '../src/engage/policy.js';
import { createTemplate, listTemplates } from '../src/engage/templates.js';
import { getProgram } from '../src/membership/program.js';
import { setTierByHand } from '../src/membership/tiers.js';
import { saveSegment } from '../src/segments/segments.js';
import { CaseInput } from '../src/service/cases.js';
import { openCase, updateCase } from '../src/service/desk.js';
import { setServiceTargets } from '../src/service/targets.js';
import { recordActivity } from '../src/shops/activity.js';
import { createStaff } from '../src/shops/staff.js';
import { createShop, listShops } from '../src/shops/shops.js';
import { startHttpSink } from './support/sinks.js';

const CLI = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const run = promisify(execFile);

describe('the regulars command', () => {
  let env: NodeJS.ProcessEnv;
  const regulars = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'regulars-cli-'));
    env = { ...process.env, REGULARS_DATA_DIR: dir, DATABASE_URL: '' };
    const file = join(dir, 'orders.csv');
    await writeFile(
      file,
      [
        'order_id,ordered_at,status,total,phone,item_title,item_category,item_quantity,item_price',
        'A1,2026-10-01 10:00,paid,300.00,13700000001,Serum,Skincare,2,150.00',
        'A2,2026-10-02 10:00,paid,300.00,13700000001,Lipstick,Makeup,1,300.00',
        'B1,2026-10-03 10:00,paid,80.00,13700000002,,,,',
      ].join('\n'),
    );
    expect((await regulars('shop', 'create', '--name', 'CLI shop')).code).toBe(0);
    expect((await regulars('import', file, '--format', 'generic')).code).toBe(0);
  }, 120_000);

  it('adds staff with a role, lists them, and sets a new password that lifts a sign-in lock', async () => {
    const add = (role: string) =>
      regulars(
        'staff',
        'add',
        '--email',
        'Mei@Example.com',
        '--name',
        'Mei',
        '--password',
        'mei password',
        '--role',
        role,
      );
    const bad = await add('manager');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('role: Invalid option: expected one of "viewer"|"operator"|"admin"|"owner"');
    expect((await add('viewer')).code).toBe(0);
    expect((await regulars('staff', 'list')).out).toMatch(
      /^[0-9a-f-]{36} {2}viewer {4}mei@example\.com {2}Mei$/m,
    );

    // A new password from the command line: the way back in for a forgotten or locked-out login.
    const db = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    try {
      await db.query(
        `update staff set locked_until = now() + interval '15 minutes' where email = 'mei@example.com'`,
      );
    } finally {
      await db.close();
    }
    const password = (email: string, pw: string) =>
      regulars('staff', 'password', '--email', email, '--password', pw);
    expect(await password('Mei@example.com', 'short')).toMatchObject({
      code: 1,
      out: expect.stringContaining('--password: at least 8 characters'),
    });
    expect(await password('nobody@example.com', 'long enough')).toMatchObject({
      code: 1,
      out: expect.stringContaining('Staff member nobody@example.com in shop'),
    });
    expect(await password('Mei@example.com', 'a new mei password')).toEqual({
      code: 0,
      out: 'New password set for mei@example.com: their sessions ended, and they can sign in at once.\n',
    });
    const after = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    try {
      const [row] = await after.query<{ locked: boolean }>(
        `select locked_until is not null as locked from staff where email = 'mei@example.com'`,
      );
      expect(row!.locked).toBe(false);
    } finally {
      await after.close();
    }
  }, 120_000);

  it('adjusts points by phone with a reason, once per key, and refuses what it cannot do', async () => {
    // The same command twice: its key makes the second a no-op.
    const welcome = [
      'points',
      'adjust',
      '--customer',
      '13700000002',
      '--points',
      '20',
      '--reason',
      'Welcome gift',
      '--key',
      'welcome-0002',
    ];
    const added = await regulars(...welcome);
    expect(added).toEqual({ code: 0, out: 'Added 20 points; balance 100.\n' });
    const again = await regulars(...welcome);
    expect(again.out).toBe('Already done with this key; balance 100.\n');
    const tooMuch = await regulars(
      'points',
      'adjust',
      '--customer',
      '+8613700000002',
      '--points',
      '-500',
      '--reason',
      'Fraud',
    );
    expect(tooMuch).toMatchObject({
      code: 1,
      out: expect.stringContaining('The balance is below 500 points'),
    });
    const noReason = await regulars(
      'points',
      'adjust',
      '--customer',
      '13700000002',
      '--points',
      'ten',
      '--reason',
      ' ',
    );
    expect(noReason.code).toBe(1);
    expect(noReason.out).toContain('--points: a whole number of points, such as 200 or -50, not "ten"');
    expect(noReason.out).toContain('--reason');
    const nobody = await regulars(
      'points',
      'adjust',
      '--customer',
      '13799999999',
      '--points',
      '5',
      '--reason',
      'x',
    );
    expect(nobody.out).toContain('Customer 13799999999 not found');
  }, 120_000);

  it('re-grades and reviews the shop, printing what changed', async () => {
    const regrade = await regulars('tiers', 'regrade');
    expect(regrade.code).toBe(0);
    expect(regrade.out).toContain('customers: 2, upgraded: 0, downgraded: 0');
    const review = await regulars('tiers', 'review');
    expect(review.out).toContain('customers: 2');
    // Where a member stands: 600 yuan in two purchases is Senior, 1,400 yuan or three purchases from VIP.
    const standing = await regulars('tiers', 'show', '--customer', '13700000001');
    expect(standing.code).toBe(0);
    expect(standing.out).toMatch(
      /^Senior \(since 2026-10-02\)\nCounted: 600\.00 CNY and 2 purchases \(all purchases ever\)\nTo VIP: 1400\.00 CNY more or 3 more purchases\nKeeps Senior at the review on \d{4}-\d{2}-01\n$/,
    );
    expect((await regulars('tiers', 'show', '--customer', '13799999999')).out).toContain(
      'Customer 13799999999 not found',
    );
    const expire = await regulars('points', 'expire');
    expect(expire.out).toContain('expired: 0');
    // Two buyers are too few to fit purchase models; the command says so and fails.
    const predict = await regulars('predict');
    expect(predict).toMatchObject({
      code: 1,
      out: expect.stringContaining('Predictions need at least 50 buyers'),
    });
  }, 120_000);

  it('counts and exports a segment from a JSON rule file, and names what is wrong with a bad one', async () => {
    const dir = env.REGULARS_DATA_DIR!;
    const rule = join(dir, 'spenders.json');
    await writeFile(rule, JSON.stringify({ type: 'field', field: 'spendCents', op: 'gte', value: 50_000 }));
    const count = await regulars('segment', 'count', rule);
    expect(count.code).toBe(0);
    expect(count.out).toMatch(/^1 of 2 customers \(50\.0%\) in [\d.]+ ms$/m);
    // A saved segment's JSON works as it is.
    await writeFile(rule, JSON.stringify({ name: 'all', rule: { type: 'and', rules: [] } }));
    expect((await regulars('segment', 'count', rule)).out).toMatch(/^2 of 2 customers/m);
    const out = join(dir, 'all.csv');
    expect((await regulars('segment', 'export', rule, '--out', out)).code).toBe(0);
    const csv = (await readFile(out, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(3);
    expect(
      csv
        .slice(1)
        .map((l) => l.split(',')[2])
        .sort(),
    ).toEqual(['+8613700000001', '+8613700000002']);

    await writeFile(
      rule,
      JSON.stringify({ type: 'or', rules: [{ type: 'field', field: 'spend', op: 'gte', value: 1 }] }),
    );
    const bad = await regulars('segment', 'count', rule);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("rule.rules.0.field: unknown field 'spend'");
    await writeFile(rule, '{ not json');
    expect((await regulars('segment', 'count', rule)).out).toContain('is not a JSON file');
    expect((await regulars('tags', 'backfill')).out).toContain('tags: 0');
  }, 120_000);

  it('lists, sends and reports a campaign, delivering to a real SMS endpoint', async () => {
    const sms = await startHttpSink();
    // Set up as the console would (the CLI has no template editor): SMS channel, consent, a campaign.
    const db = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    let campaignId: string;
    let laterId: string;
    try {
      const [shop] = await listShops(db);
      const shopId = shop!.shopId;
      await saveChannel(db, shopId, {
        channel: 'sms',
        settings: { provider: 'generic-json', url: `${sms.url}/send` },
      });
      await setContactPolicy(db, shopId, { maxMessages: 5, perDays: 7, quietHours: null });
      const people = await db.query<{ customerId: string }>(
        'select customer_id as "customerId" from customers where shop_id = $1 order by phone',
        [shopId],
      );
      // Only the first opted in to SMS: the second is counted as not sent, for want of an opt-in.
      await setConsent(db, shopId, people[0]!.customerId, 'sms', { status: 'opted_in', source: 'store' });
      const template = await createTemplate(db, shopId, {
        name: 'Care',
        channel: 'sms',
        body: '【CLI shop】积分{{ points.balance }}。回T退订',
      });
      const segment = await saveSegment(db, shopId, { name: 'All', rule: { type: 'and', rules: [] } });
      campaignId = (
        await createCampaign(db, shopId, {
          name: 'Care SMS',
          templateId: template.templateId,
          segmentId: segment.segmentId,
        })
      ).campaignId;
      // A second, due tomorrow: the one to stop.
      laterId = (
        await createCampaign(db, shopId, {
          name: 'Later SMS',
          templateId: template.templateId,
          segmentId: segment.segmentId,
        })
      ).campaignId;
      await scheduleCampaign(db, shopId, laterId, new Date(Date.now() + 86_400_000));
    } finally {
      await db.close();
    }
    expect((await regulars('campaign', 'list')).out).toMatch(
      new RegExp(`^${campaignId} +draft +sms +Care SMS$`, 'm'),
    );
    const sent = await regulars('campaign', 'send', campaignId);
    expect(sent.code).toBe(0);
    expect(sent.out).toContain('sent: 1');
    expect(sms.requests.map((r) => JSON.parse(r.body).to)).toEqual(['+8613700000001']);
    const report = await regulars('campaign', 'report', campaignId);
    expect(report.out).toContain('audience 2 (holdout 0)');
    expect(report.out).toContain('messages: sent 1, delivered 0, failed 0, suppressed 1, waiting 0');
    expect(report.out).toContain('suppressed (no opt-in): 1');
    // What the month's sending came to: the one text (the channel sets no price).
    const usage = await regulars('campaign', 'usage', '--months', '2');
    expect(usage.out).toMatch(/^\d{4}-\d{2} {2}sms {6}campaign {2}1 sent, 1 parts, 0\.00 CNY$/m);
    expect(await regulars('campaign', 'usage', '--months', '0')).toMatchObject({
      code: 1,
      out: expect.stringContaining("--months must be a whole number from 1 to 24, not '0'"),
    });
    // Sending again is refused: the campaign went out.
    const twice = await regulars('campaign', 'send', campaignId);
    expect(twice).toMatchObject({ code: 1, out: expect.stringContaining('The campaign is sent') });
    expect(sms.requests).toHaveLength(1);
    // Stopping: the scheduled one is stopped; the one that went out cannot be.
    expect(await regulars('campaign', 'cancel', laterId)).toMatchObject({
      code: 0,
      out: expect.stringContaining('Later SMS: cancelled'),
    });
    expect((await regulars('campaign', 'list')).out).toMatch(
      new RegExp(`^${laterId} +cancelled +sms +Later SMS$`, 'm'),
    );
    expect(await regulars('campaign', 'cancel', campaignId)).toMatchObject({
      code: 1,
      out: expect.stringContaining('The campaign is already sent'),
    });

    // A flow on today's date, activated from the terminal: it runs and delivers at once.
    const db2 = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    let flowId: string;
    try {
      const [shop] = await listShops(db2);
      const [template] = await listTemplates(db2, shop!.shopId);
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: shop!.timeZone }).format(new Date());
      flowId = (
        await createFlow(db2, shop!.shopId, {
          name: 'Today care',
          trigger: { type: 'date', month: Number(today.slice(5, 7)), day: Number(today.slice(8)), hour: 0 },
          steps: [{ id: 'care', type: 'send', templateId: template!.templateId }],
        })
      ).flowId;
    } finally {
      await db2.close();
    }
    expect((await regulars('flow', 'list')).out).toMatch(
      new RegExp(`^${flowId} +draft +date +Today care$`, 'm'),
    );
    const badDays = await regulars('flow', 'activate', flowId, '--catch-up-days', '99');
    expect(badDays).toMatchObject({ code: 1, out: expect.stringContaining('--catch-up-days must be') });
    const activated = await regulars('flow', 'activate', flowId, '--catch-up-days', '1');
    expect(activated.code).toBe(0);
    expect(sms.requests).toHaveLength(2);
    const flowReport = await regulars('flow', 'report', flowId);
    expect(flowReport.out).toContain('entered 2 (holdout 0): active 0, completed 2, exited 0');
    expect(flowReport.out).toContain('step care: passed 2, here now 0');
    expect(flowReport.out).toContain('messages: sent 1, delivered 0, failed 0, suppressed 1, waiting 0');
    expect((await regulars('flow', 'run')).code).toBe(0);
    expect(sms.requests).toHaveLength(2);
    await sms.close();
    // Twelve CLI processes, each up to several seconds while the whole suite loads both cores.
  }, 150_000);

  it('prints the main figures for a period, and names a bad flag', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const report = await regulars('report', '--from', '2020-01-01', '--to', today, '--by', 'category');
    expect(report.code).toBe(0);
    // B1 named no line: sales by line cover what A1 and A2 did.
    expect(report.out).toMatch(/^sales by category +600\.00 CNY net, all lines$/m);
    expect(report.out).toMatch(
      /^ {2}Skincare +300\.00 CNY \(50\.0%\); 1 orders, 2 units, 0 returned; 1 new buyers$/m,
    );
    expect(report.out).toMatch(
      /^ {2}Makeup +300\.00 CNY \(50\.0%\); 1 orders, 1 units, 0 returned; 1 new buyers$/m,
    );
    const badBy = await regulars('report', '--from', '2026-03-01', '--to', '2026-03-31', '--by', 'colour');
    expect(badBy).toMatchObject({ code: 1, out: expect.stringContaining('by:') });
    expect(badBy.out).not.toContain('orders');
    expect(report.out).toMatch(/^orders +\d+ from \d+ customers$/m);
    expect(report.out).toMatch(/^returning customers +\d+, [\d.]+ CNY \([\d.]+%|–\)/m);
    expect(report.out).toMatch(/^repurchase rate +/m);
    const bad = await regulars('report', '--from', '2026-03-01', '--to', '2026-02-30');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('to:');
  }, 120_000);

  it("lists the service desk's open cases, the longest waiting first, and names a bad flag", async () => {
    const db = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    const opened: string[] = [];
    try {
      const [shop] = await listShops(db);
      const [first] = await db.query<{ customerId: string }>(
        'select customer_id as "customerId" from customers where shop_id = $1 order by phone limit 1',
        [shop!.shopId],
      );
      const by = { name: 'Desk' };
      for (const [kind, subject, daysAgo] of [
        ['complaint', 'Parcel arrived crushed', 3],
        ['inquiry', 'Is there a refill?', 1],
      ] as const) {
        const at = new Date(Date.now() - daysAgo * 86_400_000);
        const k = await openCase(
          db,
          shop!.shopId,
          first!.customerId,
          CaseInput.parse({ kind, subject, openedAt: at.toISOString() }),
          by,
          'console',
        );
        opened.push(k.caseId);
      }
      await updateCase(
        db,
        shop!.shopId,
        opened[1]!,
        { status: 'resolved', resolution: 'Yes' },
        by,
        'console',
      );
      const mei = await createStaff(db, shop!.shopId, {
        email: 'desk.lan@example.com',
        name: 'Lan',
        password: 'correct horse battery',
        role: 'operator',
      });
      await updateCase(db, shop!.shopId, opened[0]!, { assignedTo: mei.staffId }, by, 'console');
      await setServiceTargets(db, shop!.shopId, { complaint: 24 });
    } finally {
      await db.close();
    }
    const open = await regulars('service', 'list');
    expect(open.code).toBe(0);
    expect(open.out).toMatch(
      new RegExp(
        `^${opened[0]} {2}complaint {3}3d waiting {3}.*: Parcel arrived crushed {2}→ Lan {2}OVERDUE$`,
        'm',
      ),
    );
    expect((await regulars('service', 'list', '--assignee', 'DESK.LAN@example.com')).out).toContain(
      'Parcel arrived crushed',
    );
    expect((await regulars('service', 'list', '--assignee', 'none')).out).toContain('0 of 0 cases');
    const late = await regulars('service', 'list', '--overdue');
    expect(late.out).toContain('Parcel arrived crushed');
    expect(late.out).toContain('1 of 1 cases');
    const found = await regulars('service', 'list', '--status', 'all', '--search', 'refill');
    expect(found.out).toContain('Is there a refill?');
    expect(found.out).toContain('1 of 1 cases');
    expect(await regulars('service', 'list', '--assignee', 'nobody@example.com')).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        "--assignee must be a staff member's email or 'none', not 'nobody@example.com'",
      ),
    });
    expect(open.out).not.toContain('Is there a refill?');
    expect(open.out).toContain('1 of 1 cases');
    const resolved = await regulars('service', 'list', '--status', 'resolved', '--kind', 'inquiry');
    expect(resolved.out).toMatch(
      new RegExp(`^${opened[1]} {2}inquiry {5}resolved \\d{4}-.*: Is there a refill\\?$`, 'm'),
    );
    expect(await regulars('service', 'list', '--kind', 'praise')).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        "--kind must be inquiry, after_sale, complaint, dispute, review, not 'praise'",
      ),
    });
    // Made a Supreme VIP, whose tier grants priority service, the customer's case is marked.
    expect((await regulars('service', 'list', '--priority')).out).toContain('0 of 0 cases');
    const again = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    try {
      const [shop] = await listShops(again);
      const stored = await getProgram(again, shop!.shopId);
      const [holder] = await again.query<{ customerId: string }>(
        'select customer_id as "customerId" from service_cases where case_id = $1',
        [opened[0]],
      );
      await setTierByHand(
        again,
        shop!.shopId,
        stored.program,
        new Date(Date.now() + 86_400_000),
        holder!.customerId,
        {
          rank: 3,
          reason: 'Founding member',
        },
      );
    } finally {
      await again.close();
    }
    const priority = await regulars('service', 'list', '--priority');
    expect(priority.out).toMatch(/: Parcel arrived crushed {2}→ Lan {2}OVERDUE {2}PRIORITY$/m);
    expect(priority.out).toContain('1 of 1 cases');
  }, 120_000);

  it("imports a help desk's tickets as service cases, previewing them first, with a report of the bad rows", async () => {
    const file = join(env.REGULARS_DATA_DIR!, 'tickets.csv');
    await writeFile(
      file,
      [
        'ticket_id,case_kind,case_status,subject,opened_at,order_id,phone',
        'T-9,after_sale,open,Wrong shade sent,2026-10-04 09:30,A2,13700000001',
        'T-10,售后,open,Where is B1?,2026-10-04 10:00,A1,13700000002',
      ].join('\n'),
    );
    const args = ['import', file, '--format', 'service-cases', '--source', 'desk'];
    const preview = await regulars(...args, '--preview');
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('service-cases format (cases); nothing was imported.');
    expect(preview.out).toMatch(
      /^ {2}row 2: T-9 {2}2026-10-04 09:30 {2}after_sale {2}open {2}Wrong shade sent {2}\+8613700000001 {2}order A2$/m,
    );
    const done = await regulars(...args);
    expect(done.code).toBe(0);
    expect(done.out).toContain('1 service cases opened, 0 updated, 0 unchanged; 0 customers created');
    expect(done.out).toContain('row 3, order_id: not an order of this customer (A1)');
    const listed = await regulars('service', 'list', '--kind', 'after_sale');
    expect(listed.out).toContain('Wrong shade sent');
    const again = await regulars(...args);
    expect(again.out).toContain('0 service cases opened, 0 updated, 1 unchanged');
  }, 120_000);

  it('says when imported orders earned points already due, and expires them on request', async () => {
    const file = join(env.REGULARS_DATA_DIR!, 'history.csv');
    await writeFile(
      file,
      ['order_id,ordered_at,status,total,phone', 'C1,2023-05-01 10:00,paid,40.00,13700000003'].join('\n'),
    );
    const imported = await regulars('import', file, '--format', 'generic');
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('earned points that are already due');
    const expire = await regulars('points', 'expire');
    expect(expire.out).toContain('customers: 1, expired: 40');
    // Nothing of it is left queued, nor said again on a replay of the file.
    const again = await regulars('import', file, '--format', 'generic');
    expect(again.out).toContain('1 unchanged');
    expect(again.out).not.toContain('already due');
  }, 120_000);

  it("lists the server's imports and stops one waiting its turn", async () => {
    const file = join(env.REGULARS_DATA_DIR!, 'queued.csv');
    await writeFile(file, 'order_id,ordered_at,status,total,phone\nQ1,2026-09-01,paid,5.00,13700000011\n');
    // Uploaded through the console of a server that has not got to it yet.
    const db = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    let importId: string;
    try {
      const [shop] = await listShops(db);
      importId = (await createImport(db, shop!.shopId, { filePath: file, format: 'generic' })).record
        .importId;
    } finally {
      await db.close();
    }
    const listed = await regulars('imports', 'list', '--limit', '1');
    expect(listed.out).toMatch(
      new RegExp(
        `^${importId}  \\S+  queued  queued\\.csv  rows 0, 0 orders created, 0 rows with errors$`,
        'm',
      ),
    );
    const stopped = await regulars('imports', 'cancel', importId);
    expect(stopped).toEqual({ code: 0, out: `Import ${importId} cancelled before it started.\n` });
    const again = await regulars('imports', 'cancel', importId);
    expect(again.code).not.toBe(0);
    expect(again.out).toContain('The import has already ended: cancelled');
    expect((await regulars('imports', 'list', '--limit', '1')).out).toContain('  cancelled  queued.csv');
  }, 120_000);

  it('previews how a file would import, mapped by --map, importing nothing, and names a bad count', async () => {
    const file = join(env.REGULARS_DATA_DIR!, 'till.csv');
    await writeFile(
      file,
      [
        'Receipt,Date,Amount,Mobile',
        'T1,2026-09-01 12:30,88.00,13700000009',
        'T2,2026-09-02,-1,13700000009',
      ].join('\n'),
    );
    const unmapped = await regulars('import', file, '--format', 'generic', '--preview');
    expect(unmapped.code).toBe(1);
    expect(unmapped.out).toContain(
      'Missing columns for the generic format: order_id, ordered_at, status, total.',
    );
    const map = ['--map', 'order_id=Receipt', '--map', 'ordered_at=Date', '--map', 'total=Amount'];
    const mapped = await regulars(
      'import',
      file,
      '--format',
      'generic',
      ...map,
      '--map',
      'phone=Mobile',
      '--map',
      'status==paid',
      '--preview',
      '5',
    );
    expect(mapped.code).toBe(0);
    expect(mapped.out).toContain('nothing was imported');
    expect(mapped.out).toMatch(/total +← Amount {2}\(required\)/);
    expect(mapped.out).toMatch(/status +← =paid {2}\(required\)/);
    // Dates in the shop's own time zone, amounts in its currency, each refused row with its reason.
    expect(mapped.out).toContain(
      'row 2: T1  2026-09-01 12:30  paid  online  88.00 CNY  +8613700000009  0 items',
    );
    expect(mapped.out).toContain('row 3, Amount: negative amount (-1)');
    // The import proper creates the order the preview showed: the preview wrote none of it.
    const imported = await regulars(
      'import',
      file,
      '--format',
      'generic',
      ...map,
      '--map',
      'phone=Mobile',
      '--map',
      'status==paid',
    );
    expect(imported.out).toContain('1 orders created, 0 updated, 0 unchanged; 1 customers created');
    // The same choices saved in the console by name.
    const db = await openDatabase({ dataDir: env.REGULARS_DATA_DIR! });
    try {
      const [shop] = await listShops(db);
      await saveMapping(db, shop!.shopId, {
        name: 'Till',
        format: 'generic',
        source: 'till',
        mapping: {
          order_id: 'Receipt',
          ordered_at: 'Date',
          total: 'Amount',
          phone: 'Mobile',
          status: '=paid',
        },
      });
    } finally {
      await db.close();
    }
    const saved = await regulars(
      'import',
      file,
      '--format',
      'generic',
      '--saved-mapping',
      'Till',
      '--preview',
    );
    expect(saved.code).toBe(0);
    expect(saved.out).toMatch(/total +← Amount {2}\(required\)/);
    expect(saved.out).toContain('row 3, Amount: negative amount (-1)');
    const otherFormat = await regulars(
      'import',
      file,
      '--format',
      'taobao',
      '--saved-mapping',
      'Till',
      '--preview',
    );
    expect(otherFormat.out).toContain("The mapping 'Till' is for the generic format, not taobao");
    const unknown = await regulars(
      'import',
      file,
      '--format',
      'generic',
      '--saved-mapping',
      'Tills',
      '--preview',
    );
    expect(unknown.out).toContain("No saved mapping named 'Tills'");
    const bad = await regulars('import', file, '--format', 'generic', ...map, '--preview', '500');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain(
      "option '--preview [n]' argument '500' is invalid. a whole number from 1 to 100",
    );
  }, 120_000);

  it("erases a customer's personal data on request, named by phone, and says what is wrong", async () => {
    const noReason = await regulars('customers', 'erase', '--customer', '13700000003', '--reason', ' ');
    expect(noReason.code).toBe(1);
    expect(noReason.out).toContain('--reason');
    const erased = await regulars('customers', 'erase', '--customer', '13700000003', '--reason', 'ticket 12');
    expect(erased.code).toBe(0);
    expect(erased.out).toMatch(/^Erased the personal data of customer [0-9a-f-]{36}\.$/m);
    // The phone finds nobody now.
    const again = await regulars('customers', 'erase', '--customer', '13700000003', '--reason', 'ticket 12');
    expect(again).toMatchObject({ code: 1, out: expect.stringContaining('Customer 13700000003 not found') });
  }, 120_000);
  it('exports the activity record to a CSV file over a range of days, and names a bad flag', async () => {
    const dir = env.REGULARS_DATA_DIR!;
    const db = await openDatabase({ dataDir: dir });
    const shopId = (await listShops(db)).find((s) => s.name === 'CLI shop')!.shopId;
    const entry = { shopId, staff: null, address: '10.0.0.9', method: 'POST', params: {} };
    const erp = { keyId: '0191d3b2-0000-7000-8000-0000000000aa', name: 'ERP' };
    await recordActivity(
      db,
      { ...entry, apiKey: erp, route: '/api/tags', status: 201 },
      new Date('2026-11-20T02:00:00Z'),
    );
    await recordActivity(
      db,
      {
        ...entry,
        apiKey: erp,
        route: '/api/customers/:customerId/erase',
        params: { customerId: 'c-1' },
        status: 403,
      },
      new Date('2026-11-25T02:00:00Z'),
    );
    await db.close();
    const out = join(dir, 'activity.csv');
    const exported = await regulars(
      'activity',
      'export',
      '--out',
      out,
      '--from',
      '2026-11-21',
      '--to',
      '2026-11-25',
    );
    expect(exported).toMatchObject({ code: 0, out: `wrote ${out}\n` });
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(parse(text.slice(1))).toEqual([
      ['at (Asia/Shanghai)', 'actor', 'address', 'method', 'route', 'params', 'status'],
      [
        '2026-11-25 10:00:00',
        'API key "ERP"',
        '10.0.0.9',
        'POST',
        '/api/customers/:customerId/erase',
        '{"customerId":"c-1"}',
        '403',
      ],
    ]);
    const backwards = await regulars(
      'activity',
      'export',
      '--out',
      out,
      '--from',
      '2026-11-30',
      '--to',
      '2026-11-01',
    );
    expect(backwards).toMatchObject({ code: 1, out: expect.stringContaining('--from: from is after to') });
    expect((await regulars('activity', 'export', '--out', join(dir, 'activity.txt'))).out).toContain(
      '--out must end in .csv',
    );
    expect(
      (await regulars('activity', 'export', '--out', out, '--staff', 'nobody@example.com')).out,
    ).toContain('Staff member nobody@example.com');
  }, 120_000);

  it('shows and sets how long records are kept, pruning at once, and names a bad flag', async () => {
    const dir = env.REGULARS_DATA_DIR!;
    const db = await openDatabase({ dataDir: dir });
    const { shopId } = await createShop(db, { name: 'Retention shop' });
    const entry = { shopId, staff: null, address: '10.0.0.9', method: 'POST', params: {}, status: 201 };
    for (const days of [250, 10]) {
      await recordActivity(
        db,
        {
          ...entry,
          apiKey: { keyId: '0191d3b2-0000-7000-8000-0000000000ab', name: `${days}d` },
          route: '/api/tags',
        },
        new Date(Date.now() - days * 86_400_000),
      );
    }
    await db.close();
    const retention = (...args: string[]) => regulars('retention', ...args, '--shop', shopId);
    expect(await retention('show')).toMatchObject({
      code: 0,
      out: 'activity record: 365 days; refused import cells: 90 days after the import ends\n',
    });
    expect(await retention('set', '--activity-days', '90')).toMatchObject({
      code: 1,
      out: expect.stringContaining("--activity-days: China's Cybersecurity Law asks for six months"),
    });
    expect((await retention('set', '--activity-days', 'soon')).out).toContain('a whole number from 1');
    expect((await retention('set')).out).toContain('Say what to change');
    expect(await retention('set', '--activity-days', '200')).toMatchObject({
      code: 0,
      out:
        'activity record: 200 days; refused import cells: 90 days after the import ends\n' +
        'activityDeleted: 1, cellsCleared: 0, sessionsDeleted: 0, devicesForgotten: 0\n',
    });
    expect((await retention('prune')).out).toBe(
      'activityDeleted: 0, cellsCleared: 0, sessionsDeleted: 0, devicesForgotten: 0\n',
    );
    const out = join(dir, 'kept.csv');
    await regulars('activity', 'export', '--out', out, '--shop', shopId);
    const actors = parse((await readFile(out, 'utf8')).slice(1)).map((r: string[]) => r[1]);
    expect(actors).toEqual(['actor', 'API key "10d"']);
  }, 120_000);

  it("changes a shop's settings, recomputing the dashboard's days for a new time zone, exports it and deletes it", async () => {
    const dir = env.REGULARS_DATA_DIR!;
    const db = await openDatabase({ dataDir: dir });
    const { shopId } = await createShop(db, { name: 'Zone shop' });
    await db.close();
    const file = join(dir, 'zone.csv');
    // At 01:30 on 2 March in Shanghai it is still 1 March in London.
    await writeFile(
      file,
      'order_id,ordered_at,status,total,phone\nZ1,2025-03-02 01:30,paid,10.00,13700000009\n',
    );
    expect((await regulars('import', file, '--format', 'generic', '--shop', shopId)).code).toBe(0);
    const set = (...args: string[]) => regulars('shop', 'set', ...args, '--shop', shopId);
    expect(await set('--currency', 'USD')).toMatchObject({
      code: 1,
      out: expect.stringContaining(
        'its currency cannot change once it has orders\n  currency: the shop has orders in CNY',
      ),
    });
    expect((await set('--time-zone', 'Mars/Olympus')).out).toContain(
      '--time-zone: an IANA time zone such as Asia/Shanghai',
    );
    expect(await set('--name', 'Zone shop, London', '--time-zone', 'Europe/London')).toMatchObject({
      code: 0,
      out: `${shopId}  Zone shop, London  CNY  Europe/London  CN\ndays: 1\n`,
    });
    const check = await openDatabase({ dataDir: dir });
    const [day] = await check.query<{ day: string }>(
      "select to_char(day, 'YYYY-MM-DD') as day from purchase_days where shop_id = $1",
      [shopId],
    );
    await check.close();
    expect(day).toEqual({ day: '2025-03-01' });

    // Offboarded: its data written out first, then deleted only with its name said back.
    const out = join(dir, 'zone-export');
    const exported = await regulars('shop', 'export', '--shop', shopId, '--out', out);
    expect(exported).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        new RegExp(
          `^orders.csv: 1 rows$[^]*\\nwrote \\d+ rows of \\d+ tables to ${out} \\(manifest.json says what is there\\)\\n$`,
          'm',
        ),
      ),
    });
    expect(parse(await readFile(join(out, 'orders.csv'), 'utf8'), { columns: true })).toEqual([
      expect.objectContaining({ shop_id: shopId, external_id: 'Z1', total_cents: '1000' }),
    ]);
    // An archive the server made for its owner goes with the shop.
    const archives = join(dir, 'exports', shopId);
    await mkdir(archives, { recursive: true });
    await writeFile(join(archives, 'earlier.zip'), 'PK');
    const remove = (name: string) => regulars('shop', 'delete', '--shop', shopId, '--confirm', name);
    expect(await remove('Zone shop')).toMatchObject({
      code: 1,
      out: expect.stringContaining('--confirm: the shop is named "Zone shop, London"'),
    });
    const removed = await remove('Zone shop, London');
    expect(removed).toMatchObject({ code: 0 });
    expect(removed.out).toMatch(
      new RegExp(`^Deleted shop ${shopId} \\(Zone shop, London\\): \\d+ rows from \\d+ tables\\.\\n$`),
    );
    expect(existsSync(archives)).toBe(false);
    expect((await regulars('shop', 'list')).out).not.toContain(shopId);
  }, 120_000);
});
