// Every kind of background job there is, by area, and everything that runs on the calendar.
import { analyticsJobs } from '../analytics/jobs.js';
import type { Db } from '../db/db.js';
import { engageJobs, scheduleEngage } from '../engage/jobs.js';
import { membershipJobs, scheduleMembership } from '../membership/schedule.js';
import { predictionJobs, schedulePredictions } from '../predict/jobs.js';
import { rfmJobs, scheduleRfm } from '../rfm/jobs.js';
import { shopArchiveJobs } from '../shops/archive.js';
import { retentionJobs, scheduleRetention } from '../shops/retention.js';
import { scheduleTags, tagJobs } from '../tags/jobs.js';
import type { Handlers } from './runner.js';

/** Every job but those that write files; messages link to `publicUrl` for shops that set no address. */
export function jobHandlers(server: { publicUrl: string }): Handlers {
  return {
    ...membershipJobs,
    ...predictionJobs,
    ...rfmJobs,
    ...tagJobs,
    ...engageJobs(server.publicUrl),
    ...retentionJobs,
    ...analyticsJobs,
  };
}

/** What the server's runner runs: the jobs above, and those that write files (into these folders). */
export function serverJobHandlers(server: { exportDir: string; publicUrl: string }): Handlers {
  return { ...jobHandlers(server), ...shopArchiveJobs(server.exportDir) };
}

export async function scheduleAll(db: Db, at: Date): Promise<void> {
  await scheduleMembership(db, at);
  await schedulePredictions(db, at);
  await scheduleRfm(db, at);
  await scheduleTags(db, at);
  await scheduleEngage(db, at);
  await scheduleRetention(db, at);
}
