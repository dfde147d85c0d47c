import { z } from 'zod';
import { enqueueJob, getJob, listJobs, type Job as JobRecord } from '../../jobs/jobs.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, Job } from '../schemas.js';

/** Queues a job for the shop (joining one of its kind already waiting) and wakes the runner. */
export async function startJob(o: AppOptions, shopId: string, kind: string): Promise<JobRecord> {
  const job = await enqueueJob(o.db, shopId, kind);
  o.jobs.wake();
  return job;
}

export const jobRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/jobs',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Background jobs, newest first',
          querystring: z.object({
            kind: z.string().max(64).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          }),
          response: { 200: z.object({ items: z.array(Job) }), ...errors },
        },
      },
      async (request) => ({ items: await listJobs(o.db, request.shopId, request.query) }),
    );

    app.get(
      '/api/jobs/:jobId',
      {
        schema: {
          tags: ['jobs'],
          summary: "One job's progress and result",
          params: z.object({ jobId: z.string() }),
          response: { 200: Job, ...errors },
        },
      },
      async (request) => getJob(o.db, request.shopId, request.params.jobId),
    );
  };
