// The console in real headless Chromium (Debian's package): sign in, import a file, find a customer,
// open the profile, switch language.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { DEFAULT_WEB_DIR } from '../src/http/app.js';
import { testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';
import { openTestDb } from './support/databases.js';

const CHROMIUM = '/usr/bin/chromium';
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

  it('signs in, imports a file, finds a customer and opens the profile', async () => {
    await page.goto(base);
    await page.getByLabel('Email').fill(tenant.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
    await page.getByLabel('Password').fill(tenant.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('shop-name').waitFor();
    expect(await page.getByTestId('shop-name').textContent()).toBe('Browser Test Shop');

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

    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('searchbox').fill('138 1234 5678');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('link', { name: '王芳' }).click();
    await page.getByTestId('customer-name').waitFor();
    expect(await page.getByTestId('customer-name').textContent()).toBe('王芳');
    const stats = await page.getByTestId('stats').textContent();
    expect(stats).toContain('Orders2');
    expect(stats).toContain('CN¥498.00');
    expect(await page.locator('table.orders tbody tr').count()).toBe(2);
    expect(await page.locator('.timeline li').count()).toBe(3);
    await page.screenshot({
      path: fileURLToPath(new URL('../test-results/profile.png', import.meta.url)),
      fullPage: true,
    });

    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('link', { name: '客户', exact: true }).waitFor();
    await page.getByRole('heading', { name: '订单' }).waitFor();
    await page.getByRole('heading', { name: '时间线' }).waitFor();
  });
});
