// RFM as a background job (console, API, CLI) and nightly at the shop's midnight.
import type { Db } from '../db/db.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { nextMidnight } from '../shops/calendar.js';
import { computeRfm, getRfmSettings } from './rfm.js';

export const RFM = 'rfm.run';

export const rfmJobs: Handlers = {
  async [RFM](db, job, progress) {
    const result = await computeRfm(db, job.shopId, new Date());
    await progress(result.customers, result.customers);
    return { ...result };
  },
};

export async function scheduleRfm(db: Db, at: Date): Promise<void> {
  const shops = await db.query<{ shopId: string; timeZone: string; nextRunAt: Date | null }>(
    `select s.shop_id as "shopId", s.time_zone as "timeZone", r.next_run_at as "nextRunAt"
       from shops s left join rfm_settings r using (shop_id)`,
  );
  for (const s of shops) {
    if (s.nextRunAt && s.nextRunAt > at) continue;
    await db.transaction(async (tx) => {
      if (s.nextRunAt) await enqueueJob(tx, s.shopId, RFM);
      await tx.query(
        `insert into rfm_settings (shop_id, settings, next_run_at) values ($1, $2, $3)
         on conflict (shop_id) do update set next_run_at = excluded.next_run_at`,
        [
          s.shopId,
          JSON.stringify(await getRfmSettings(tx, s.shopId)),
          nextMidnight(at, s.timeZone).toISOString(),
        ],
      );
    });
  }
}
