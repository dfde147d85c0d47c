// Background jobs: work for a whole shop (re-grading tiers, a periodic review, expiring points) that
// runs outside any request, reports progress, and survives a restart. One job of a kind may wait per
// shop; asking again while it waits joins it. Handlers are idempotent, so a job cut off by a crash is
// simply run again.
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface Job {
  shopId: string;
  jobId: string;
  kind: string;
  params: Record<string, unknown>;
  status: JobStatus;
  done: number;
  total: number | null;
  result: Record<string, unknown> | null;
  failure: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const columns = `shop_id as "shopId", job_id as "jobId", kind, params, status, done, total, result, failure,
  created_at as "createdAt", started_at as "startedAt", finished_at as "finishedAt"`;

export async function enqueueJob(
  db: Queryable,
  shopId: string,
  kind: string,
  params: Record<string, unknown> = {},
): Promise<Job> {
  const [created] = await db.query<Job>(
    `insert into jobs (shop_id, job_id, kind, params, status) values ($1, $2, $3, $4, 'queued')
     on conflict (shop_id, kind) where status = 'queued' do nothing returning ${columns}`,
    [shopId, uuidv7(), kind, JSON.stringify(params)],
  );
  if (created) return created;
  const [waiting] = await db.query<Job>(
    `select ${columns} from jobs where shop_id = $1 and kind = $2 and status = 'queued'`,
    [shopId, kind],
  );
  // The waiting job started between the two statements: queue another behind it.
  return waiting ?? enqueueJob(db, shopId, kind, params);
}

export async function getJob(db: Queryable, shopId: string, jobId: string): Promise<Job> {
  if (!isUuid(jobId)) throw AppError.notFound('Job');
  const [job] = await db.query<Job>(`select ${columns} from jobs where shop_id = $1 and job_id = $2`, [
    shopId,
    jobId,
  ]);
  if (!job) throw AppError.notFound('Job');
  return job;
}

export async function listJobs(
  db: Queryable,
  shopId: string,
  options: { kind?: string; limit: number },
): Promise<Job[]> {
  return db.query<Job>(
    `select ${columns} from jobs where shop_id = $1 and ($2::text is null or kind = $2)
      order by job_id desc limit $3`,
    [shopId, options.kind ?? null, options.limit],
  );
}

/**
 * Takes the oldest waiting job — the given one, or one of the given shops', or any — whose shop is not
 * already running one of its kind, so two workers never grade one shop at once.
 */
export async function claimJob(
  db: Db,
  which: { shopId: string; jobId: string } | { shops: readonly string[] } | null = null,
): Promise<Job | null> {
  const one = which && 'jobId' in which ? which : null;
  const shops = which && 'shops' in which ? which.shops : null;
  const [job] = await db.query<Job>(
    `update jobs set status = 'running', started_at = now(), heartbeat_at = now()
      where (shop_id, job_id) = (
        select j.shop_id, j.job_id from jobs j
         where j.status = 'queued' and ($1::uuid is null or (j.shop_id = $1 and j.job_id = $2))
           and ($3::uuid[] is null or j.shop_id = any($3::uuid[]))
           and not exists (select 1 from jobs r where r.shop_id = j.shop_id and r.kind = j.kind and r.status = 'running')
         order by j.created_at limit 1 for update skip locked)
     returning ${columns}`,
    [one?.shopId ?? null, one?.jobId ?? null, shops],
  );
  return job ?? null;
}

export async function reportProgress(db: Queryable, job: Job, done: number, total?: number): Promise<void> {
  await db.query(
    `update jobs set done = $3, total = coalesce($4, total), heartbeat_at = now() where shop_id = $1 and job_id = $2`,
    [job.shopId, job.jobId, done, total ?? null],
  );
}

export async function finishJob(
  db: Queryable,
  job: Job,
  outcome: { result: Record<string, unknown> } | { failure: string },
): Promise<void> {
  await db.query(
    `update jobs set status = $3, result = $4, failure = $5, finished_at = now(), heartbeat_at = now()
      where shop_id = $1 and job_id = $2`,
    [
      job.shopId,
      job.jobId,
      'result' in outcome ? 'completed' : 'failed',
      'result' in outcome ? JSON.stringify(outcome.result) : null,
      'failure' in outcome ? outcome.failure : null,
    ],
  );
}

/**
 * Jobs whose worker went silent (the process died) wait again; where another of the kind already waits,
 * that one will do the work and the silent one is closed as interrupted.
 */
export async function requeueStalled(db: Db, silentForMs: number): Promise<number> {
  return db.transaction(async (tx) => {
    const stalled = await tx.query<{ shopId: string; jobId: string; kind: string }>(
      `select shop_id as "shopId", job_id as "jobId", kind from jobs
        where status = 'running' and heartbeat_at < now() - make_interval(secs => $1) for update`,
      [silentForMs / 1000],
    );
    for (const s of stalled) {
      await tx.query(
        `update jobs set status = case when exists (select 1 from jobs w where w.shop_id = $1 and w.kind = $3 and w.status = 'queued')
                                       then 'failed' else 'queued' end,
                failure = case when exists (select 1 from jobs w where w.shop_id = $1 and w.kind = $3 and w.status = 'queued')
                               then 'interrupted' end
          where shop_id = $1 and job_id = $2`,
        [s.shopId, s.jobId, s.kind],
      );
    }
    return stalled.length;
  });
}
