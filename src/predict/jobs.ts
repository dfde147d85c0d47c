// The prediction run as a background job (console and API) or in the foreground (CLI), and nightly.
import type { Db } from '../db/db.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { nextMidnight } from '../shops/calendar.js';
import { MIN_REPEATERS, runPredictions } from './predictions.js';

export const PREDICT = 'predictions.run';

export const predictionJobs: Handlers = {
  async [PREDICT](db, job, progress) {
    const model = await runPredictions(db, job.shopId, new Date(), progress);
    return {
      customers: model.customers,
      r: model.purchases.params.r,
      alpha: model.purchases.params.alpha,
      a: model.purchases.params.a,
      b: model.purchases.params.b,
      logLikelihood: model.purchases.logLikelihood,
    };
  },
};

/**
 * Queues each shop's nightly run when it falls due. A shop with too few returning buyers to fit is
 * skipped (its run would only fail) until it has them.
 */
export async function schedulePredictions(db: Db, at: Date): Promise<void> {
  const shops = await db.query<{
    shopId: string;
    timeZone: string;
    nextRunAt: Date | null;
    repeaters: number;
  }>(
    `select s.shop_id as "shopId", s.time_zone as "timeZone", p.next_run_at as "nextRunAt",
            (select count(*)::int from (select 1 from customers c
                                         where c.shop_id = s.shop_id and c.order_count > 1 limit $1) r) as repeaters
       from shops s left join prediction_schedules p using (shop_id)`,
    [MIN_REPEATERS],
  );
  for (const s of shops) {
    if (s.nextRunAt && s.nextRunAt > at) continue;
    await db.transaction(async (tx) => {
      if (s.nextRunAt && s.repeaters >= MIN_REPEATERS) await enqueueJob(tx, s.shopId, PREDICT);
      await tx.query(
        `insert into prediction_schedules (shop_id, next_run_at) values ($1, $2)
         on conflict (shop_id) do update set next_run_at = excluded.next_run_at`,
        [s.shopId, nextMidnight(at, s.timeZone).toISOString()],
      );
    });
  }
}
