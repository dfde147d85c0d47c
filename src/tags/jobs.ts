// The rule-tag back-fill as a background job (after a rule is created or changed, from the console, API
// or CLI) and nightly at the shop's midnight.
import type { Db } from '../db/db.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { nextMidnight } from '../shops/calendar.js';
import { backfillRuleTags } from './rules.js';

export const TAGS_BACKFILL = 'tags.backfill';

export const tagJobs: Handlers = {
  async [TAGS_BACKFILL](db, job, progress) {
    return { ...(await backfillRuleTags(db, job.shopId, new Date(), progress)) };
  },
};

/** Queues each shop's nightly back-fill when due; a shop without rule tags has nothing to queue. */
export async function scheduleTags(db: Db, at: Date): Promise<void> {
  const shops = await db.query<{ shopId: string; timeZone: string; nextRunAt: Date | null; rules: boolean }>(
    `select s.shop_id as "shopId", s.time_zone as "timeZone", t.next_run_at as "nextRunAt",
            exists (select 1 from tags g where g.shop_id = s.shop_id and g.rule is not null) as rules
       from shops s left join tag_schedules t using (shop_id)
      where t.next_run_at is null or t.next_run_at <= $1`,
    [at.toISOString()],
  );
  for (const s of shops) {
    await db.transaction(async (tx) => {
      if (s.nextRunAt && s.rules) await enqueueJob(tx, s.shopId, TAGS_BACKFILL);
      await tx.query(
        `insert into tag_schedules (shop_id, next_run_at) values ($1, $2)
         on conflict (shop_id) do update set next_run_at = excluded.next_run_at`,
        [s.shopId, nextMidnight(at, s.timeZone).toISOString()],
      );
    });
  }
}
