// RFM on hand-computed data, through the API: scores by thresholds and by quantiles, named segments, the
// R×F grid, and only ever the caller's own shop.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';
import { settleJobs, testApp, testTenant, type TestApp, type TestTenant } from './support/app.js';

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describeEachDb('RFM', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  const ids: Record<string, string> = {};
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, who = a) => {
    const r = await t.app.inject({ method, url, headers: who.auth, payload: payload as object });
    return { status: r.statusCode, body: r.json() };
  };
  const runJobs = () => settleJobs(t.jobs, db(), a.shop.shopId);
  const scores = async (who: string) => {
    const c = (await call('GET', `/api/customers/${ids[who]}`)).body;
    return `R${c.rfmR} F${c.rfmF} M${c.rfmM} ${c.rfmSegment} ${c.rfmRecencyDays}d ${c.rfmFrequency}x ${c.rfmMonetaryCents}`;
  };

  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    const order = async (who: string, externalId: string, ago: number, totalCents: number) => {
      const r = await call('POST', '/api/orders', {
        externalId,
        status: 'paid',
        totalCents,
        orderedAt: daysAgo(ago),
        customer: { email: `${who}@example.com` },
      });
      ids[who] = r.body.customerId;
    };
    // Ann: three orders lately, ¥1,500. Bo: one order 400 days ago. Cai: nine orders, the last 100 days ago.
    for (const [i, ago] of [40, 25, 10].entries()) await order('ann', `A${i}`, ago, 50_000);
    await order('bo', 'B0', 400, 30_000);
    for (let i = 0; i < 9; i++) await order('cai', `C${i}`, 100 + i * 10, 10_000);
    // A cancelled order is no purchase.
    await call('POST', '/api/orders', {
      externalId: 'X0',
      status: 'cancelled',
      totalCents: 99_900,
      orderedAt: daysAgo(1),
      customer: { email: 'bo@example.com' },
    });
  });
  afterAll(() => t.app.close());

  it('scores by fixed thresholds and names the segments', async () => {
    const saved = await call('PUT', '/api/rfm/settings', { windowDays: 365, method: 'thresholds' });
    expect(saved.status).toBe(200);
    expect(saved.body.settings.thresholds.orders).toEqual([2, 3, 5, 8]);
    await runJobs();
    expect((await call('GET', `/api/jobs/${saved.body.job.jobId}`)).body).toMatchObject({
      status: 'completed',
      result: { customers: 3 },
    });
    expect(await scores('ann')).toMatch(/^R5 F3 M4 potential_loyalist 10d 3x 150000$/);
    expect(await scores('bo')).toMatch(/^R1 F1 M1 lost 400d 0x 0$/);
    expect(await scores('cai')).toMatch(/^R3 F5 M3 loyal 100d 9x 90000$/);
    const grid = (await call('GET', '/api/rfm/grid')).body;
    expect(grid.cells).toHaveLength(25);
    expect(grid.cells.filter((c: { customers: number }) => c.customers > 0)).toEqual([
      { r: 5, f: 3, segment: 'potential_loyalist', customers: 1, monetaryCents: 150_000 },
      { r: 3, f: 5, segment: 'loyal', customers: 1, monetaryCents: 90_000 },
      { r: 1, f: 1, segment: 'lost', customers: 1, monetaryCents: 0 },
    ]);
    expect(grid.segments.map((s: { segment: string }) => s.segment).sort()).toEqual([
      'lost',
      'loyal',
      'potential_loyalist',
    ]);
  });

  it('scores by quantiles among the shop’s buyers', async () => {
    await call('PUT', '/api/rfm/settings', { windowDays: 365, method: 'quantiles' });
    await runJobs();
    // Three buyers: percent ranks 0, ½ and 1 give scores 1, 3 and 5.
    expect(await scores('ann')).toMatch(/^R5 F3 M5 /);
    expect(await scores('bo')).toMatch(/^R1 F1 M1 lost/);
    expect(await scores('cai')).toMatch(/^R3 F5 M3 loyal/);
  });

  it('refuses thresholds in the wrong order, naming them', async () => {
    const bad = await call('PUT', '/api/rfm/settings', {
      method: 'thresholds',
      thresholds: { recencyDays: [30, 90, 180, 365], orders: [2, 3, 5, 8], spendCents: [1, 2, 3, 3] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('recencyDays');
    expect(bad.body.message).toContain('spendCents');
  });

  it("keeps each shop's grid and settings to itself", async () => {
    const b = await testTenant(db());
    const grid = (await call('GET', '/api/rfm/grid', undefined, b)).body;
    expect(grid.cells.every((c: { customers: number }) => c.customers === 0)).toBe(true);
    expect(grid.segments).toEqual([]);
    expect((await call('GET', '/api/rfm/settings', undefined, b)).body.method).toBe('quantiles');
    expect((await call('GET', `/api/customers/${ids.ann}`, undefined, b)).status).toBe(404);
  });
});
