// The console in real headless Chromium (Debian's package): sign in, import a file, find a customer,
// open the profile, switch language; edit the member program and watch the re-grade, adjust a member's
// points and tier, bind a member card; make a rule tag, build a segment and watch its count follow the rule;
// set up email, write a template and preview it, make a coupon, send a campaign with it and read its
// report; list the package inserts; add staff and API keys, and meet a viewer's limits.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import JSZip from 'jszip';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { DEFAULT_WEB_DIR } from '../src/http/app.js';
import { createImport } from '../src/imports/imports.js';
import { createStaff } from '../src/shops/staff.js';
import { TEST_SERVER_URL, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';
import { openTestDb } from './support/databases.js';
import { startHttpSink, startSmtpSink } from './support/sinks.js';

const CHROMIUM = '/usr/bin/chromium';
/** The console answers within seconds even when the whole suite loads this machine's two cores. */
const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });
const available = existsSync(CHROMIUM);
if (!available && process.env.CI === 'true') throw new Error(`CI needs ${CHROMIUM} for the browser test`);

describe.skipIf(!available)('web console in Chromium', () => {
  let db: Db;
  let t: TestApp;
  let tenant: TestTenant;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(`${DEFAULT_WEB_DIR}index.html`))
      throw new Error('The console is not built: run `npm run build`');
    db = await openTestDb('pglite');
    t = await testApp(db, DEFAULT_WEB_DIR);
    tenant = await testTenant(db, 'Browser Test Shop');
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ locale: 'en-US' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
    await db?.close();
  });

  const signIn = async (page: Page, as: TestTenant) => {
    await page.goto(base);
    await page.getByLabel('Email').fill(as.email);
    await page.getByLabel('Password').fill(as.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('shop-name').waitFor();
  };
  // The shops' data comes in as it does in production: through the order webhook.
  const placeOrder = (as: TestTenant, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/orders', headers: as.auth, payload });

  it('signs in, imports a file, finds a customer and opens the profile', async () => {
    await page.goto(base);
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
    await page.getByLabel('Password').fill(tenant.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('shop-name').waitFor();
    expect(await page.getByTestId('shop-name').textContent()).toBe('Browser Test Shop');
    // Every area's link fits a 1280-pixel laptop screen: none runs off the edge of the page.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);

    await page.getByRole('link', { name: 'Import' }).click();
    await page
      .getByLabel(/^File/)
      .setInputFiles(fileURLToPath(new URL('./fixtures/generic-orders.csv', import.meta.url)));
    await page.getByRole('button', { name: 'Import' }).click();
    const done = page.locator('[data-testid="import"][data-status="completed"]');
    await done.waitFor({ timeout: 30_000 });
    expect(await done.getByTestId('import-result').textContent()).toBe(
      '4 orders created, 0 updated, 0 unchanged; 3 new customers',
    );
    await done.getByRole('cell', { name: 'unparseable date' }).waitFor();
    expect(
      await done.getByRole('link', { name: 'Download error report (CSV)' }).getAttribute('href'),
    ).toMatch(/\/api\/imports\/.+\/errors\.csv$/);
    // An order of 2023 earned points that fell due at the end of 2024: the page says they are expired.
    const old = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'old-orders.csv');
    await writeFile(
      old,
      'order_id,ordered_at,status,total,phone\nOLD-1,2023-05-01 10:00,paid,40.00,13900000077\n',
    );
    await page.getByLabel(/^File/).setInputFiles(old);
    await page.getByRole('button', { name: 'Import' }).click();
    const history = page.locator('[data-testid="import"][data-status="completed"]', {
      hasText: 'old-orders.csv',
    });
    await history.waitFor({ timeout: 30_000 });
    expect(await history.getByTestId('import-expiry').textContent()).toBe(
      'Some of these orders earned points that were already due: they are being expired. Membership jobs',
    );
    expect(await done.filter({ hasText: 'generic-orders.csv' }).getByTestId('import-expiry').count()).toBe(0);

    // A till's export with headers of its own: the page says which columns are missing, the operator
    // picks them, and the first orders show as they will import before anything is.
    const till = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'till.csv');
    await writeFile(
      till,
      'Receipt,Date,Amount,Mobile\nT-1,2026-09-01 12:30,88.00,13900000088\nT-2,2026-09-02 08:00,-1,13900000088\n',
    );
    // The file goes up once: each later preview, and the import, send the id the server kept it by.
    const requests: Request[] = [];
    const record = (r: Request) => {
      const path = new URL(r.url()).pathname;
      if (r.method() === 'POST' && (path === '/api/imports' || path === '/api/imports/preview'))
        requests.push(r);
    };
    page.on('request', record);
    await page.getByLabel(/^File/).setInputFiles(till);
    await eventually(() => page.getByTestId('preview-unfit').textContent()).toBe(
      "Missing columns for the generic format: order_id, ordered_at, status, total. The file's columns are: Receipt, Date, Amount, Mobile",
    );
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    const field = (name: string) => page.locator(`[data-testid="column-mapping"] tr[data-field="${name}"]`);
    await field('order_id').locator('select').selectOption('Receipt');
    await field('ordered_at').locator('select').selectOption({ label: 'Date (2026-09-01 12:30)' });
    await field('total').locator('select').selectOption('Amount');
    await field('phone').locator('select').selectOption('Mobile');
    // Read with the phone's column by now: no preview is on its way.
    await eventually(() => field('phone').locator('td').last().textContent()).toBe('Mobile');
    // Swept meanwhile (an hour unused): the next preview sends the file again, and the page goes on.
    const kept = join(t.uploadDir, 'previewed', tenant.shop.shopId);
    for (const name of await readdir(kept)) await rm(join(kept, name));
    await field('status').locator('select').selectOption({ label: 'a fixed value…' });
    await field('status').getByLabel('Fixed value of status').fill('paid');
    const previewed = page.getByTestId('preview-order');
    await eventually(() => previewed.count()).toBe(1);
    expect(await previewed.locator('td').allTextContents()).toEqual([
      '2',
      'T-1',
      'Sep 1, 2026, 12:30 PM',
      'Paid · Online',
      'CN¥88.00',
      'Phone +8613900000088',
      '',
    ]);
    expect(await page.getByTestId('preview-error').textContent()).toBe('3Amount negative amount (-1)');
    expect(await field('status').locator('td').last().textContent()).toBe('=paid');
    expect(await page.getByTestId('preview-cli').textContent()).toBe(
      "--map 'order_id=Receipt' --map 'ordered_at=Date' --map 'total=Amount' --map 'phone=Mobile' --map 'status==paid'",
    );
    // Saved by name for next week's file.
    const saved = page.getByTestId('saved-mappings');
    await saved.getByLabel('Save these columns as').fill('Till export');
    await saved.getByLabel('Save these columns as').press('Enter');
    await eventually(() => saved.getByLabel('Saved columns').locator('option:checked').textContent()).toBe(
      'Till export (Generic (documented columns))',
    );
    await importButton.click();
    const tilled = page.locator('[data-testid="import"][data-status="completed"]', { hasText: 'till.csv' });
    await tilled.waitFor({ timeout: 30_000 });
    expect(await tilled.getByTestId('import-result').textContent()).toBe(
      '1 orders created, 0 updated, 0 unchanged; 1 new customers',
    );
    page.off('request', record);
    const sent = await Promise.all(
      requests.map(async (r) => ({
        path: new URL(r.url()).pathname,
        // Chromium gives the body of a form as text unless it carries a file.
        file: r.postData() === null,
        status: (await r.response())?.status(),
      })),
    );
    // Uploaded with the first preview, then only when the server had let go of it (after the sweep):
    // each upload after the first follows a preview by id refused as gone. How many previews met the
    // sweep depends on how the page's changes were timed; at least one did.
    expect(sent[0]).toEqual({ path: '/api/imports/preview', file: true, status: 200 });
    sent.forEach((r, i) => {
      if (i > 0 && r.file)
        expect({ before: sent[i - 1], upload: r }).toMatchObject({ before: { file: false, status: 410 } });
    });
    expect(sent.filter((r) => r.status === 410).length).toBeGreaterThan(0);
    // Imported by its id.
    expect(sent.filter((r) => r.path === '/api/imports')).toEqual([
      { path: '/api/imports', file: false, status: 202 },
    ]);
    expect(await readdir(kept)).toEqual([]);
    // Next week, on a fresh page: the file's columns are recognised, and one click maps them all.
    await page.reload();
    const nextWeek = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'till-week-2.csv');
    await writeFile(nextWeek, 'Receipt,Date,Amount,Mobile\nT-9,2026-09-08 18:00,42.00,13900000088\n');
    // The operator left the format on another kind of file: the mapping is offered all the same.
    await page.locator('select[name=format]').selectOption({ label: 'Shopify orders export' });
    await page.getByLabel(/^File/).setInputFiles(nextWeek);
    await page
      .getByTestId('mapping-fits')
      .getByText(
        'This file has the columns of “Till export”, saved for the Generic (documented columns) format.',
      )
      .waitFor();
    await page.getByTestId('mapping-fits').getByRole('button', { name: 'Use them' }).click();
    await eventually(() => page.getByTestId('preview-order').locator('td').nth(1).textContent()).toBe('T-9');
    expect(await page.locator('select[name=format]').inputValue()).toBe('generic');
    expect(await importButton.isDisabled()).toBe(false);

    await page.getByRole('link', { name: 'Customers' }).click();
    // A customer calling about an order gives its number (the list showed every customer until now).
    await page.getByRole('searchbox').fill('G3');
    await page.getByRole('searchbox').press('Enter');
    await eventually(() => page.locator('table tbody tr').count()).toBe(1);
    expect(await page.locator('table tbody tr td').first().textContent()).toBe('王芳');
    // At the counter a member gives the last digits of their phone.
    await page.getByRole('searchbox').fill('5678');
    await page.getByRole('searchbox').press('Enter');
    await eventually(() => page.locator('table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: '王芳' }).waitFor();
    // Kept as +8613812345678, the phone reads the way a Chinese shop's staff write it; the row says her
    // tier and points too.
    await eventually(() => page.locator('table tbody tr td').allTextContents()).toEqual([
      '王芳',
      '138 1234 5678',
      'wang@example.com',
      'Senior',
      '498',
      '2',
      'CN¥498.00',
      expect.any(String),
    ]);
    await page.getByRole('searchbox').fill('138 1234 5678');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('link', { name: '王芳' }).click();
    await page.getByTestId('customer-name').waitFor();
    expect(await page.getByTestId('customer-name').textContent()).toBe('王芳');
    const stats = await page.getByTestId('stats').textContent();
    expect(stats).toContain('Orders2');
    expect(stats).toContain('CN¥498.00');
    expect(await page.locator('table.orders tbody tr').count()).toBe(2);
    // Created, two orders placed, the points each earned, and Senior from the second order.
    expect(await page.locator('.timeline li').count()).toBe(6);
    expect(await page.getByTestId('points-balance').textContent()).toBe('498');
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/profile.png', import.meta.url)),
      fullPage: true,
    });

    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('link', { name: '客户', exact: true }).waitFor();
    await page.getByRole('heading', { name: '订单' }).waitFor();
    await page.getByRole('heading', { name: '时间线' }).waitFor();
  });

  it('maps a file without a header row by position, each column shown by its first cell', async () => {
    const shop = await testTenant(db, 'Headerless Shop');
    const file = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'till.txt');
    await writeFile(
      file,
      'H-1\t2026-09-01 12:30\t88.00\t13900000077\nH-2\t2026-09-02 09:00\t12.00\t13900000078\n',
    );
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByLabel(/^File/).setInputFiles(file);
    const mapping = page.getByTestId('column-mapping');
    await mapping.getByLabel('The file has no header row').check();
    const field = (name: string) => mapping.locator(`tr[data-field="${name}"]`);
    // The first field the file needs takes column 1; the others are picked by position.
    await eventually(() => field('order_id').locator('select option:checked').textContent()).toBe('#1 (H-1)');
    await field('ordered_at').locator('select').selectOption({ label: '#2 (2026-09-01 12:30)' });
    await field('total').locator('select').selectOption('#3');
    await field('phone').locator('select').selectOption('#4');
    await field('status').locator('select').selectOption({ label: 'a fixed value…' });
    await field('status').getByLabel('Fixed value of status').fill('paid');
    // Row 1 is data: both rows are orders.
    await eventually(() =>
      page.getByTestId('preview-order').locator('td:nth-child(2)').allTextContents(),
    ).toEqual(['H-1', 'H-2']);
    expect(await page.getByTestId('preview-order').first().locator('td').first().textContent()).toBe('1');
  });

  it('stops an import waiting its turn from its row', async () => {
    const shop = await testTenant(db, 'Stop Shop');
    // Registered but not yet run, as behind another shop's long import (imports run one at a time).
    const file = join(t.uploadDir, 'waiting.csv');
    await writeFile(
      file,
      'order_id,ordered_at,status,total,phone\nW-1,2026-08-01 10:00,paid,9.90,13700000001\n',
    );
    await createImport(db, shop.shop.shopId, { filePath: file, format: 'generic' });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Import' }).click();
    const waiting = page.locator('[data-testid="import"]', { hasText: 'waiting.csv' });
    expect(await waiting.getAttribute('data-status')).toBe('queued');
    await waiting.getByRole('button', { name: 'Stop' }).click();
    await eventually(() => waiting.getAttribute('data-status')).toBe('cancelled');
    expect(await waiting.locator('.status').textContent()).toBe('Stopped');
    expect(await waiting.getByTestId('import-stopped').textContent()).toBe(
      'Stopped by staff before it started: nothing was imported.',
    );
    expect(await waiting.getByRole('button', { name: 'Stop' }).count()).toBe(0);
    // Its upload, every buyer's details, is gone with it.
    expect(existsSync(file)).toBe(false);
  });

  it('stops a running import after the batch it is writing, keeping the batches before', async () => {
    const shop = await testTenant(db, 'Stop Running Shop');
    // Long enough (20 batches) that the click lands while it runs, whatever the machine's load.
    const lines = ['order_id,ordered_at,status,total,phone'];
    for (let i = 1; i <= 100_000; i++)
      lines.push(`R-${i},2026-08-01 10:00,paid,9.90,1370${String(i % 5000).padStart(7, '0')}`);
    const file = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'long.csv');
    await writeFile(file, lines.join('\n') + '\n');
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByLabel(/^File/).setInputFiles(file);
    await page.getByTestId('preview-order').first().waitFor();
    // The server runs in this process: while the import runs, the test gets a turn of the event loop
    // only between batches (seconds apart on a loaded machine), so neither a click made from here nor
    // Playwright's checks after one (a CI run spent 30 s on them) can be timed against it. The page
    // itself clicks Import, then Stop the moment the row shows the import running.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const start = [...document.querySelectorAll<HTMLButtonElement>('button[type="submit"]')].find(
            (button) => button.textContent === 'Import',
          );
          if (!start) throw new Error('no Import button');
          start.click();
          const look = () => {
            const stop = [...document.querySelectorAll('[data-testid="import"][data-status="running"]')]
              .filter((row) => row.textContent?.includes('long.csv'))
              .flatMap((row) => [...row.querySelectorAll('button')])
              .find((button) => button.textContent === 'Stop');
            if (stop) {
              stop.click();
              resolve();
            } else setTimeout(look, 50);
          };
          look();
        }),
    );
    const stopped = page.locator('[data-testid="import"]', { hasText: 'long.csv' });
    // It stops once the batch after the request lands.
    await expect.poll(() => stopped.getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    const said = (await stopped.getByTestId('import-stopped').textContent())!;
    const row = Number(/^Stopped by staff: rows up to (\d+) were imported\./.exec(said)?.[1]);
    // Whole batches landed, and not the file's end.
    expect(row).toBeGreaterThan(1);
    expect(row).toBeLessThan(100_001);
    const [{ n }] = (await db.query<{ n: number }>(
      'select count(*)::int as n from orders where shop_id = $1',
      [shop.shop.shopId],
    )) as [{ n: number }];
    expect(n).toBe(row - 1);
    expect(n % 5000).toBe(0);
    expect(await stopped.getByTestId('import-result').textContent()).toMatch(
      new RegExp(`^${n} orders created, 0 updated, 0 unchanged; `),
    );
    await page.close();
  }, 240_000);

  it('merges a duplicate profile from the profile page', async () => {
    const shop = await testTenant(db, 'Merge Test Shop');
    const order = (externalId: string, totalCents: number, customer: object) =>
      placeOrder(shop, {
        externalId,
        status: 'paid',
        totalCents,
        orderedAt: '2026-09-01T10:00:00+08:00',
        customer,
      });
    await order('MG-1', 10_000, { phone: '13700000011', name: '林美' });
    await order('MG-2', 20_000, { email: 'mei@example.com', name: 'Mei Lin' });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('searchbox').fill('13700000011');
    await page.getByRole('searchbox').press('Enter');
    await eventually(() => page.locator('table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: '林美' }).click();
    // Staff complete her profile: her full name and birthday stand; her email finds the other profile.
    const fundamentals = page.getByTestId('fundamentals');
    await fundamentals.getByRole('button', { name: 'Edit' }).click();
    await fundamentals.getByLabel('Name').fill('林美玲');
    await fundamentals.getByLabel('Birthday').fill('1992-08-15');
    await fundamentals.getByLabel('Gender').selectOption({ label: 'female' });
    await fundamentals.getByLabel('Email').fill('mei@example.com');
    await fundamentals.getByRole('button', { name: 'Save' }).click();
    await fundamentals
      .getByRole('alert')
      .filter({
        hasText: 'This email already finds another customer: if they are one person, merge the two profiles',
      })
      .waitFor();
    await fundamentals.getByLabel('Email').fill('');
    await fundamentals.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByTestId('customer-name').textContent()).toBe('林美玲');
    expect(await fundamentals.locator('dl').textContent()).toBe(
      'Phone137 0000 0011GenderfemaleBirthday1992-08-15First seen inapi',
    );
    await page
      .locator('.timeline li')
      .filter({ hasText: 'Profile updated staff Name: 林美玲, Gender: female, Birthday: 1992-08-15' })
      .waitFor();
    const card = page.getByTestId('merge');
    await card.getByLabel('Name, phone, email or card of the duplicate').fill('mei@example.com');
    await card.getByRole('button', { name: 'Find' }).click();
    await card.getByLabel(/Mei Lin/).check();
    await card.getByLabel('Why they are one person').fill('same person: gave her email at the store');
    await card.getByRole('button', { name: 'Merge Mei Lin into this profile' }).click();
    await card.getByRole('status').filter({ hasText: 'Mei Lin was merged into this profile.' }).waitFor();
    // The page reloads the survivor: both orders, both identities, and the merge on the timeline.
    await eventually(() => page.getByTestId('stats').textContent()).toContain('Orders2');
    expect(await page.locator('table.orders tbody tr').count()).toBe(2);
    expect(await page.locator('ul.identities li').allTextContents()).toEqual([
      'Email mei@example.com api',
      'Phone 137 0000 0011 api',
    ]);
    expect(await page.locator('.timeline li').filter({ hasText: 'Profiles merged' }).textContent()).toContain(
      'same person: gave her email at the store',
    );

    // Later she asks for a copy of what the shop holds on her, then to be forgotten: after a second step
    // with the reason, the profile keeps its orders only.
    const erase = page.getByTestId('personal-data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      erase.getByRole('link', { name: 'Download a copy of all of it (JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^customer-[0-9a-f-]{36}\.json$/);
    const copy = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      customer: { name: string; birthday: string };
      orders: unknown[];
    };
    expect(copy.customer).toMatchObject({ name: '林美玲', birthday: '1992-08-15' });
    expect(copy.orders).toHaveLength(2);
    await erase.getByRole('button', { name: 'Erase personal data…' }).click();
    await erase.getByLabel('Why, for the record (not their details)').fill('ticket 88: asked at the store');
    await erase.getByRole('button', { name: 'Erase for good' }).click();
    await eventually(() => page.getByTestId('customer-name').textContent()).toBe('(erased)');
    await page.getByTestId('erased').waitFor();
    expect(await page.locator('ul.identities li').count()).toBe(0);
    expect(await page.getByTestId('merge').count()).toBe(0);
    expect(await page.getByTestId('fundamentals').getByRole('button', { name: 'Edit' }).count()).toBe(0);
    expect(await page.locator('table.orders tbody tr').count()).toBe(2);
    expect(await page.locator('.timeline li').first().textContent()).toContain(
      'Personal data erased staff ticket 88: asked at the store',
    );
    expect(await page.locator('.timeline').textContent()).not.toContain('林美');
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('searchbox').fill('13700000011');
    await page.getByRole('searchbox').press('Enter');
    await page.getByText('No customer matches.').waitFor();
    await page.close();
  });

  it('adds a customer who signs up at the counter, and finds them rather than adding them twice', async () => {
    const shop = await testTenant(db, 'Sign-up Shop');
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    const signUp = async (fields: Record<string, string>, sms: boolean) => {
      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      await page.getByRole('button', { name: '+ Add a customer…' }).click();
      const form = page.getByTestId('add-customer');
      for (const [label, value] of Object.entries(fields))
        await form.getByLabel(label, { exact: true }).fill(value);
      if (sms) await form.getByLabel('Agreed to marketing texts').check();
      await form.getByRole('button', { name: 'Add and open the profile' }).click();
      return form;
    };
    // A phone with a digit missing is refused, naming it, rather than dropped.
    const typo = await signUp({ Name: '许诺', Phone: '1370000202', 'Member card': 'C-2020' }, true);
    await typo.getByRole('alert').filter({ hasText: 'phone not a valid phone number' }).waitFor();
    await typo.getByLabel('Phone', { exact: true }).fill('137 0000 2020');
    await typo.getByRole('button', { name: 'Add and open the profile' }).click();
    await eventually(() => page.getByTestId('customer-name').textContent()).toBe('许诺');
    const id = new URL(page.url()).hash.split('/')[2];
    expect(await page.locator('ul.identities li').allTextContents()).toEqual([
      'Member card C-2020 console',
      'Phone 137 0000 2020 console',
    ]);
    // The consent card loads on its own: wait for it rather than read it the moment the page shows.
    await eventually(() => page.getByTestId('consent-sms').textContent()).toBe('opted in');
    expect(await page.getByTestId('stats').textContent()).toContain('Orders0');
    // The next week she signs up again with her email: the same profile opens, with the email added.
    await signUp({ Phone: '13700002020', Email: 'xu@example.com' }, false);
    await eventually(() => page.locator('ul.identities li').count()).toBe(3);
    expect(new URL(page.url()).hash.split('/')[2]).toBe(id);
    await page.close();
  });

  it('keeps notes on a profile: written by staff and integrations, removed by their author', async () => {
    const shop = await testTenant(db, 'Notes Shop');
    const placed = await placeOrder(shop, {
      externalId: 'N-1',
      status: 'paid',
      totalCents: 10_000,
      orderedAt: '2026-09-01T10:00:00+08:00',
      customer: { phone: '13700006060', name: '林夕' },
    });
    const { customerId } = placed.json<{ customerId: string }>();
    // The service desk's system wrote one through the API.
    await t.app.inject({
      method: 'POST',
      url: `/api/customers/${customerId}/notes`,
      headers: shop.auth,
      payload: { body: 'Called about a late parcel; promised a sample next order.' },
    });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.goto(`${base}/#/customers/${customerId}`);
    const card = page.getByTestId('customer-notes');
    await eventually(() => card.locator('li').count()).toBe(1);
    // Each note says who wrote it and when.
    expect(await card.locator('li').first().textContent()).toMatch(
      /^Called about a late parcel; promised a sample next order\.API key "tests" · /,
    );
    await card.getByLabel(/^A note for the team/).fill('Allergic to fragrance.\nOffer the unscented line.');
    await card.getByRole('button', { name: 'Add note' }).click();
    await eventually(() => card.locator('li').count()).toBe(2);
    const mine = card.locator('li').first();
    expect(await mine.locator('p').innerText()).toBe('Allergic to fragrance.\nOffer the unscented line.');
    expect(await mine.locator('small').textContent()).toMatch(/^Owner · /);
    expect(await card.getByLabel(/^A note for the team/).inputValue()).toBe('');
    await page
      .locator('.timeline li')
      .filter({ hasText: 'Note console Owner: Allergic to fragrance.' })
      .waitFor();
    // The owner is an admin too: she corrects the service desk's note, which then says when.
    const desks = card.locator('li').nth(1);
    await desks.getByRole('button', { name: 'Edit' }).click();
    await desks.getByLabel('Edit').fill('Called about a late parcel; promised a sample with the next order.');
    await desks.getByRole('button', { name: 'Save' }).click();
    await eventually(() => desks.locator('p').textContent()).toBe(
      'Called about a late parcel; promised a sample with the next order.',
    );
    expect(await desks.locator('small').textContent()).toMatch(/^API key "tests" · .* · edited /);
    // Both notes are hers to remove. She removes her own, once asked.
    expect(await card.getByRole('button', { name: 'Remove' }).count()).toBe(2);
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await mine.getByRole('button', { name: 'Remove' }).click();
    await eventually(() => card.locator('li').count()).toBe(1);
    expect(asked).toEqual(['Remove this note by Owner?']);
    expect(await card.locator('li p').textContent()).toMatch(/^Called about a late parcel/);
    await page.close();
  });

  it('keeps a service history: a case opened on the profile, resolved from the queue', async () => {
    const shop = await testTenant(db, 'Service Shop');
    const placed = await placeOrder(shop, {
      externalId: 'SV-1',
      status: 'paid',
      totalCents: 16_800,
      orderedAt: '2026-09-01T10:00:00+08:00',
      customer: { phone: '13700007070', name: '吴磊' },
    });
    const { customerId } = placed.json<{ customerId: string }>();
    // The platform's reviews arrive from the help desk, found by the buyer's phone.
    const review = await t.app.inject({
      method: 'POST',
      url: '/api/service-cases',
      headers: shop.auth,
      payload: {
        customer: { phone: '13700007070' },
        source: 'helpdesk',
        externalId: 'R-1',
        kind: 'review',
        channel: 'platform',
        subject: 'Slow delivery',
        rating: 2,
        openedAt: '2026-09-05T09:00:00+08:00',
      },
    });
    expect(review.statusCode).toBe(201);
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.goto(`${base}/#/customers/${customerId}`);
    const card = page.getByTestId('customer-service');
    await eventually(() => card.locator('li').count()).toBe(1);
    expect(await card.locator('li').first().textContent()).toMatch(
      /^Review Open Slow delivery ★★☆☆☆Platform · helpdesk · /,
    );

    await card.getByRole('button', { name: 'Open a case' }).click();
    await card.getByLabel('Kind').selectOption({ label: 'Complaint' });
    await card.getByLabel('Came in by').selectOption({ label: 'Online chat' });
    await card.getByLabel('Subject').fill('The jar arrived cracked');
    await card.getByLabel('Details').fill('Wants a new jar, not a refund.');
    await card.getByLabel('Order').selectOption({ index: 1 });
    await card.getByRole('button', { name: 'Open case' }).click();
    await eventually(() => card.locator('li').count()).toBe(2);
    const complaint = card.locator('li').first();
    expect(await complaint.textContent()).toMatch(
      /^Complaint Open The jar arrived crackedWants a new jar, not a refund\.order SV-1 · Online chat · Owner · /,
    );
    await page
      .locator('.timeline li')
      .filter({ hasText: 'Service case opened console Complaint · The jar arrived cracked · Owner' })
      .waitFor();
    // The details said the wrong thing: corrected on the card.
    await complaint.getByRole('button', { name: 'Edit' }).click();
    await complaint.getByLabel('Details').fill('Wants a new jar, not a refund; keep the cracked one.');
    await complaint.getByRole('button', { name: 'Save' }).click();
    await eventually(() => complaint.locator('p').first().textContent()).toBe(
      'Wants a new jar, not a refund; keep the cracked one.',
    );
    // The review was about that order after all, and worse than the desk first recorded.
    const reviewed = card.locator('li', { hasText: 'Slow delivery' });
    await reviewed.getByRole('button', { name: 'Edit' }).click();
    await reviewed.getByLabel('Order').selectOption({ index: 1 });
    await reviewed.getByLabel('Stars').selectOption({ label: '★☆☆☆☆' });
    await reviewed.getByRole('button', { name: 'Save' }).click();
    await eventually(() => reviewed.locator('small').textContent()).toMatch(
      /^order SV-1 · Platform · helpdesk · /,
    );
    expect(await reviewed.locator('.stars').textContent()).toBe(' ★☆☆☆☆');

    // The queue: open cases, the longest waiting first.
    await page.getByRole('link', { name: 'Service', exact: true }).click();
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 2');
    const rows = page.locator('.service-queue tbody tr');
    expect(await rows.first().textContent()).toContain('Slow delivery');
    const row = rows.filter({ hasText: 'The jar arrived cracked' });
    expect(await row.textContent()).toContain('吴磊');
    // Given to the owner, who is signed in: their own cases are it; the search finds it by a word.
    await row.getByLabel('Handled by').selectOption({ label: 'Owner' });
    const filter = page.locator('select[name="assignee"]');
    await filter.selectOption({ label: 'me' });
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 1');
    expect(await rows.first().textContent()).toContain('The jar arrived cracked');
    await filter.selectOption({ label: 'nobody yet' });
    await eventually(() => rows.first().textContent()).toContain('Slow delivery');
    await filter.selectOption({ label: 'anyone' });
    await page.getByLabel('Search').fill('CRACKED');
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 1');
    await page.getByLabel('Search').fill('');
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 2');
    // The desk means to answer reviews within a day: the review of September is overdue.
    const targets = page.getByTestId('service-targets');
    await targets.getByLabel('Review').fill('24');
    await targets.getByRole('button', { name: 'Save targets' }).click();
    await targets.getByText('Saved.').waitFor();
    await page.getByLabel('overdue only').check();
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 1');
    expect(await rows.first().textContent()).toContain('Slow delivery');
    expect(await rows.first().getByTestId('overdue').textContent()).toMatch(/^overdue by \d+ days$/);
    await page.getByLabel('overdue only').uncheck();
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 2');
    // From now on the owner takes the new after-sale cases, and priority members' of every kind.
    const rota = page.getByTestId('service-rota');
    await rota.getByLabel('After-sale · Owner').check();
    await rota.getByLabel('Priority members · Owner').check();
    await rota.getByRole('button', { name: 'Save' }).click();
    await rota.getByText('Saved.').waitFor();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/service-rota', headers: shop.auth })).json(),
    ).toMatchObject({ after_sale: [expect.any(String)], priority: [expect.any(String)] });
    // Made a Supreme VIP (priority service), the customer's cases are marked and listed alone.
    const upgraded = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${customerId}/tier`,
      headers: shop.auth,
      payload: { rank: 3, reason: 'Founding member' },
    });
    expect(upgraded.statusCode).toBe(200);
    await page.getByLabel('priority members only').check();
    await eventually(() => rows.getByTestId('priority').allTextContents()).toEqual(['Priority', 'Priority']);
    await page.getByLabel('priority members only').uncheck();
    // The desk works weekdays, nine to six, and closes on National Day: targets count those hours.
    const hours = page.getByTestId('service-hours');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])
      await hours.getByLabel(day, { exact: true }).check();
    await hours.getByLabel('Friday closes').fill('17:30');
    await hours.getByLabel(/^Holidays/).fill('2026-10-01');
    await hours.getByRole('button', { name: 'Save hours' }).click();
    await hours.getByText('Saved.').waitFor();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/service-hours', headers: shop.auth })).json<{
        days: { weekday: number; closes: string }[];
        holidays: string[];
      }>(),
    ).toMatchObject({ days: { length: 5, 4: { weekday: 5, closes: '17:30' } }, holidays: ['2026-10-01'] });
    await row.getByRole('button', { name: 'Resolve' }).click();
    await row.getByLabel('What was done').fill('Sent a new jar by express.');
    await row.getByRole('button', { name: 'Mark resolved' }).click();
    await eventually(() => page.getByTestId('service-total').textContent()).toBe('Cases: 1');
    await page.getByLabel('Status').selectOption({ label: 'Resolved' });
    await eventually(() => rows.first().textContent()).toContain('Sent a new jar by express.');

    // Back on the profile: who resolved it and how, with the case open to reopen.
    await rows.first().getByRole('link', { name: '吴磊' }).click();
    const resolved = card.locator('li[data-status="resolved"]');
    await resolved.waitFor();
    // The review past the desk's day is marked on the card too.
    expect(
      await card.locator('li', { hasText: 'Slow delivery' }).getByTestId('case-overdue').textContent(),
    ).toBe('Overdue');
    expect(await resolved.locator('.resolution').textContent()).toMatch(
      /^Resolved by Owner, .*: Sent a new jar by express\.$/,
    );
    await page
      .locator('.timeline li')
      .filter({
        hasText: 'Service case resolved console Complaint · The jar arrived cracked · Owner: Sent a new jar',
      })
      .waitFor();
    await resolved.getByRole('button', { name: 'Reopen' }).click();
    await eventually(() => card.locator('li[data-status="open"]').count()).toBe(2);

    // A segment of customers with an open complaint, counted as the condition is edited.
    await page.getByRole('link', { name: 'Segments' }).click();
    const count = page.getByTestId('segment-count');
    await eventually(() => count.textContent()).toMatch(/^1 of 1 customers/);
    const builder = page.getByTestId('rule-editor');
    await builder.getByRole('button', { name: '+ Condition' }).click();
    await builder.getByLabel('Condition').selectOption({ label: 'Service cases' });
    await eventually(() => count.textContent()).toMatch(/^1 of 1 customers/);
    await builder.getByLabel('Complaint').uncheck();
    await builder.getByLabel('Dispute').check();
    await eventually(() => count.textContent()).toMatch(/^0 of 1 customers/);
    await builder.getByLabel('Review', { exact: true }).check();
    await builder.getByLabel('reviews of at most (stars)').fill('2');
    await eventually(() => count.textContent()).toMatch(/^1 of 1 customers/);

    // The help desk's history, from its export file: previewed as tickets, imported, in the queue.
    const tickets = join(await mkdtemp(join(tmpdir(), 'regulars-')), 'tickets.csv');
    await writeFile(
      tickets,
      [
        '工单编号,类型,状态,标题,创建时间,订单编号,手机',
        'QN-7,售后,处理中,想换一个色号,2026-09-06 15:00,SV-1,13700007070',
        'QN-8,表扬,处理中,谢谢,2026-09-07 10:00,,13700007070',
      ].join('\n'),
    );
    await page.getByRole('link', { name: 'Import' }).click();
    await page.locator('select[name="format"]').selectOption({ label: 'Help desk tickets (service cases)' });
    await page.getByLabel(/^Source name/).fill('qianniu');
    await page.getByLabel(/^File/).setInputFiles(tickets);
    const ticket = page.getByTestId('preview-ticket');
    await eventually(() => ticket.first().textContent()).toBe(
      '2QN-7Sep 6, 2026, 3:00 PMAfter-sale · Open想换一个色号Phone +8613700007070SV-1',
    );
    expect(await page.getByTestId('preview-error').textContent()).toMatch(/^3类型 unknown kind .*\(表扬\)$/);
    await page.getByRole('button', { name: 'Import' }).click();
    const imported = page.locator('[data-testid="import"][data-status="completed"]', {
      hasText: 'tickets.csv',
    });
    await imported.waitFor({ timeout: 30_000 });
    expect(await imported.getByTestId('import-result').textContent()).toBe(
      '1 service cases opened, 0 updated, 0 unchanged; 0 new customers',
    );
    await page.getByRole('link', { name: 'Service', exact: true }).click();
    const afterSale = page.locator('.service-queue tbody tr', { hasText: '想换一个色号' });
    await afterSale.waitFor();
    expect(
      await afterSale
        .getByLabel('Handled by')
        .evaluate((s: HTMLSelectElement) => s.selectedOptions[0]!.textContent),
    ).toBe('Owner');
    await page.close();
  });

  it('records a store purchase by hand on a profile, once however often it is sent', async () => {
    const shop = await testTenant(db, 'Counter Shop');
    await placeOrder(shop, {
      externalId: 'WEB-1',
      status: 'paid',
      totalCents: 10_000,
      orderedAt: '2026-09-01T10:00:00+08:00',
      customer: { phone: '13700007788', memberCard: 'C-7788', name: '柳青' },
    });
    // Another member's purchase at the store: its code, category and brand are offered as known.
    await placeOrder(shop, {
      externalId: 'TILL-1',
      channel: 'offline',
      storeId: 'SH-01',
      status: 'paid',
      totalCents: 5_000,
      orderedAt: '2026-09-02T10:00:00+08:00',
      customer: { phone: '13700009999' },
      items: [
        { title: '面霜', category: 'Skincare/Dry', brand: 'Dew Garden', quantity: 1, unitPriceCents: 5_000 },
      ],
    });
    // She bought a coupon with 50 of her 100 points, and shows its code at the counter.
    const coupon = await t.app.inject({
      method: 'POST',
      url: '/api/coupons',
      headers: shop.auth,
      payload: { name: '10 off', kind: 'amount', amountCents: 1_000, codePrefix: 'CTR', pointsPrice: 50 },
    });
    const member = (
      await t.app.inject({ method: 'GET', url: '/api/customers?q=C-7788', headers: shop.auth })
    ).json().items[0].customerId as string;
    const bought = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${member}/points/redemptions`,
      headers: shop.auth,
      payload: {
        points: 50,
        purpose: 'coupon',
        couponId: coupon.json().couponId,
        idempotencyKey: 'counter-coupon-1',
      },
    });
    expect(bought.statusCode).toBe(200);
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('searchbox').fill('C-7788');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('link', { name: '柳青' }).click();
    const card = page.getByTestId('record-order');
    await card.getByRole('button', { name: 'Enter a purchase by hand…' }).click();
    // The order names her by her member card, as the store's till would.
    await card.getByText('names this customer by Member card C-7788').waitFor();
    const known = (list: string) =>
      card
        .getByTestId(list)
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    await eventually(() => known('known-stores')).toEqual(['SH-01']);
    expect(await known('known-categories')).toEqual(['skincare/dry']);
    expect(await known('known-brands')).toEqual(['Dew Garden']);
    expect(await card.getByLabel('Store code').getAttribute('list')).toBe(
      await card.getByTestId('known-stores').getAttribute('id'),
    );
    await card.getByLabel('Store code').fill('SH-01');
    const number = await card.getByLabel('Order or receipt number').inputValue();
    expect(number).toMatch(/^M-[0-9A-Z]+$/);
    await card.getByLabel('Amount paid (CNY)').fill('12.345');
    await card.getByRole('button', { name: 'Record purchase' }).click();
    await card
      .getByRole('alert')
      .filter({ hasText: 'The amount paid is not an amount in this currency' })
      .waitFor();
    await card.getByLabel('Amount paid (CNY)').fill('');
    await card.getByRole('button', { name: '+ Add a product line' }).click();
    await card.getByLabel('Product').fill('保湿面霜');
    await card.getByLabel('Category (optional)').fill('skincare/dry');
    expect(await card.getByLabel('Brand (optional)').getAttribute('list')).toBe(
      await card.getByTestId('known-brands').getAttribute('id'),
    );
    await card.getByLabel('Brand (optional)').fill('Hydra Lab');
    await card.getByLabel('Quantity').fill('2');
    await card.getByLabel('Unit price (CNY)').fill('129');
    // Left empty, the amount paid is the lines' sum.
    expect(await card.getByLabel('Amount paid (CNY)').getAttribute('placeholder')).toBe('258.00');
    // Her code is offered, and marked used by this order.
    const codeOption = card.getByLabel('Coupon used').locator('option').nth(1);
    const code = (await codeOption.getAttribute('value'))!;
    expect(await codeOption.textContent()).toBe(`${code} · 10 off`);
    await card.getByLabel('Coupon used').selectOption(code);
    // A discount comes off what was paid, shipping on top.
    await card.getByLabel('Discount given (CNY, optional)').fill('10');
    expect(await card.getByLabel('Amount paid (CNY)').getAttribute('placeholder')).toBe('248.00');
    await card.getByLabel('Shipping charged (CNY, optional)').fill('8');
    expect(await card.getByLabel('Amount paid (CNY)').getAttribute('placeholder')).toBe('256.00');
    await card.getByLabel('Shipping charged (CNY, optional)').fill('');
    // The time the form offers (now, to the minute), which a retry of this purchase sends again.
    const when = await card.getByLabel('When (shop time)').inputValue();
    await card.getByRole('button', { name: 'Record purchase' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: `Recorded ${number}: CN¥248.00.` })
      .waitFor();
    // The profile reloads: a store order, its points, and the tier its second order reached.
    await eventually(() => page.getByTestId('stats').textContent()).toContain('Orders2');
    expect(await page.getByTestId('stats').textContent()).toContain('Online / in store1 / 1');
    // Her buying habits read the purchase too: the store, the cream, the discount.
    const habits = page.getByTestId('habits');
    await eventually(() => habits.getByTestId('habit-stores').textContent()).toMatch(
      /^store SH-01 · purchases: 1 · last /,
    );
    expect(await habits.getByTestId('habit-products').textContent()).toMatch(
      /^保湿面霜 × 2 · orders: 1 · last /,
    );
    expect(await habits.getByTestId('habit-brands').textContent()).toMatch(
      /^Hydra Lab · CN¥258\.00 · orders: 1 · last /,
    );
    expect(await habits.textContent()).toContain('Average orderCN¥174.00 · purchases: 2');
    expect(await habits.textContent()).toContain('discounted: 1 / 2 purchases, 3.9% off on average');
    expect(await page.locator('table.orders tbody tr').first().locator('td').allTextContents()).toEqual([
      expect.any(String),
      number,
      'Store · SH-01',
      'Paid',
      'CN¥248.00',
      '保湿面霜 ×2',
      'Refund…',
    ]);
    await eventually(() => page.getByTestId('points-balance').textContent()).toBe('298');
    await eventually(() =>
      page
        .locator(`[data-testid="customer-coupons"] li[data-code="${code}"] [data-testid="code-state"]`)
        .textContent(),
    ).toMatch(/^used /);
    const order = (
      await t.app.inject({
        method: 'GET',
        url: `/api/orders?source=console&externalId=${number}`,
        headers: shop.auth,
      })
    ).json();
    expect(order).toMatchObject({ couponCode: code, discountCents: 1_000, totalCents: 24_800 });
    const codes = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${member}/coupons`, headers: shop.auth })
    ).json().items;
    expect(codes).toEqual([expect.objectContaining({ code, orderId: order.orderId })]);
    await page
      .locator('.timeline li')
      .filter({ hasText: 'Tier changed console Regular → Senior (by an order)' })
      .waitFor();
    // The form is ready for the next purchase; the same number sent again (a second click, a retry)
    // changes nothing.
    expect(await card.getByLabel('Order or receipt number').inputValue()).not.toBe(number);
    await card.getByLabel('Order or receipt number').fill(number);
    // (The form now offers the time it was reset at: a minute may have turned since.)
    await card.getByLabel('When (shop time)').fill(when);
    await card.getByLabel('Amount paid (CNY)').fill('248');
    await card.getByRole('button', { name: 'Record purchase' }).click();
    await card
      .getByRole('status')
      .filter({ hasText: `${number} was recorded already: nothing changed.` })
      .waitFor();
    expect(await page.getByTestId('points-balance').textContent()).toBe('298');
    expect(await page.locator('table.orders tbody tr').count()).toBe(2);

    // She brings one cream back: the refund takes back its share of the points, and the line says so.
    const row = page.locator('table.orders tbody tr').first();
    await row.getByRole('button', { name: 'Refund…' }).click();
    const form = row.getByTestId('refund-form');
    // The whole order by default: every unit back, all that was paid.
    const units = form.getByLabel('保湿面霜 ×2, returned in all');
    expect(await units.inputValue()).toBe('2');
    expect(await form.getByLabel('Refunded in all (CNY)').inputValue()).toBe('248.00');
    await form.getByLabel('Refunded in all (CNY)').fill('300');
    await form.getByRole('button', { name: 'Record refund' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: "refundedCents at most the order's total, 248.00 CNY" })
      .waitFor();
    // One cream of two: the amount follows, what it was paid after the order's 10 yuan off.
    await units.fill('1');
    expect(await form.getByLabel('Refunded in all (CNY)').inputValue()).toBe('124.00');
    await form.getByRole('button', { name: 'Record refund' }).click();
    await eventually(() => row.locator('td').nth(3).textContent()).toBe('Partly refunded');
    expect(await row.locator('td').nth(5).textContent()).toBe('保湿面霜 ×2 (1 returned)');
    await eventually(() => page.getByTestId('points-balance').textContent()).toBe('174');
    await page
      .locator('.timeline li')
      .filter({
        hasText: `Order updated console ${number}: Paid → Partly refunded · returned 保湿面霜 ×1`,
      })
      .waitFor();
    await page.close();
  });

  it('edits the member program, follows the re-grade, and manages one member', async () => {
    const member = await browser.newPage({ locale: 'en-US' });
    const shop = await testTenant(db, 'Membership Test Shop');
    const order = (externalId: string, phone: string, totalCents: number) =>
      placeOrder(shop, {
        externalId,
        status: 'paid',
        totalCents,
        orderedAt: '2026-09-01T10:00:00+08:00',
        customer: { phone },
      });
    await order('M-1', '13500000001', 30_000);
    await order('M-2', '13500000001', 30_000);
    const loyal = (await order('M-3', '13500000002', 10_000)).json().customerId as string;
    await signIn(member, shop);

    await member.getByRole('link', { name: 'Membership' }).click();
    const senior = member.locator(
      '[data-testid="tier-distribution"] tr[data-tier="Senior"] [data-testid="tier-customers"]',
    );
    await eventually(() => senior.textContent()).toBe('1');
    // The program's eight columns fit the page's width.
    const editor = await member.getByTestId('program-editor').locator('table.tiers').boundingBox();
    const main = await member.locator('main').boundingBox();
    expect(editor!.x + editor!.width).toBeLessThanOrEqual(main!.x + main!.width);
    await member.getByTestId('tier-row').nth(1).getByLabel('Entry orders').fill('1');
    await member.getByRole('button', { name: 'Save program' }).click();
    await member.getByRole('status').filter({ hasText: 'Every customer is being re-graded' }).waitFor();
    await member
      .locator('[data-testid="jobs"] tr[data-kind="tiers.regrade"][data-status="completed"]')
      .waitFor();
    // One order is enough for Senior now; the chart follows once the job is done.
    await eventually(() => senior.textContent()).toBe('2');
    await member.screenshot({
      path: fileURLToPath(new URL('../test-results/membership.png', import.meta.url)),
      fullPage: true,
    });
    const bad = member.getByTestId('tier-row').nth(2).getByLabel('Entry orders');
    await bad.fill('0');
    await member
      .getByTestId('tier-row')
      .nth(2)
      .getByLabel(/^Entry spend/)
      .fill('');
    await member.getByRole('button', { name: 'Save program' }).click();
    await eventually(() => member.getByRole('alert').textContent()).toContain('tiers.2');

    await member.goto(`${base}/#/customers/${loyal}`);
    await eventually(() => member.getByTestId('tier-name').textContent()).toBe('Senior');
    // What the tier gives, and where the member stands, in words: one order of 100 yuan; VIP wants
    // 2,000 or five.
    expect(await member.getByTestId('tier-standing').locator('li').allTextContents()).toEqual([
      'Benefits: 2% off',
      'CN¥100.00 and 1 purchase counted (all purchases ever)',
      'To VIP: CN¥1,900.00 more or 4 more purchases',
      expect.stringMatching(/^Keeps Senior at the review on [A-Z][a-z]{2} 1, \d{4}$/),
    ]);
    expect(await member.getByTestId('points-balance').textContent()).toBe('100');
    const adjust = member.getByTestId('adjust-points');
    await adjust.getByLabel('Points to add or take back').fill('50');
    await adjust.getByLabel('Reason').fill('Welcome back');
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await eventually(() => member.getByTestId('points-balance').textContent()).toBe('150');
    await member.locator('[data-testid="ledger"] tr[data-kind="adjust"]').getByText('Welcome back').waitFor();
    // A redemption at the till reads as what it bought, in words and money, in the ledger and the timeline.
    await t.app.inject({
      method: 'POST',
      url: `/api/customers/${loyal}/points/redemptions`,
      headers: shop.auth,
      payload: { points: 30, purpose: 'money_off', reference: 'POS-9', idempotencyKey: 'till-redeem-9' },
    });
    await member.reload();
    await eventually(() =>
      member.locator('[data-testid="ledger"] tr[data-kind="redeem"] td').last().textContent(),
    ).toMatch(/^money off CN¥0\.\d\d · POS-9$/);
    await member.locator('.timeline li').filter({ hasText: '-30 · money off' }).waitFor();
    // An order of 2023 sent in late expires its points at once; refunded since, it undoes that expiry
    // rather than take the points from the balance a second time, and both views say so.
    const late = {
      externalId: 'M-2023',
      status: 'paid',
      totalCents: 4_000,
      orderedAt: '2023-05-01T10:00:00+08:00',
      customer: { phone: '13500000002' },
    };
    await placeOrder(shop, late);
    await placeOrder(shop, { ...late, status: 'refunded' });
    await member.reload();
    await member
      .locator('[data-testid="ledger"] tr[data-kind="expire"]')
      .getByText('Expiry undone by a refund')
      .waitFor();
    await member.locator('.timeline li').filter({ hasText: 'Expiry undone by a refund' }).waitFor();
    expect(await member.getByTestId('points-balance').textContent()).toBe('120');
    // Points buy one of the shop's coupons at its price: the code shows at once, in the ledger and among
    // the member's codes.
    await t.app.inject({
      method: 'POST',
      url: '/api/coupons',
      headers: shop.auth,
      payload: { name: '10 off', kind: 'amount', amountCents: 1_000, codePrefix: 'PTS', pointsPrice: 100 },
    });
    // A coupon kept for members with member-only offers is not offered to a VIP, whose tier has none.
    await t.app.inject({
      method: 'POST',
      url: '/api/coupons',
      headers: shop.auth,
      payload: {
        name: 'Supreme only',
        kind: 'amount',
        amountCents: 5_000,
        codePrefix: 'SUP',
        pointsPrice: 100,
        membersOnly: true,
      },
    });
    await member.reload();
    const buy = member.getByTestId('buy-coupon');
    await eventually(() => buy.getByLabel('A coupon for points').locator('option').allTextContents()).toEqual(
      ['A coupon for points', '10 off · 100 points'],
    );
    await buy.getByLabel('A coupon for points').selectOption({ label: '10 off · 100 points' });
    await buy.getByRole('button', { name: 'Spend points' }).click();
    await eventually(() => member.getByTestId('coupon-bought').textContent()).toMatch(
      /^Code PTS-[0-9A-F]{16} \(10 off\) issued\.$/,
    );
    const code = /PTS-[0-9A-F]{16}/.exec((await member.getByTestId('coupon-bought').textContent())!)![0];
    await eventually(() => member.getByTestId('points-balance').textContent()).toBe('20');
    await member
      .locator('[data-testid="ledger"] tr[data-kind="redeem"]')
      .getByText(`for a coupon · 10 off · ${code}`)
      .waitFor();
    await member.getByTestId('customer-coupons').getByText(code).waitFor();
    const tier = member.getByTestId('set-tier');
    await tier.getByLabel('Tier').selectOption({ label: 'VIP' });
    await tier.getByLabel('Reason').fill('Brand ambassador');
    await tier.getByRole('button', { name: 'Set tier' }).click();
    await eventually(() => member.getByTestId('tier-name').textContent()).toBe('VIP');
    await member.locator('.timeline li').filter({ hasText: 'Brand ambassador' }).waitFor();
    // Set by hand above what they bought: short of VIP's keep threshold, which the card warns of. (The
    // order of 2023 refunded since counts as a purchase; its money does not.)
    const keep = member.getByTestId('tier-keep');
    await eventually(() => keep.textContent()).toMatch(
      /^To keep VIP at the review on [A-Z][a-z]{2} 1, \d{4}: CN¥1,900\.00 more or 3 more purchases$/,
    );
    expect(await keep.getAttribute('class')).toBe('warning');
    expect(await member.getByTestId('tier-next').textContent()).toBe(
      'To Supreme VIP: CN¥4,900.00 more or 8 more purchases',
    );
    expect(await member.getByTestId('tier-benefits').textContent()).toBe(
      'Benefits: 5% off · free shipping · birthday gift (Birthday gift set)',
    );

    // The code is texted to the member's phone; with no SMS channel yet, the page says so, and the
    // owner may give the code by hand instead.
    await member.getByRole('link', { name: 'Member cards' }).click();
    const request = member.getByTestId('bind-request');
    const confirmCode = async (code: string) => {
      await member.getByTestId('bind-confirm').getByLabel('Code from the member').fill(code);
      await member.getByRole('button', { name: 'Bind', exact: true }).click();
      await eventually(() => member.getByTestId('bind-outcome').textContent()).toContain('Card bound.');
    };
    await request.getByLabel('Member card number').fill('S-78');
    await request.getByLabel('Phone').fill('135 0000 0099');
    await request.getByRole('button', { name: 'Text a code' }).click();
    await member.getByText('This shop has no SMS channel to text the code').waitFor();
    await request.getByLabel("I'll give the member the code myself (no SMS)").check();
    await request.getByRole('button', { name: 'Show a code' }).click();
    await confirmCode((await member.getByTestId('binding-code').textContent())!);

    const sms = await startHttpSink();
    await t.app.inject({
      method: 'PUT',
      url: '/api/channels/sms',
      headers: shop.auth,
      payload: {
        channel: 'sms',
        costPerMessageCents: 5,
        settings: { provider: 'generic-json', url: `${sms.url}/sms` },
      },
    });
    await request.getByLabel('Member card number').fill('S-77');
    await request.getByLabel('Phone').fill('135 0000 0002');
    await request.getByLabel("I'll give the member the code myself (no SMS)").uncheck();
    await request.getByRole('button', { name: 'Text a code' }).click();
    await eventually(() => member.getByTestId('code-texted').textContent()).toContain(
      'Code texted to 135 0000 0002',
    );
    expect(await member.getByTestId('binding-code').count()).toBe(0);
    const texted = JSON.parse(sms.requests.at(-1)!.body) as { to: string; text: string };
    expect(texted.to).toBe('+8613500000002');
    await confirmCode(/\d{6}/.exec(texted.text)![0]);
    await sms.close();
    // The page's recent bindings say how each code went and how each ended.
    const bindings = member.getByTestId('bindings');
    await eventually(() => bindings.locator('tr[data-card="S-77"] td').allTextContents()).toEqual([
      expect.any(String),
      'S-77',
      '135 0000 0002',
      'code texted by Regulars',
      'bound',
    ]);
    expect(await bindings.locator('tr[data-card="S-78"] td').nth(3).textContent()).toBe(
      'code delivered by the caller',
    );
    // One card's history, typed as staff read it off the card; a bad number is named.
    const only = member.getByLabel('One card only');
    await only.fill(' s-78 ');
    await eventually(() => bindings.locator('tbody tr').count()).toBe(1);
    expect(await bindings.locator('tbody tr').getAttribute('data-card')).toBe('S-78');
    await only.fill('S/78');
    await eventually(() => member.getByRole('alert').textContent()).toBe('Not a member card number');
    await only.fill('S-79');
    await member.getByText('No binding of this card.').waitFor();
    await only.fill('');
    await member.getByRole('link', { name: 'Open profile' }).click();
    await member.getByText('S-77').first().waitFor();
    await member
      .locator('.timeline li')
      .filter({ hasText: 'S-77 · 135 0000 0002 · code texted by Regulars' })
      .waitFor();

    // The coupon leaves the points shop: its price is dropped on the Coupons page.
    await member.getByRole('link', { name: 'Coupons' }).click();
    const row = member.locator('[data-testid="coupons"] tr[data-coupon="10 off"]');
    expect(await row.locator('td').nth(3).textContent()).toBe('100');
    await row.getByRole('button', { name: 'Edit' }).click();
    const edit = member.getByTestId('coupon-edit');
    await edit.getByLabel('Points price (blank: not for points)').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await eventually(() => row.locator('td').nth(3).textContent()).toBe('–');

    // The texted code is on the shop's bill: the Channels page counts it, at the channel's price.
    await member.getByRole('link', { name: 'Channels' }).click();
    const usage = member.getByTestId('sending-usage');
    const month = new Intl.DateTimeFormat('en-CA', {
      timeZone: shop.shop.timeZone,
      year: 'numeric',
      month: '2-digit',
    }).format(new Date());
    await eventually(() => usage.locator('tbody tr td').allTextContents()).toEqual([
      month,
      'SMS',
      '—',
      '—',
      '—',
      '1',
      '1',
      'CN¥0.05',
    ]);
    await member.close();
  });

  it('runs the predictions and the RFM scores, and shows them', async () => {
    const shop = await testTenant(db, 'Prediction Test Shop');
    // 80 buyers, most of them back once to four times on their own cycle.
    const orders = Array.from({ length: 80 }, (_, c) =>
      Array.from({ length: 1 + (c % 5) }, (_, k) => ({
        externalId: `P-${c}-${k}`,
        status: 'paid',
        totalCents: 5_000 + (c % 7) * 1_000,
        orderedAt: new Date(
          Date.UTC(2026, 0, 5) + (k * (20 + (c % 30)) + (c % 11)) * 86_400_000,
        ).toISOString(),
        customer: { phone: `1350000${String(1000 + c)}` },
        items: [{ title: 'Toner', category: 'skincare/toner', quantity: 1, unitPriceCents: 5_000 }],
      })),
    ).flat();
    for (const payload of orders) {
      await placeOrder(shop, payload);
    }
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Membership' }).click();
    await page.getByRole('button', { name: 'Predict churn and value now' }).click();
    await page
      .locator('[data-testid="jobs"] tr[data-kind="predictions.run"][data-status="completed"]')
      .waitFor();
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('searchbox').fill('13500001004');
    await page.getByRole('searchbox').press('Enter');
    // The full list shows until the search answers; wait for the one match.
    await eventually(() => page.getByRole('link', { name: '(no name)' }).count()).toBe(1);
    await page.getByRole('link', { name: '(no name)' }).click();
    const card = page.getByTestId('predictions');
    await card.getByText('Churn risk').waitFor();
    // The per-category cycles arrive after the card itself. This buyer's last order was in April, on a
    // cycle of about 24 days: the next one is long overdue, and says so.
    await eventually(() => card.textContent()).toMatch(/skincare\/toner: every \d+ days, due since/);
    expect(await card.textContent()).toMatch(/Next purchase dueoverdue since \w{3} \d+, 2026/);
    // Seven months silent after buying every few weeks: more likely gone than not, in one-decimal figures.
    const risk = /Churn risk(\d+(?:\.\d)?)%/.exec((await card.textContent())!);
    expect(Number(risk![1])).toBeGreaterThan(50);

    await page.getByRole('link', { name: 'RFM' }).click();
    await page.getByRole('button', { name: 'Score now' }).click();
    await page.locator('[data-testid="jobs"] tr[data-kind="rfm.run"][data-status="completed"]').waitFor();
    // 80 buyers spread over the grid; the cells and the segment list both add up to all of them.
    const sum = async (selector: string) =>
      (await page.locator(selector).allTextContents()).reduce((n, x) => n + Number(x.replace(/\D/g, '')), 0);
    await eventually(() => sum('[data-testid="rfm-grid"] td strong')).toBe(80);
    expect(await sum('[data-testid="rfm-segments"] td:nth-child(2)')).toBe(80);
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/rfm.png', import.meta.url)),
      fullPage: true,
    });
    await page.close();
  });
  it('tags buyers by rule, builds a segment with a live count, saves it and freezes a snapshot', async () => {
    const shop = await testTenant(db, 'Segment Test Shop');
    // Twelve buyers: the first five bought an oily-skin cleanser, every third one twice.
    for (let c = 0; c < 12; c++) {
      for (let k = 0; k < (c % 3 === 0 ? 2 : 1); k++) {
        await placeOrder(shop, {
          externalId: `S-${c}-${k}`,
          status: 'paid',
          totalCents: 10_000,
          orderedAt: new Date(Date.now() - (10 + c + k * 40) * 86_400_000).toISOString(),
          customer: { phone: `1370000${String(1000 + c)}`, name: `Buyer ${c}` },
          items: [
            c < 5
              ? {
                  title: '清爽控油洁面乳',
                  category: 'skincare/oily',
                  brand: 'Clear Leaf',
                  quantity: 1,
                  unitPriceCents: 10_000,
                }
              : { title: '深层保湿面霜', category: 'skincare/dry', quantity: 1, unitPriceCents: 10_000 },
          ],
        });
      }
    }
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);

    await page.getByRole('link', { name: 'Tags' }).click();
    await page.getByLabel('Tag', { exact: true }).fill('oily-skin');
    await page.getByLabel('Group').fill('skin type');
    const editor = page.getByTestId('rule-editor');
    await editor.getByRole('button', { name: '+ Bought…' }).click();
    // The categories bought in are offered, most bought first, so none is mistyped.
    const listId = await editor.getByLabel('category').getAttribute('list');
    await eventually(() =>
      page
        .locator(`datalist[id="${listId}"] option`)
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).sort()),
    ).toEqual(['skincare/dry', 'skincare/oily']);
    // And the brands the shop's lines name.
    const brandsId = await editor.getByLabel('brand', { exact: true }).getAttribute('list');
    expect(
      await page
        .locator(`datalist[id="${brandsId}"] option`)
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['Clear Leaf']);
    await editor.getByLabel('category').fill('skincare/oily');
    await page.getByRole('button', { name: 'Save tag' }).click();
    await page
      .locator('[data-testid="jobs"] tr[data-kind="tags.backfill"][data-status="completed"]')
      .waitFor();
    await eventually(() =>
      page.locator('tr[data-tag="oily-skin"] [data-testid="tag-count"]').textContent(),
    ).toBe('5');

    await page.getByRole('link', { name: 'Segments' }).click();
    const count = page.getByTestId('segment-count');
    await eventually(() => count.textContent()).toMatch(/^12 of 12 customers \(100\.0%\)/);
    const builder = page.getByTestId('rule-editor');
    await builder.getByRole('button', { name: '+ Condition' }).click();
    // The new condition is "Orders ≥ 1"; make it "Tags has any of oily-skin".
    await builder.getByLabel('Condition').selectOption({ label: 'Tags' });
    await eventually(() => count.textContent()).toMatch(/^5 of 12 customers/);
    await builder.getByRole('button', { name: '+ Condition' }).click();
    await builder.getByLabel('Condition').nth(1).selectOption({ label: 'Orders' });
    await builder.getByLabel('Value').fill('2');
    // Oily-skin buyers with two orders: buyers 0 and 3.
    await eventually(() => count.textContent()).toMatch(/^2 of 12 customers/);
    await eventually(() => page.getByTestId('segment-sample').locator('tbody tr').count()).toBe(2);
    // Negating the second condition leaves the other three.
    await builder.getByTestId('rule-row').nth(1).getByLabel('not').check();
    await eventually(() => count.textContent()).toMatch(/^3 of 12 customers/);
    // A value the API cannot read is named, and the count waits for a good one.
    await builder.getByTestId('rule-row').nth(1).getByLabel('not').uncheck();
    await builder.getByLabel('Value').fill('two');
    await eventually(() => page.getByTestId('rule-problem').textContent()).toContain(
      'body.rule.rules.1.value',
    );
    await builder.getByLabel('Value').fill('2');
    await eventually(() => count.textContent()).toMatch(/^2 of 12 customers/);

    await page.getByLabel('Name', { exact: true }).fill('Oily skin, repeat');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('segment-list').getByRole('button', { name: 'Oily skin, repeat' }).waitFor();
    await page.getByRole('button', { name: 'Freeze a snapshot' }).click();
    await eventually(() => page.getByTestId('snapshots').locator('td.num').first().textContent()).toBe('2');
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/segments.png', import.meta.url)),
      fullPage: true,
    });

    // The tag shows on a tagged buyer's profile.
    await page.getByTestId('segment-sample').getByRole('link').first().click();
    await eventually(() => page.getByTestId('customer-tags').textContent()).toContain('oily-skin');
    // Its timeline names the tag the rule gave.
    await page
      .locator('.timeline li')
      .filter({ hasText: 'Tag added' })
      .filter({ hasText: 'oily-skin' })
      .waitFor();
    // Staff record the buyer's SMS opt-in; a segment on SMS consent then finds exactly one customer.
    const sms = page.getByTestId('consents').locator('[data-channel="sms"]');
    await sms.getByRole('button', { name: 'Record opt-in' }).click();
    await eventually(() => page.getByTestId('consent-sms').textContent()).toBe('opted in');
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByTestId('rule-editor').getByRole('button', { name: '+ Condition' }).click();
    await page
      .getByTestId('rule-editor')
      .getByLabel('Condition')
      .selectOption({ label: 'Marketing consent' });
    await eventually(() => page.getByTestId('segment-count').textContent()).toMatch(/^1 of 12 customers/);
    // Near the tier above: Senior is two purchases or 500 yuan, so the eight who bought once are one
    // purchase or 400 yuan short; the four Seniors are three purchases (or 1,800 yuan) short of VIP.
    await page.reload();
    const near = page.getByTestId('rule-editor');
    await near.getByRole('button', { name: '+ Condition' }).click();
    await near.getByLabel('Condition').selectOption({ label: 'Near the next tier' });
    const counted = page.getByTestId('segment-count');
    await eventually(() => counted.textContent()).toMatch(/^8 of 12 customers/);
    await near.getByLabel('purchases short by at most').fill('3');
    await eventually(() => counted.textContent()).toMatch(/^12 of 12 customers/);
    await near.getByLabel('purchases short by at most').fill('');
    await near.getByLabel('spend short by at most (CNY)').fill('399.99');
    await eventually(() => counted.textContent()).toMatch(/^0 of 12 customers/);
    await near.getByLabel('spend short by at most (CNY)').fill('400');
    await eventually(() => counted.textContent()).toMatch(/^8 of 12 customers/);
    await page.close();
  });

  it('sets up email, writes and previews a template, sends a campaign and reports on it', async () => {
    const shop = await testTenant(db, 'Engage Test Shop');
    const smtp = await startSmtpSink();
    const names = ['Ann Lee', 'Bo Chen', 'Cy Wu', 'Di Ma'];
    for (const [i, name] of names.entries()) {
      const order = await placeOrder(shop, {
        externalId: `E-${i}`,
        status: 'paid',
        totalCents: 5_000,
        orderedAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
        customer: { email: `${name.split(' ')[0]!.toLowerCase()}@example.com`, name },
      });
      // Ann is a Supreme VIP, whose tier grants member-only offers.
      if (i === 0)
        await t.app.inject({
          method: 'POST',
          url: `/api/customers/${order.json().customerId}/tier`,
          headers: shop.auth,
          payload: { rank: 3, reason: 'Founding member' },
        });
      // Everyone but Di opted in to email.
      if (i < 3)
        await t.app.inject({
          method: 'PUT',
          url: `/api/customers/${order.json().customerId}/consents/email`,
          headers: shop.auth,
          payload: { status: 'opted_in', source: 'checkout' },
        });
    }
    await t.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: shop.auth,
      payload: { name: 'Everyone', rule: { type: 'field', field: 'orderCount', op: 'gte', value: 1 } },
    });
    // Last winter's coupon has ended: it is marked so, and offered to no new campaign.
    await t.app.inject({
      method: 'POST',
      url: '/api/coupons',
      headers: shop.auth,
      payload: {
        name: 'Winter gift',
        kind: 'percent',
        percent: 10,
        validFrom: '2025-12-01T00:00:00+08:00',
        validUntil: '2026-02-28T00:00:00+08:00',
      },
    });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);

    await page.getByRole('link', { name: 'Channels' }).click();
    const email = page.getByTestId('channel-email');
    await email.getByLabel('SMTP host').fill('127.0.0.1');
    await email.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await email.getByLabel('Sender').fill('Engage Shop <shop@example.com>');
    // The test relay speaks plain SMTP: TLS from the start stays off, as the choice says in words.
    await email
      .getByLabel('TLS from the start (port 465)')
      .selectOption({ label: 'No: STARTTLS when the relay offers it' });
    await email.getByRole('button', { name: 'Save' }).click();
    await email.getByText('Saved').waitFor();
    // The SMS provider sends only approved texts: the member-card code's text is written to match, and a
    // text without the code is refused in words.
    const sms = page.getByTestId('channel-sms');
    await sms.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:9/sms');
    const codeText = sms.getByLabel(/^Member-card code text/);
    await codeText.fill('【{{ shop }}】会员卡{{ card }}绑定中');
    await sms.getByRole('button', { name: 'Save' }).click();
    await eventually(() => sms.getByRole('alert').textContent()).toContain('must show {{ code }}');
    await codeText.fill('【{{ shop }}】验证码{{ code }}，{{ minutes }}分钟内有效');
    await sms.getByRole('button', { name: 'Save' }).click();
    await sms.getByText('Saved').waitFor();
    const stored = await t.app.inject({ method: 'GET', url: '/api/channels', headers: shop.auth });
    expect(stored.json().items.find((c: { channel: string }) => c.channel === 'sms').settings.codeText).toBe(
      '【{{ shop }}】验证码{{ code }}，{{ minutes }}分钟内有效',
    );
    const policy = page.getByTestId('contact-policy');
    await policy.getByLabel('Quiet hours (shop time)').uncheck();
    // Held back during an open complaint by default; this shop sends regardless.
    const hold = policy.getByLabel('No marketing to a customer with a complaint or dispute open');
    expect(await hold.isChecked()).toBe(true);
    await hold.uncheck();
    await policy.getByRole('button', { name: 'Save' }).click();
    await policy.getByText('Saved').waitFor();
    const saved = await t.app.inject({ method: 'GET', url: '/api/contact-policy', headers: shop.auth });
    expect(saved.json()).toMatchObject({ quietHours: null, holdOpenComplaints: false });

    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByLabel('Name', { exact: true }).fill('We miss you');
    await page.getByLabel('Subject').fill('{{ customer.first_name }}, we miss you');
    await page.getByLabel('Body').fill('<p>Dear {{ custmer.name }}</p>');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain("Unknown variable 'custmer'");
    await page
      .getByLabel('Body')
      .fill(
        '<p>Dear {{ customer.name }}, {{ shop.name }} has new arrivals.</p><p>Code {{ coupon.code }}</p>',
      );
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('templates').getByRole('cell', { name: 'We miss you' }).waitFor();
    const preview = page.getByTestId('preview');
    await preview.getByPlaceholder('Customer name, phone or email').fill('Ann');
    await preview.getByRole('button', { name: 'Find' }).click();
    await preview.getByRole('button', { name: 'Ann Lee' }).click();
    await eventually(() => page.getByTestId('preview-subject').textContent()).toBe(
      'Subject Ann, we miss you',
    );
    const rendered = page.frameLocator('[data-testid="preview-body"]');
    await eventually(() => rendered.locator('p').first().textContent()).toBe(
      'Dear Ann Lee, Engage Test Shop has new arrivals.',
    );

    await page.getByRole('link', { name: 'Coupons' }).click();
    const couponForm = page.getByTestId('coupon-form');
    await couponForm.getByLabel('Name').fill('Spring gift');
    await couponForm.getByLabel('Amount off (CNY)').fill('10');
    await couponForm.getByLabel('Minimum spend (CNY)').fill('50');
    await couponForm.getByRole('button', { name: 'Create coupon' }).click();
    await eventually(() =>
      page.locator('tr[data-coupon="Spring gift"] [data-testid="coupon-issued"]').textContent(),
    ).toBe('0');
    expect(await page.locator('tr[data-coupon="Winter gift"]').textContent()).toContain('ended');
    // Retired, it says so, and can be given out again.
    const winter = page.locator('tr[data-coupon="Winter gift"]');
    await winter.getByRole('button', { name: 'Retire' }).click();
    await winter.getByRole('button', { name: 'Give out again' }).waitFor();
    expect(await winter.textContent()).toContain('retired');
    // A coupon kept for members whose tier grants member-only offers is marked so.
    await couponForm.getByLabel('Name').fill('VIP gift');
    await couponForm.getByLabel('Amount off (CNY)').fill('20');
    await couponForm.getByLabel('Members with member offers only').check();
    await couponForm.getByRole('button', { name: 'Create coupon' }).click();
    await eventually(() => page.locator('tr[data-coupon="VIP gift"] td').first().textContent()).toBe(
      'VIP gift members only',
    );

    await page.getByRole('link', { name: 'Campaigns' }).click();
    const wizard = page.getByTestId('campaign-wizard');
    await eventually(() =>
      wizard.getByLabel('Coupon (one code per recipient)').locator('option').allTextContents(),
    ).toEqual(['none', 'VIP gift', 'Spring gift']);
    // A members-only coupon: the wizard says how many of the audience it can go to.
    await wizard.getByLabel('Audience (segment)').selectOption({ label: 'Everyone' });
    await wizard.getByLabel('Coupon (one code per recipient)').selectOption({ label: 'VIP gift' });
    await eventually(() => wizard.getByTestId('campaign-eligible').textContent()).toBe(
      " — 1 of them with member-only offers, who get the coupon; the others' messages are not sent",
    );
    await wizard.getByLabel('Coupon (one code per recipient)').selectOption({ label: 'Spring gift' });
    expect(await wizard.getByTestId('campaign-eligible').count()).toBe(0);
    await wizard.getByLabel('Name').fill('Spring recall');
    await wizard.getByLabel('Template').selectOption({ label: 'We miss you (Email (SMTP))' });
    await wizard.getByLabel('Audience (segment)').selectOption({ label: 'Everyone' });
    await wizard.getByLabel('Holdout %').fill('0');
    await eventually(() => wizard.getByTestId('campaign-audience').textContent()).toBe(
      '4 customers now, about 0 held out',
    );
    await wizard.getByRole('button', { name: 'Send now' }).click();
    const row = page.locator('tr[data-campaign="Spring recall"]');
    await eventually(() => row.getByTestId('campaign-status').textContent()).toBe('Sent');
    await row.getByRole('button', { name: 'Report' }).click();
    const report = page.getByTestId('campaign-report');
    await eventually(() => report.getByTestId('report-sent').textContent()).toBe('3');
    expect(await report.getByTestId('report-suppressed').textContent()).toBe('1');
    expect(await report.getByTestId('suppressed-because').textContent()).toBe('no opt-in: 1');
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual([
      'ann@example.com',
      'bo@example.com',
      'cy@example.com',
    ]);
    expect(smtp.mails.find((m) => m.to[0] === 'bo@example.com')!.headers.get('subject')).toBe(
      'Bo, we miss you',
    );
    expect(smtp.mails.find((m) => m.to[0] === 'bo@example.com')!.body).toMatch(/Code CRM-[0-9A-F]{16}/);
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/campaigns.png', import.meta.url)),
      fullPage: true,
    });

    // A draft made through the API is sent, or deleted, from its row; a scheduled one can be stopped.
    const templateId = (
      await t.app.inject({ method: 'GET', url: '/api/templates', headers: shop.auth })
    ).json().items[0].templateId;
    const segmentId = (await t.app.inject({ method: 'GET', url: '/api/segments', headers: shop.auth })).json()
      .items[0].segmentId;
    for (const name of ['API draft', 'Stray draft'])
      await t.app.inject({
        method: 'POST',
        url: '/api/campaigns',
        headers: shop.auth,
        payload: { name, templateId, segmentId, holdoutPercent: 0 },
      });
    await page.reload();
    const stray = page.locator('tr[data-campaign="Stray draft"]');
    await eventually(() => stray.getByTestId('campaign-status').textContent()).toBe('Draft');
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await stray.getByRole('button', { name: 'Delete' }).click();
    await eventually(() => stray.count()).toBe(0);
    const draft = page.locator('tr[data-campaign="API draft"]');
    await draft.getByRole('button', { name: 'Send now' }).click();
    await eventually(() => draft.getByTestId('campaign-status').textContent()).toBe('Sent');
    expect(await draft.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    const tomorrow = new Date(Date.now() + 86_400_000);
    await wizard.getByLabel('Name').fill('Next week');
    await wizard.getByLabel('Template').selectOption({ label: 'We miss you (Email (SMTP))' });
    await wizard.getByLabel('Audience (segment)').selectOption({ label: 'Everyone' });
    await wizard.getByLabel('Send at (optional)').fill(`${tomorrow.toISOString().slice(0, 10)}T09:00`);
    await wizard.getByRole('button', { name: 'Schedule' }).click();
    const later = page.locator('tr[data-campaign="Next week"]');
    await eventually(() => later.getByTestId('campaign-status').textContent()).toBe('Scheduled');
    await later.getByRole('button', { name: 'Stop' }).click();
    await eventually(() => later.getByTestId('campaign-status').textContent()).toBe('Cancelled');
    expect(asked).toEqual([
      'Delete the draft Stray draft?',
      'Stop Next week? Messages not yet sent will not be sent.',
    ]);
    await page.getByRole('link', { name: 'Coupons' }).click();
    await eventually(() =>
      page.locator('tr[data-coupon="Spring gift"] [data-testid="coupon-issued"]').textContent(),
    ).toBe('3');
    // Bo's profile shows the code the campaign sent, still to be used.
    const boCode = /Code (CRM-[0-9A-F]{16})/.exec(
      smtp.mails.find((m) => m.to[0] === 'bo@example.com')!.body,
    )![1]!;
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('searchbox').fill('bo@example.com');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('link', { name: 'Bo Chen' }).click();
    const bosCode = page.locator(`[data-testid="customer-coupons"] li[data-code="${boCode}"]`);
    await eventually(() => bosCode.textContent()).toContain('Spring gift');
    expect(await bosCode.getByTestId('code-state').textContent()).toMatch(/^valid until \w{3} \d+, \d{4}$/);

    // The warehouse's list: the four paid online orders, each with its note, first orders with a card.
    await page.getByRole('link', { name: 'Package inserts' }).click();
    await page
      .getByLabel('Ordered from')
      .fill(new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10));
    await page.getByLabel('Note (template)').selectOption({ label: 'We miss you' });
    await page.getByRole('button', { name: 'List orders' }).click();
    const inserts = page.getByTestId('inserts');
    await eventually(() => inserts.locator('tbody tr').count()).toBe(4);
    expect(await inserts.locator('tr[data-order="E-1"] [data-testid="insert-gifts"]').textContent()).toBe(
      'welcome card',
    );
    expect(await inserts.locator('tr[data-order="E-1"]').textContent()).toContain('Dear Bo Chen');
    expect(await page.getByRole('link', { name: 'Open the printable list' }).getAttribute('href')).toMatch(
      /^\/api\/package-inserts\/print\?from=/,
    );
    await page.close();
    await smtp.close();
  });

  it('sets up Aliyun SMS and writes an SMS template by the code Aliyun approved', async () => {
    const shop = await testTenant(db, 'Aliyun Test Shop');
    await placeOrder(shop, {
      externalId: 'AL-1',
      status: 'paid',
      totalCents: 12_000,
      orderedAt: new Date(Date.now() - 5 * 86_400_000).toISOString(),
      customer: { phone: '13900000077', name: '林小姐' },
    });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Channels' }).click();
    const sms = page.getByTestId('channel-sms');
    await sms.getByLabel('URL', { exact: true }).waitFor();
    // Each provider shows its own fields only.
    await sms.getByRole('combobox').selectOption({ label: 'Tencent Cloud SMS (腾讯云短信)' });
    await sms.getByLabel('SMS SdkAppId').waitFor();
    expect(await sms.getByLabel('AccessKey ID').count()).toBe(0);
    await sms.getByRole('combobox').selectOption({ label: 'Aliyun SMS (阿里云短信)' });
    expect(await sms.getByLabel('URL', { exact: true }).count()).toBe(0);
    await sms.getByLabel('AccessKey ID').fill('LTAI5tBrowser');
    await sms.getByLabel('Approved signature (签名)').fill('林记');
    await sms.getByRole('button', { name: 'Save' }).click();
    await eventually(() => sms.getByRole('alert').textContent()).toContain('Required for Aliyun');
    await sms.getByLabel('AccessKey secret').fill('browser-secret');
    await sms.getByLabel(/^Verification-code template/).fill('SMS_300000001');
    await sms.getByRole('button', { name: 'Save' }).click();
    await sms.getByText('Saved').waitFor();
    // Saved, the form gives the addresses to set in Aliyun's console for its reports and replies, at
    // the server's address while the shop has set none of its own.
    await eventually(() => sms.getByLabel('Delivery reports').inputValue()).toMatch(
      new RegExp(`^${TEST_SERVER_URL.replace(/\./g, '\\.')}/t/aliyun/[^/]+/reports$`),
    );
    // The shop's own address field is empty, the server's shown in its place; the shop can give its own.
    const address = page.getByLabel('Address customers reach this server at');
    expect(await address.inputValue()).toBe('');
    expect(await address.getAttribute('placeholder')).toBe(TEST_SERVER_URL);
    const linksForm = page.locator('form').filter({ has: address });
    await address.fill('https://crm.aliyun-shop.example/');
    await linksForm.getByRole('button', { name: 'Save' }).click();
    await linksForm.getByText('Saved').waitFor();
    expect(await address.inputValue()).toBe('https://crm.aliyun-shop.example');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/engage/links', headers: shop.auth })).json(),
    ).toMatchObject({ publicUrl: 'https://crm.aliyun-shop.example', own: true });
    // The push addresses for Aliyun's console follow at once.
    await eventually(() => sms.getByLabel('Delivery reports').inputValue()).toMatch(
      /^https:\/\/crm\.aliyun-shop\.example\/t\/aliyun\/[^/]+\/reports$/,
    );
    const channels = (await t.app.inject({ method: 'GET', url: '/api/channels', headers: shop.auth })).json();
    expect(channels.items.find((c: { channel: string }) => c.channel === 'sms')).toMatchObject({
      settings: {
        provider: 'aliyun',
        accessKeyId: 'LTAI5tBrowser',
        signName: '林记',
        codeTemplate: 'SMS_300000001',
      },
      secretsSet: ['accessKeySecret'],
    });

    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByLabel('Channel').selectOption({ label: 'SMS' });
    await page.getByLabel('Body').fill('【林记】{{ customer.name }}，您有{{ points.balance }}积分');
    await page.getByLabel('Template code').fill('SMS_300000002');
    const variables = page.getByLabel('Variables (a line each, name: value)');
    await variables.fill('name: {{ customer.name }}\npoints {{ points.balance }}');
    // The draft previews before it has a name; a variable's line without its colon is named.
    const preview = page.getByTestId('preview');
    await preview.getByPlaceholder('Customer name, phone or email').fill('林');
    await preview.getByRole('button', { name: 'Find' }).click();
    await preview.getByRole('button', { name: '林小姐' }).click();
    await eventually(() => preview.getByRole('alert').textContent()).toBe(
      'Variables, line 2: write the name, a colon, then its value',
    );
    await variables.fill('name: {{ customer.name }}\npoints: {{ points.balance }}');
    await preview.getByRole('button', { name: '林小姐' }).click();
    await eventually(() => page.getByTestId('preview-provider').textContent()).toBe(
      'Template codeSMS_300000002name林小姐points120',
    );
    await page.getByLabel('Name', { exact: true }).fill('Points reminder');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('templates').getByRole('cell', { name: 'Points reminder' }).waitFor();
    const saved = (await t.app.inject({ method: 'GET', url: '/api/templates', headers: shop.auth })).json();
    expect(saved.items[0].providerTemplate).toEqual({
      code: 'SMS_300000002',
      params: { name: '{{ customer.name }}', points: '{{ points.balance }}' },
    });
    // Opened again, the template shows its code and variables as written.
    await page.getByTestId('templates').getByRole('button', { name: 'Edit' }).click();
    expect(await variables.inputValue()).toBe('name: {{ customer.name }}\npoints: {{ points.balance }}');
    await page.close();
  });

  it('builds a care flow in the editor, activates it and shows each step’s count', async () => {
    const shop = await testTenant(db, 'Flow Test Shop');
    const smtp = await startSmtpSink();
    const call = (method: 'POST' | 'PUT', url: string, payload: object) =>
      t.app.inject({ method, url, headers: shop.auth, payload }).then((r) => r.json());
    await call('PUT', '/api/channels/email', {
      channel: 'email',
      settings: { host: '127.0.0.1', port: smtp.port, from: 'Flow Shop <shop@example.com>' },
    });
    await call('PUT', '/api/contact-policy', { maxMessages: 5, perDays: 7, quietHours: null });
    await call('PUT', '/api/engage/links', { publicUrl: 'https://crm.flow.example/' });
    for (const [i, name] of ['Ann', 'Bo'].entries()) {
      const order = await call('POST', '/api/orders', {
        externalId: `F-${i}`,
        status: 'paid',
        totalCents: 8_000,
        orderedAt: new Date(Date.now() - (5 - i) * 86_400_000).toISOString(),
        customer: { email: `${name.toLowerCase()}@example.com`, name },
      });
      await call('PUT', `/api/customers/${order.customerId}/consents/email`, {
        status: 'opted_in',
        source: 'checkout',
      });
    }
    await call('POST', '/api/templates', {
      name: 'How is it going',
      channel: 'email',
      subject: 'How is it going, {{ customer.name }}?',
      body: '<p>Thank you for your order, {{ customer.name }}.</p>',
      transactional: true,
    });
    await call('POST', '/api/tags', { name: 'cared for' });
    await call('POST', '/api/coupons', {
      name: 'Last autumn',
      kind: 'percent',
      percent: 10,
      validUntil: '2025-11-30T00:00:00+08:00',
    });
    await call('POST', '/api/coupons', { name: 'Thanks', kind: 'amount', amountCents: 500, validDays: 30 });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);

    await page.getByRole('link', { name: 'Flows' }).click();
    await page.getByRole('button', { name: 'New flow' }).click();
    const editor = page.getByTestId('flow-editor');
    // A coupon step is offered the coupons still open only (an ended one would give dead codes).
    await editor.getByTestId('add-step-steps').selectOption({ label: 'Issue a coupon' });
    const couponStep = editor.locator('li[data-step="coupon"]');
    expect(await couponStep.locator('select[name="coupon"] option').allTextContents()).toEqual([
      '',
      'Thanks',
    ]);
    await couponStep.getByRole('button', { name: 'Remove step' }).click();
    await eventually(() => couponStep.count()).toBe(0);
    await editor.getByLabel('Name').fill('Care after purchase');
    await editor.locator('select[name="trigger"]').selectOption({ label: 'Order paid' });
    // The new flow starts with a three-day wait; a send step with no template chosen is refused.
    await editor.getByTestId('add-step-steps').selectOption({ label: 'Send a message' });
    await editor.locator('li[data-step="send"] select[name="template"]').selectOption('');
    await editor.getByRole('button', { name: 'Save' }).click();
    await eventually(() => editor.getByRole('alert').textContent()).toContain('body.steps.1.templateId');
    await editor
      .locator('li[data-step="send"] select[name="template"]')
      .selectOption({ label: 'How is it going (Email (SMTP))' });
    await editor.getByTestId('add-step-steps').selectOption({ label: 'Tag' });
    await editor.locator('li[data-step="tag"] select[name="tag"]').selectOption({ label: 'cared for' });
    await editor.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('tr[data-flow="Care after purchase"]');
    await eventually(() => row.getByTestId('flow-status').textContent()).toBe('Draft');

    await editor.getByLabel('Also let in the last days').fill('7');
    await editor.getByRole('button', { name: 'Activate' }).click();
    await eventually(() => row.getByTestId('flow-status').textContent()).toBe('Active');
    // Both orders are more than three days old: both customers walk the whole flow at once.
    const report = page.getByTestId('flow-report');
    await eventually(async () => {
      await page.getByRole('button', { name: 'Run flows now' }).click();
      return report.getByTestId('flow-completed').textContent();
    }).toBe('2');
    expect(await report.getByTestId('flow-entered').textContent()).toBe('2');
    await eventually(() =>
      editor.locator('li[data-step="tag"] [data-testid="step-counts"]').textContent(),
    ).toBe('2 passed');
    await eventually(async () => smtp.mails.map((m) => m.to[0]).sort()).toEqual([
      'ann@example.com',
      'bo@example.com',
    ]);
    expect(smtp.mails.find((m) => m.to[0] === 'bo@example.com')!.headers.get('subject')).toBe(
      'How is it going, Bo?',
    );
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/flows.png', import.meta.url)),
      fullPage: true,
    });
    await page.close();
    await smtp.close();
  });

  it('shows the dashboard for a period and a segment, with definitions, charts and an export', async () => {
    const shop = await testTenant(db, 'Dashboard Shop');
    const call = (method: 'POST' | 'PUT', url: string, payload: object) =>
      t.app.inject({ method, url, headers: shop.auth, payload }).then((r) => r.json());
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString();
    // Ann: first order long ago, two in the last month (returning); Bo: first order in the last month.
    await call('POST', '/api/orders', {
      externalId: 'D-1',
      status: 'paid',
      totalCents: 10_000,
      orderedAt: day(200),
      customer: { email: 'ann@example.com', name: 'Ann' },
    });
    // What they bought, for the sales by category and brand: Ann skincare then makeup, Bo skincare.
    const serum = { title: 'Serum', category: 'Skincare', brand: 'Velvet Lip' };
    const lines = [
      [{ ...serum, quantity: 2, unitPriceCents: 15_000 }],
      [{ title: 'Lipstick', category: 'Makeup', brand: 'Bloom', quantity: 1, unitPriceCents: 30_000 }],
    ];
    for (const [i, ago] of [10, 5].entries())
      await call('POST', '/api/orders', {
        externalId: `D-A${i}`,
        status: 'paid',
        totalCents: 30_000,
        orderedAt: day(ago),
        customer: { email: 'ann@example.com' },
        items: lines[i],
      });
    await call('POST', '/api/orders', {
      externalId: 'D-B',
      status: 'paid',
      totalCents: 40_000,
      orderedAt: day(3),
      customer: { email: 'bo@example.com', name: 'Bo' },
      items: [{ ...serum, quantity: 4, unitPriceCents: 10_000 }],
    });
    await call('POST', '/api/segments', {
      name: 'New this month',
      rule: { type: 'field', field: 'firstOrderAt', op: 'withinLastDays', value: 30 },
    });
    // Bo wrote in about the parcel: a complaint, resolved two hours later, and a five-star review.
    await call('POST', '/api/service-cases', {
      customer: { email: 'bo@example.com' },
      source: 'helpdesk',
      externalId: 'H-1',
      kind: 'complaint',
      subject: 'Parcel late',
      openedAt: day(2),
      status: 'resolved',
      resolvedAt: new Date(Date.parse(day(2)) + 7_200_000).toISOString(),
    });
    await call('POST', '/api/service-cases', {
      customer: { email: 'bo@example.com' },
      source: 'helpdesk',
      externalId: 'H-2',
      kind: 'review',
      subject: 'Lovely',
      rating: 5,
      openedAt: day(1),
    });
    // Complaints within four hours: the one resolved in two was.
    await call('PUT', '/api/service-targets', { complaint: 4 });
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await eventually(() => page.getByTestId('tile-netSales').textContent()).toBe('CN¥1,000.00');
    expect(await page.getByTestId('service-figures').locator('div').allTextContents()).toEqual([
      'Inquiry0',
      'After-sale0',
      'Complaint1',
      'Dispute0',
      'Review1',
      'Customers1',
      'Still open1',
      'Resolved1',
      'Resolved within target100%',
      'Median hours to resolve2.0',
      'Average stars5.0',
    ]);
    expect(await page.getByTestId('tile-returningShare').textContent()).toBe('60%');
    expect(await page.getByTestId('tile-newCustomers').textContent()).toBe('1');
    expect(await page.getByTestId('tile-repurchaseRate').textContent()).toBe('50%');
    // Three orders from two customers; Ann's second order ever fell in the period.
    expect(await page.locator('[data-tile="aov"] .muted').textContent()).toBe('1.50 orders per customer');
    expect(await page.locator('[data-tile="daysToSecond"] .muted').textContent()).toBe(
      'second-time buyers: 1',
    );
    expect(await page.locator('[data-tile="returningShare"]').getAttribute('title')).toContain(
      'not the customer’s first purchase',
    );
    await page.getByTestId('sales-chart').locator('canvas').first().waitFor();
    await page.getByTestId('cohort-chart').locator('canvas').first().waitFor();
    // The grid names its axes; a shop that sent nothing says so under the campaigns' table.
    expect(await page.locator('[data-testid="rfm-grid"] thead th').allTextContents()).toEqual([
      'R / F',
      'F1',
      'F2',
      'F3',
      'F4',
      'F5',
    ]);
    await page.getByText('No campaign was launched in this period, and no flow ran in it.').waitFor();
    // Sales by category, then by brand: each row's name, net, share, orders, units, returns, new buyers.
    const lineRows = () =>
      page
        .getByTestId('line-sales')
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [...(r as HTMLTableRowElement).cells].map((c) => c.textContent)),
        );
    await eventually(lineRows).toEqual([
      ['Skincare', 'CN¥700.00', '70%', '2', '6', '0 · CN¥0.00', '2'],
      ['Makeup', 'CN¥300.00', '30%', '1', '1', '0 · CN¥0.00', '1'],
    ]);
    const lineSales = page.locator('section.line-sales');
    await lineSales.getByRole('button', { name: 'Brand' }).click();
    await eventually(lineRows).toEqual([
      ['Velvet Lip', 'CN¥700.00', '70%', '2', '6', '0 · CN¥0.00', '2'],
      ['Bloom', 'CN¥300.00', '30%', '1', '1', '0 · CN¥0.00', '1'],
    ]);
    expect(await lineSales.getByRole('button', { name: 'Brand' }).getAttribute('aria-pressed')).toBe('true');
    // One segment only: Bo.
    await page.locator('select[name="segment"]').selectOption({ label: 'New this month' });
    await eventually(() => page.getByTestId('tile-netSales').textContent()).toBe('CN¥400.00');
    expect(await page.getByTestId('tile-returningShare').textContent()).toBe('0%');
    await eventually(lineRows).toEqual([['Velvet Lip', 'CN¥400.00', '100%', '1', '4', '0 · CN¥0.00', '1']]);
    const csv = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const exported = await page.request.get(new URL(csv!, base).toString());
    expect(exported.status()).toBe(200);
    expect(await exported.text()).toContain('sales,netCents,40000');
    // Spend for this month makes the acquisition cost.
    const spend = page.getByTestId('spend-form');
    await spend.getByLabel('Channel').fill('Douyin ads');
    await spend.getByLabel('Spend').fill('300');
    await spend.getByRole('button', { name: 'Save spend' }).click();
    await spend.getByText('Saved').waitFor();
    await page.locator('select[name="segment"]').selectOption({ label: 'all customers' });
    await page.getByRole('button', { name: 'This month' }).click();
    await eventually(() => page.getByTestId('acquisition').textContent()).toContain('CN¥300.00');
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/dashboard.png', import.meta.url)),
      fullPage: true,
    });
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByText('老客销售占比').first().waitFor();
    await page.close();
  });

  it('gives the owner the shop’s data as a zip, and deletes the shop once its name is typed', async () => {
    const shop = await testTenant(db, 'Leaving Shop');
    await placeOrder(shop, {
      externalId: 'LV-1',
      status: 'paid',
      totalCents: 8_800,
      orderedAt: '2026-09-01T10:00:00+08:00',
      customer: { phone: '13700000031', name: '周婷' },
    });
    const page = await browser.newPage({ locale: 'en-US', acceptDownloads: true });
    await signIn(page, shop);
    await page.getByRole('link', { name: 'Shop & staff' }).click();
    const data = page.getByTestId('shop-data');
    await eventually(() => data.textContent()).toContain('it is kept 7 days, then removed');
    await data.getByRole('button', { name: 'Export all data' }).click();
    const ready = data.locator('tr[data-available="true"]');
    await ready.waitFor({ timeout: 60_000 });
    expect(await ready.getByTestId('export-status').textContent()).toBe('Ready');
    expect(await ready.locator('td').nth(2).textContent()).toMatch(/^[\d.]+ kB, \d+ rows$/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      ready.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^regulars-export-\d{4}-\d\d-\d\d\.zip$/);
    const zip = await JSZip.loadAsync(await readFile((await download.path())!));
    const customers = parse(await zip.file('customers.csv')!.async('string'), { columns: true }) as {
      phone: string;
      name: string;
    }[];
    expect(customers.map((c) => [c.phone, c.name])).toEqual([['+8613700000031', '周婷']]);
    // Removed early, it stays listed and can no longer be had.
    page.once('dialog', (dialog) => void dialog.accept());
    await ready.getByRole('button', { name: 'Remove' }).click();
    await eventually(() => data.locator('tr[data-available="true"]').count()).toBe(0);
    expect(await data.getByTestId('export-status').textContent()).toBe('Removed');

    // Deleting asks for the name typed out, then a yes; the console ends at the sign-in page.
    const deletion = page.getByTestId('delete-shop');
    const button = deletion.getByRole('button', { name: 'Delete this shop for good' });
    expect(await button.isDisabled()).toBe(true);
    await deletion.getByLabel('Type the shop’s name, Leaving Shop, to confirm').fill('Leaving shop');
    expect(await button.isDisabled()).toBe(true);
    await deletion.getByLabel('Type the shop’s name, Leaving Shop, to confirm').fill('Leaving Shop');
    page.once('dialog', (dialog) => void dialog.accept());
    await button.click();
    await eventually(() => page.getByTestId('shop-deleted').textContent()).toBe(
      'The shop Leaving Shop was deleted, with everything it held.',
    );
    await page.getByLabel('Email').waitFor();
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/customers', headers: shop.auth })).statusCode,
    ).toBe(401);
    // The shop's sign-in is gone with it.
    await page.getByLabel('Email').fill(shop.email);
    await page.getByLabel('Password').fill(shop.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
    await page.close();
  });

  it('lets a staff member of several shops choose which to enter and switch without the password again', async () => {
    const north = await testTenant(db, 'Agency North');
    const south = await testTenant(db, 'Agency South');
    const email = 'account.manager@agency.example';
    const staff = new Map<string, string>();
    for (const shop of [north, south]) {
      const member = await createStaff(db, shop.shop.shopId, {
        email,
        name: 'Account manager',
        password: 'agency password',
        role: 'operator',
      });
      staff.set(shop.shop.shopId, member.staffId);
    }
    const agency = await browser.newPage({ locale: 'en-US' });
    const offered = () => agency.locator('.shop-choices li button').allTextContents();
    const sessionShop = async () =>
      (await agency.context().cookies()).find((c) => c.name === 'regulars_session')?.value.split('.')[0];
    await agency.goto(base);
    await agency.getByLabel('Email').fill(email);
    await agency.getByLabel('Password').fill('agency password');
    await agency.getByRole('button', { name: 'Sign in' }).click();
    await agency.getByRole('heading', { name: 'Choose a shop' }).waitFor();
    expect(await offered()).toEqual(['Agency North', 'Agency South']);
    expect(await agency.locator('.shop-choices li').first().textContent()).toBe('Agency North operator');
    // Back to the form, then on to a shop.
    await agency.getByRole('button', { name: 'Back' }).click();
    await agency.getByLabel('Password').fill('agency password');
    await agency.getByRole('button', { name: 'Sign in' }).click();
    await agency.getByRole('button', { name: 'Agency South' }).click();
    // The sign-in opened both shops: the header switches between them.
    const shopMenu = agency.getByLabel('Shop', { exact: true });
    await shopMenu.waitFor();
    expect(await shopMenu.locator('option:checked').textContent()).toBe('Agency South');
    expect(await shopMenu.locator('option').allTextContents()).toEqual(['Agency North', 'Agency South']);
    expect(await sessionShop()).toBe(south.shop.shopId);
    await agency.getByRole('heading', { name: 'Customers' }).waitFor();
    await shopMenu.selectOption({ label: 'Agency North' });
    await eventually(sessionShop).toBe(north.shop.shopId);
    await eventually(() => shopMenu.locator('option:checked').textContent()).toBe('Agency North');
    expect(await agency.getByLabel('Password').count()).toBe(0);
    // Signing out ends both; the next sign-in offers the shop entered last first.
    await agency.getByRole('button', { name: 'Sign out' }).click();
    await agency.getByRole('heading', { name: 'Sign in to Regulars' }).waitFor();
    await agency.getByLabel('Email').fill(email);
    await agency.getByLabel('Password').fill('agency password');
    await agency.getByRole('button', { name: 'Sign in' }).click();
    await agency.getByRole('heading', { name: 'Choose a shop' }).waitFor();
    expect(await offered()).toEqual(['Agency North', 'Agency South']);
    await agency.getByRole('button', { name: 'Agency North' }).click();
    await shopMenu.waitFor();
    // South's owner gives the account manager a new password: this sign-in no longer opens South, and
    // switching there asks for the password again, the email filled in.
    const reset = await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${staff.get(south.shop.shopId)}`,
      headers: south.auth,
      payload: { password: 'a new south password' },
    });
    expect(reset.statusCode).toBe(200);
    // The menu, drawn before, still offers South: choosing it finds that shop closed, and the header
    // shows what this sign-in still opens.
    await shopMenu.selectOption({ label: 'Agency South' });
    await agency.getByTestId('shop-name').waitFor();
    expect(await sessionShop()).toBe(north.shop.shopId);
    expect(await agency.getByTestId('shop-name').textContent()).toBe('Agency North');
    await agency.getByRole('button', { name: 'Switch shop' }).click();
    // (The customers page has an Email field of its own until the sign-in page replaces it.)
    await agency.getByRole('heading', { name: 'Sign in to Regulars' }).waitFor();
    expect(await agency.getByLabel('Email').inputValue()).toBe(email);
    await agency.getByLabel('Password').fill('a new south password');
    await agency.getByRole('button', { name: 'Sign in' }).click();
    await agency.getByTestId('shop-name').waitFor();
    expect(await agency.getByTestId('shop-name').textContent()).toBe('Agency South');
    // A staff member of one shop is offered no switch.
    await agency.getByRole('button', { name: 'Sign out' }).click();
    await agency.getByRole('heading', { name: 'Sign in to Regulars' }).waitFor();
    await agency.getByLabel('Email').fill(north.email);
    await agency.getByLabel('Password').fill(north.password);
    await agency.getByRole('button', { name: 'Sign in' }).click();
    await agency.getByTestId('shop-name').waitFor();
    expect(await agency.getByRole('button', { name: 'Switch shop' }).count()).toBe(0);
    expect(await shopMenu.count()).toBe(0);
    await agency.close();
  });

  it('lets the owner set the shop up, manage staff and API keys, and shows a viewer what is not theirs to do', async () => {
    const shop = await testTenant(db, 'Keys Test Shop');
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, shop);
    expect(await page.getByTestId('signed-in').textContent()).toBe('Owner · owner');
    await page.getByRole('link', { name: 'Shop & staff' }).click();

    // The shop's own settings: a new name shows in the header at once; a new time zone says what follows.
    const settings = page.getByTestId('shop-settings');
    expect(await settings.getByLabel('Time zone').inputValue()).toBe('Asia/Shanghai');
    await settings.getByLabel('Name', { exact: true }).fill('Keys Test Shop, Hong Kong');
    await settings.getByLabel('Time zone').selectOption('Asia/Hong_Kong');
    await settings.getByRole('button', { name: 'Save shop' }).click();
    await eventually(() => page.getByRole('status').textContent()).toBe(
      'Saved: the dashboard’s days are being recomputed for the new time zone.',
    );
    expect(await page.getByTestId('shop-name').textContent()).toBe('Keys Test Shop, Hong Kong');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/shop', headers: shop.auth })).json(),
    ).toMatchObject({
      name: 'Keys Test Shop, Hong Kong',
      timeZone: 'Asia/Hong_Kong',
    });
    await page.reload();
    await page.getByTestId('staff-form').waitFor();

    // Staff: the owner adds a viewer, cannot step down as the only owner, and removes a member.
    const form = page.getByTestId('staff-form');
    const viewer = {
      ...shop,
      email: `vi-${shop.shop.shopId.slice(-8)}@example.com`,
      password: 'viewer pass 1',
    };
    await form.getByLabel('Name').fill('Vi');
    await form.getByLabel('Email').fill(viewer.email);
    await form.getByLabel('Password (8+ characters)').fill(viewer.password);
    await form.getByLabel('Role').selectOption({ label: 'viewer' });
    await form.getByRole('button', { name: 'Add staff member' }).click();
    await eventually(() => page.getByRole('status').textContent()).toBe('Vi can sign in now.');
    await form.getByLabel('Name').fill('Temp');
    await form.getByLabel('Email').fill('temp@example.com');
    await form.getByLabel('Password (8+ characters)').fill('temp pass 1');
    await form.getByRole('button', { name: 'Add staff member' }).click();
    const temp = page.locator('tr[data-staff="temp@example.com"]');
    await eventually(() => temp.getByLabel('Role of Temp').inputValue()).toBe('operator');
    await temp.getByRole('button', { name: 'New password' }).click();
    await temp.getByLabel('New password for Temp').fill('temp pass 2');
    await temp.getByRole('button', { name: 'Set password' }).click();
    await eventually(() => page.getByRole('status').textContent()).toBe(
      'Temp has a new password and is signed out.',
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await temp.getByRole('button', { name: 'Remove' }).click();
    await eventually(() => temp.count()).toBe(0);
    const me = page.locator(`tr[data-staff="${shop.email}"]`);
    await me.getByLabel('Role of Owner').selectOption({ label: 'admin' });
    await eventually(() => page.getByRole('alert').textContent()).toBe(
      'A shop keeps at least one owner: make someone else owner first',
    );
    expect(await me.getByLabel('Role of Owner').inputValue()).toBe('owner');

    const keys = page.getByTestId('api-keys');
    // The suite's own key has been used to set the shop up.
    await eventually(() =>
      keys.locator('tr[data-key="tests"] [data-testid="key-status"]').textContent(),
    ).toBe('Active');
    await page.getByTestId('key-form').getByLabel('Name').fill('Shop website webhook');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key-value').textContent())!;
    expect(key).toMatch(/^rk_[0-9a-f]{32}_/);
    const withKey = () =>
      t.app.inject({ method: 'GET', url: '/api/customers', headers: { authorization: `Bearer ${key}` } });
    expect((await withKey()).statusCode).toBe(200);
    const row = keys.locator('tr[data-key="Shop website webhook"]');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await eventually(() => row.getByTestId('key-status').textContent()).toMatch(/^Revoked /);
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect((await withKey()).statusCode).toBe(401);
    await page.close();

    // The viewer sees staff and keys but changes neither, and a change they try is refused in words.
    const look = await browser.newPage({ locale: 'en-US' });
    await signIn(look, viewer);
    expect(await look.getByTestId('signed-in').textContent()).toBe('Vi · viewer');
    await look.getByRole('link', { name: 'Shop & staff' }).click();
    await look.getByTestId('keys-owner-only').waitFor();
    expect(await look.getByTestId('staff').locator('tbody tr').count()).toBe(2);
    expect(await look.getByTestId('staff-form').count()).toBe(0);
    expect(await look.locator('[data-testid="staff"] select').count()).toBe(0);
    expect(await look.getByTestId('key-form').count()).toBe(0);
    expect(await look.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await look.getByTestId('activity').count()).toBe(0);
    expect(await look.getByTestId('retention').count()).toBe(0);
    expect(await look.getByTestId('shop-data').count()).toBe(0);
    expect(await look.getByTestId('shop-settings').getByLabel('Name', { exact: true }).isDisabled()).toBe(
      true,
    );
    expect(await look.getByRole('button', { name: 'Save shop' }).count()).toBe(0);
    // Their own password is theirs to change, whatever the role.
    const own = look.getByTestId('own-password');
    await own.getByLabel('Current password').fill(viewer.password);
    await own.getByLabel('New password (8+ characters)').fill('viewer pass 2');
    await own.getByRole('button', { name: 'Change password' }).click();
    await eventually(() => look.getByRole('status').textContent()).toBe(
      'Password changed. Your other sessions are signed out.',
    );
    await look.getByRole('link', { name: 'Tags' }).click();
    await look.getByLabel('Tag', { exact: true }).fill('VIP gift list');
    await look.getByRole('button', { name: 'Save tag' }).click();
    await eventually(() => look.getByRole('alert').textContent()).toBe(
      'Your role (viewer) cannot change data: that takes an operator or above',
    );
    await look.close();

    // The owner looks back: the viewer's refused tag, the key they revoked, who did each.
    const audit = await browser.newPage({ locale: 'en-US' });
    await signIn(audit, shop);
    await audit.getByRole('link', { name: 'Shop & staff' }).click();
    const activity = audit.getByTestId('activity');
    const refused = activity.locator('tbody tr', { hasText: 'POST /api/tags' });
    await refused.waitFor();
    expect(await refused.locator('td').allTextContents()).toEqual([
      expect.any(String),
      `Vi <${viewer.email}> 127.0.0.1`,
      'POST /api/tags ',
      'refused (403)',
    ]);
    const revoked = activity.locator('tbody tr', { hasText: 'DELETE /api/api-keys/:keyId' });
    expect(await revoked.locator('td').nth(1).textContent()).toBe(`Owner <${shop.email}> 127.0.0.1`);
    expect(await revoked.locator('td').nth(3).textContent()).toBe('done');
    // The same record downloads as CSV for an audit, over the days asked for.
    const exporter = audit.getByTestId('activity-export');
    await exporter.getByLabel('From').fill('2020-01-01');
    expect(await exporter.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe(
      '/api/activity.csv?from=2020-01-01',
    );
    const [download] = await Promise.all([
      audit.waitForEvent('download'),
      exporter.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('activity-from-2020-01-01.csv');
    const exported = await readFile((await download.path())!, 'utf8');
    expect(exported).toContain(`Vi <${viewer.email}>,127.0.0.1,POST,/api/tags,{},403`);
    // How long that record is kept: the owner shortens it, never under six months.
    const retention = audit.getByTestId('retention');
    const activityDays = retention.getByLabel('Activity, days (180 or more)');
    expect(await activityDays.inputValue()).toBe('365');
    await activityDays.fill('90');
    expect(await activityDays.evaluate((el: HTMLInputElement) => el.validity.rangeUnderflow)).toBe(true);
    await activityDays.fill('200');
    await retention.getByLabel('Refused import values, days').fill('30');
    await retention.getByRole('button', { name: 'Save' }).click();
    await eventually(() => audit.getByRole('status').textContent()).toBe(
      'Saved: what is older is being removed.',
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/retention', headers: shop.auth })).json()).toEqual(
      {
        activityDays: 200,
        importCellsDays: 30,
      },
    );
    await audit.close();

    // The viewer's usual browser: signed in with the new password, then signed out.
    const usual = await browser.newPage({ locale: 'en-US' });
    await signIn(usual, { ...viewer, password: 'viewer pass 2' });
    await usual.getByRole('button', { name: 'Sign out' }).click();
    await usual.getByRole('button', { name: 'Sign in' }).waitFor();

    // Ten wrong passwords in a row lock the viewer's email: the sign-in page says so, and what to do.
    for (let i = 0; i < 10; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: viewer.email, password: `guess ${i}` },
      });
    const lockedOut = await browser.newPage({ locale: 'en-US' });
    await lockedOut.goto(base);
    await lockedOut.getByLabel('Email').fill(viewer.email);
    await lockedOut.getByLabel('Password').fill('viewer pass 2');
    const [answer] = await Promise.all([
      lockedOut.waitForResponse((r) => r.url().endsWith('/api/auth/login'), { timeout: 15_000 }),
      lockedOut.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(answer.status()).toBe(429);
    await lockedOut.getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await lockedOut.getByRole('alert').textContent()).toBe(
      'Too many wrong passwords: sign-in for this email is locked for 15 minutes, except in browsers where you signed in before. An owner can set you a new password under Shop & staff.',
    );
    await lockedOut.close();
    // The owner sees the lock on the staff list, and how to lift it.
    const ownerLook = await browser.newPage({ locale: 'en-US' });
    await signIn(ownerLook, shop);
    await ownerLook.getByRole('link', { name: 'Shop & staff' }).click();
    await eventually(() =>
      ownerLook.locator(`tr[data-staff="${viewer.email}"] [data-testid="staff-locked"]`).textContent(),
    ).toMatch(/^sign-in locked until .+: a new password lifts it$/);
    expect(
      await ownerLook.locator(`tr[data-staff="${shop.email}"] [data-testid="staff-locked"]`).count(),
    ).toBe(0);
    await ownerLook.close();
    // The browser the viewer signed in from before is not shut out by the guesses.
    await usual.getByLabel('Email').fill(viewer.email);
    await usual.getByLabel('Password').fill('viewer pass 2');
    await usual.getByRole('button', { name: 'Sign in' }).click();
    await usual.getByTestId('shop-name').waitFor({ timeout: 15_000 });
    await usual.close();

    // Fifty wrong passwords from one address (this machine's) pause its sign-ins, whatever the email. Kept
    // last in this file: the app refuses sign-ins from here from now on.
    for (let i = 0; i < 60; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: `nobody${i}@example.com`, password: 'Summer2026!' },
      });
      if (r.statusCode === 429) break;
      expect(r.statusCode).toBe(401);
    }
    const paused = await browser.newPage({ locale: 'en-US' });
    await paused.goto(base);
    await paused.getByLabel('Email').fill(shop.email);
    await paused.getByLabel('Password').fill(shop.password);
    await paused.getByRole('button', { name: 'Sign in' }).click();
    await paused.getByRole('alert').waitFor({ timeout: 15_000 });
    expect(await paused.getByRole('alert').textContent()).toBe(
      'Too many wrong passwords from this network: sign-in from it is paused for up to 15 minutes, except in browsers where you signed in before.',
    );
    await paused.close();
  });
});
