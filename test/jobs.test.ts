// Background jobs and the membership calendar: waiting jobs are joined, silent ones are run again, and
// reviews and expiries are queued when they fall due.
import { expect, it } from 'vitest';
import type { Db } from '../src/db/db.js';
import { claimJob, enqueueJob, getJob, listJobs, requeueStalled } from '../src/jobs/jobs.js';
import { JobRunner } from '../src/jobs/runner.js';
import { DEFAULT_PROGRAM, getProgram, saveProgram } from '../src/membership/program.js';
import { keepMemberYear } from '../src/membership/year.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { EXPIRE, REGRADE, REVIEW, scheduleMembership, YEAR } from '../src/membership/schedule.js';
import { PRUNE, scheduleRetention } from '../src/shops/retention.js';
import { settleJobs, TEST_SERVER_URL } from './support/app.js';
import { describeEachDb } from './support/databases.js';

/** Runs the shop's waiting jobs as the server's runner would, serving that shop alone (see settleJobs). */
async function runAll(db: Db, shopId: string): Promise<void> {
  const runner = new JobRunner(
    db,
    jobHandlers({ publicUrl: TEST_SERVER_URL }),
    async () => {},
    (err) => {
      throw err;
    },
    new Set([shopId]),
  );
  await settleJobs(runner, db, shopId);
}

describeEachDb('jobs', ({ db, newShop }) => {
  it('joins a waiting job of the same kind, and queues another behind a running one', async () => {
    const shop = await newShop();
    const first = await enqueueJob(db(), shop.shopId, REGRADE);
    const again = await enqueueJob(db(), shop.shopId, REGRADE);
    expect(again.jobId).toBe(first.jobId);
    const claimed = await claimJob(db(), { shopId: shop.shopId, jobId: first.jobId });
    expect(claimed).toMatchObject({ jobId: first.jobId, status: 'running' });
    const behind = await enqueueJob(db(), shop.shopId, REGRADE);
    expect(behind.jobId).not.toBe(first.jobId);
    // Never two of a kind at once for one shop: the one behind waits until the first is done.
    expect(await claimJob(db(), { shopId: shop.shopId, jobId: behind.jobId })).toBeNull();
  });

  it('runs a job cut off by a crash again', async () => {
    const shop = await newShop();
    const queued = await enqueueJob(db(), shop.shopId, EXPIRE);
    await claimJob(db(), { shopId: shop.shopId, jobId: queued.jobId });
    await db().query(
      `update jobs set heartbeat_at = now() - interval '10 minutes' where shop_id = $1 and job_id = $2`,
      [shop.shopId, queued.jobId],
    );
    expect(await requeueStalled(db(), 120_000)).toBeGreaterThanOrEqual(1);
    expect(await getJob(db(), shop.shopId, queued.jobId)).toMatchObject({ status: 'queued', failure: null });
    await runAll(db(), shop.shopId);
    expect(await getJob(db(), shop.shopId, queued.jobId)).toMatchObject({
      status: 'completed',
      result: { customers: 0, expired: 0 },
    });
  });

  it('records a failing job with its reason', async () => {
    const shop = await newShop();
    const job = await enqueueJob(db(), shop.shopId, 'no.such.kind');
    await runAll(db(), shop.shopId);
    expect(await getJob(db(), shop.shopId, job.jobId)).toMatchObject({
      status: 'failed',
      failure: 'No handler for jobs of kind no.such.kind',
    });
  });

  it('queues the review and the expiry when due, at local midnight, and sets the next dates', async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    // 2026-11-24 19:00 UTC is 03:00 on 25 November in Shanghai.
    const at = new Date('2026-11-24T19:00:00Z');
    await scheduleMembership(db(), at);
    const first = await getProgram(db(), shop.shopId);
    expect(first.nextReviewAt).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(await listJobs(db(), shop.shopId, { limit: 10 })).toEqual([]);
    await db().query(
      `update membership_programs set next_review_at = $2, next_expiry_at = $2 where shop_id = $1`,
      [shop.shopId, '2026-11-24T16:00:00Z'],
    );
    await scheduleMembership(db(), at);
    const kinds = (await listJobs(db(), shop.shopId, { limit: 10 })).map((j) => j.kind).sort();
    expect(kinds).toEqual([EXPIRE, REVIEW]);
    const next = await getProgram(db(), shop.shopId);
    expect(next).toMatchObject({
      nextReviewAt: new Date('2026-12-31T16:00:00Z'),
      nextExpiryAt: new Date('2026-11-25T16:00:00Z'),
    });
    // Another pass the same night queues nothing more.
    await scheduleMembership(db(), at);
    expect(await listJobs(db(), shop.shopId, { limit: 10 })).toHaveLength(2);
  });

  it("queues the member year's move for a rolling program whose year is not the day's, once", async () => {
    const rolling = await newShop();
    await db().transaction((tx) =>
      saveProgram(tx, rolling.shopId, { ...DEFAULT_PROGRAM, window: 'rolling_12_months' }),
    );
    const lifetime = await newShop();
    const at = new Date('2026-11-24T19:00:00Z');
    const kinds = async (shopId: string) => (await listJobs(db(), shopId, { limit: 10 })).map((j) => j.kind);
    await scheduleMembership(db(), at);
    await scheduleMembership(db(), at);
    expect(await kinds(rolling.shopId)).toEqual([YEAR]);
    expect(await kinds(lifetime.shopId)).toEqual([]);
    // Kept for the day's window, it is not queued again.
    expect(await keepMemberYear(db(), rolling.shopId, at)).toMatchObject({ upkeep: 'built' });
    await db().query(`update jobs set status = 'completed' where shop_id = $1`, [rolling.shopId]);
    await scheduleMembership(db(), at);
    expect(await kinds(rolling.shopId)).toEqual([YEAR]);
  });

  it("queues each shop's prune of expired records at its midnight", async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const at = new Date('2026-11-24T19:00:00Z');
    const nextPrune = async () =>
      (
        await db().query<{ at: Date }>(
          'select next_prune_at as at from retention_settings where shop_id = $1',
          [shop.shopId],
        )
      )[0]?.at;
    await scheduleRetention(db(), at);
    expect(await nextPrune()).toEqual(new Date('2026-11-25T16:00:00Z'));
    expect(await listJobs(db(), shop.shopId, { limit: 10 })).toEqual([]);
    await db().query('update retention_settings set next_prune_at = $2 where shop_id = $1', [
      shop.shopId,
      '2026-11-24T16:00:00Z',
    ]);
    await scheduleRetention(db(), at);
    await scheduleRetention(db(), at);
    const jobs = await listJobs(db(), shop.shopId, { limit: 10 });
    expect(jobs.map((j) => j.kind)).toEqual([PRUNE]);
    expect(await nextPrune()).toEqual(new Date('2026-11-25T16:00:00Z'));
    await runAll(db(), shop.shopId);
    expect(await getJob(db(), shop.shopId, jobs[0]!.jobId)).toMatchObject({
      status: 'completed',
      result: { activityDeleted: 0, cellsCleared: 0 },
    });
  });
});
