// The engage area's background work: one delivery job per shop drains its outbox; the scheduler starts it
// whenever a campaign falls due or a message waits (a retry's back-off ended, quiet hours are over). Shops
// with active flows have them run on every tick, which queues their messages for delivery.
import type { Db } from '../db/db.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { shopsWithDeliveryDue } from './campaigns.js';
import { deliverMessages } from './delivery.js';
import { runFlows } from './flows/engine.js';

export const MESSAGES_DELIVER = 'messages.deliver';
export const FLOWS_RUN = 'flows.run';

/** The jobs, sending with links to `serverUrl` for shops that set no address of their own. */
export const engageJobs = (serverUrl: string): Handlers => ({
  [MESSAGES_DELIVER]: (db, job, progress) => deliverMessages(db, job.shopId, progress, serverUrl),
  [FLOWS_RUN]: async (db, job, progress) => {
    const result = await runFlows(db, job.shopId, new Date(), progress);
    if (result.queued > 0) await enqueueJob(db, job.shopId, MESSAGES_DELIVER);
    return { ...result };
  },
});

export async function scheduleEngage(db: Db, at: Date): Promise<void> {
  for (const shopId of await shopsWithDeliveryDue(db, at)) await enqueueJob(db, shopId, MESSAGES_DELIVER);
  const flowing = await db.query<{ shopId: string }>(
    `select distinct shop_id as "shopId" from flows where status = 'active'`,
  );
  for (const { shopId } of flowing) await enqueueJob(db, shopId, FLOWS_RUN);
}
