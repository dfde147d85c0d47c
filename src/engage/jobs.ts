// The engage area's background work: one delivery job per shop drains its outbox; the scheduler starts it
// whenever a campaign falls due or a message waits (a retry's back-off ended, quiet hours are over).
import type { Db } from '../db/db.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { shopsWithDeliveryDue } from './campaigns.js';
import { deliverMessages } from './delivery.js';

export const MESSAGES_DELIVER = 'messages.deliver';

export const engageJobs: Handlers = {
  [MESSAGES_DELIVER]: (db, job, progress) => deliverMessages(db, job.shopId, progress),
};

export async function scheduleEngage(db: Db, at: Date): Promise<void> {
  for (const shopId of await shopsWithDeliveryDue(db, at)) await enqueueJob(db, shopId, MESSAGES_DELIVER);
}
