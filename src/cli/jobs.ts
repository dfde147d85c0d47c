// Background jobs run in the foreground of a command, with a progress bar, and recorded as jobs like
// those the console starts (so a job another process is running is not run twice).
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { Config } from '../config.js';
import type { Db } from '../db/db.js';
import { AppError } from '../errors.js';
import { claimJob, enqueueJob } from '../jobs/jobs.js';
import { jobHandlers } from '../jobs/handlers.js';
import { runJob } from '../jobs/runner.js';
import { pickShop, withDb } from './context.js';

export async function runInForeground(
  db: Db,
  config: Pick<Config, 'publicUrl'>,
  shopId: string,
  kind: string,
  label: string,
  unit = 'customers',
): Promise<void> {
  const queued = await enqueueJob(db, shopId, kind);
  const job = await claimJob(db, { shopId, jobId: queued.jobId });
  if (!job) throw new AppError('busy', 409, `A ${kind} job is already running for this shop`);
  const bar = new SingleBar(
    { format: `${label} |{bar}| {value}/{total} ${unit}`, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  const done = await runJob(db, job, jobHandlers(config), async (n, total) => {
    if (!started && total !== undefined) {
      bar.start(total, n);
      started = true;
    } else if (started) bar.update(n);
  });
  if (started) bar.stop();
  if (done.status === 'failed') throw new AppError('job_failed', 500, `${kind} failed: ${done.failure}`);
  console.log(
    Object.entries(done.result ?? {})
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', '),
  );
}

/** A command that runs one kind of job for a shop (the only one, or --shop). */
export function jobCommand(
  parent: Command,
  name: string,
  description: string,
  kind: string,
  label: string,
  unit = 'customers',
): void {
  parent
    .command(name)
    .description(description)
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(async (db, config) =>
        runInForeground(db, config, await pickShop(db, o.shop), kind, label, unit),
      ),
    );
}
