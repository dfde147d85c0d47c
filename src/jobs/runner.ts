// Runs background jobs inside the server process: polls for waiting jobs (and wakes at once when one is
// queued here), runs one at a time, and asks the scheduler every minute what has fallen due.
import { setImmediate } from 'node:timers/promises';
import type { Db } from '../db/db.js';
import { claimJob, finishJob, reportProgress, requeueStalled, type Job } from './jobs.js';

export type Progress = (done: number, total?: number) => Promise<void>;
export type JobHandler = (db: Db, job: Job, progress: Progress) => Promise<Record<string, unknown>>;
export type Handlers = Record<string, JobHandler>;

/** A worker silent for this long is taken for dead; running jobs report at least every chunk. */
const STALLED_AFTER_MS = 120_000;
const SCHEDULE_EVERY_MS = 60_000;

/** Runs one claimed job to its end, recording the result or the failure. */
export async function runJob(db: Db, job: Job, handlers: Handlers, onProgress?: Progress): Promise<Job> {
  const handler = handlers[job.kind];
  try {
    if (!handler) throw new Error(`No handler for jobs of kind ${job.kind}`);
    const result = await handler(db, job, async (done, total) => {
      await reportProgress(db, job, done, total);
      await onProgress?.(done, total);
      // On PGlite, which answers in the same thread, a job made only of statements would hold the
      // server's other requests until it ended: each report of progress gives them a turn.
      await setImmediate();
    });
    await finishJob(db, job, { result });
    return { ...job, status: 'completed', result };
  } catch (err) {
    const failure = err instanceof Error ? err.message : String(err);
    await finishJob(db, job, { failure });
    return { ...job, status: 'failed', failure };
  }
}

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private busy = false;
  private again = false;
  private lastSchedule = 0;

  constructor(
    private readonly db: Db,
    private readonly handlers: Handlers,
    private readonly schedule: (db: Db, at: Date) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    /** Only these shops' jobs (a worker dedicated to some tenants); null: every shop's. */
    readonly shops: Set<string> | null = null,
  ) {}

  start(pollMs = 2_000): void {
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for work now (a job was just queued). */
  wake(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.current = this.work()
      .catch(this.onError)
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async work(): Promise<void> {
    if (Date.now() - this.lastSchedule >= SCHEDULE_EVERY_MS) {
      this.lastSchedule = Date.now();
      await requeueStalled(this.db, STALLED_AFTER_MS);
      await this.schedule(this.db, new Date());
    }
    const which = this.shops && { shops: [...this.shops] };
    for (let job = await claimJob(this.db, which); job; job = await claimJob(this.db, which)) {
      await runJob(this.db, job, this.handlers);
    }
  }

  /** Resolves once no job is waiting (tests, and a clean shutdown). */
  async idle(): Promise<void> {
    do {
      await this.current;
    } while (this.busy);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }
}
