// The shop's export (export.ts) as one zip file for the console and the API: the owner asks, a
// background job writes the tables' files into a scratch folder beside the archive, zips them and removes
// the folder, and the archive waits to be downloaded. It holds every customer's personal data, so it is
// kept ARCHIVE_DAYS days and then swept, the owner may remove it sooner, and a deleted shop's go with it
// (files.ts).
// A job cut off by a crash runs again from the start: the scratch folder and a half-written archive are
// cleared first, and an archive appears under its final name only once it is whole.
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import archiver from 'archiver';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { getJob, listJobs, type Job } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { exportedTables, exportShop, type ShopExport } from './export.js';
import { shopExportFolder } from './files.js';

export const SHOP_EXPORT = 'shop.export';
export const ARCHIVE_DAYS = 7;
const DAY_MS = 86_400_000;

/** What the job leaves in its result. */
export interface ArchiveResult extends Record<string, unknown> {
  bytes: number;
  rows: number;
  tables: number;
}

export interface ShopArchive {
  jobId: string;
  status: Job['status'];
  /** Tables written so far, of `total`. */
  done: number;
  total: number | null;
  failure: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Once completed: the archive's size and what is in it. */
  bytes: number | null;
  rows: number | null;
  /** When the archive is swept; null until it is made. */
  expiresAt: Date | null;
  /** Whether it can be downloaded now: made, not yet expired, and not removed. */
  available: boolean;
}

function archivePath(exportDir: string, shopId: string, jobId: string): string {
  return join(shopExportFolder(exportDir, shopId), `${jobId}.zip`);
}

function expiresAt(job: Job): Date | null {
  return job.status === 'completed' && job.finishedAt
    ? new Date(job.finishedAt.getTime() + ARCHIVE_DAYS * DAY_MS)
    : null;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Writes the shop's export as a zip at `path`, through a scratch folder beside it; `onPage` hears of each
 * page of rows written and of each file zipped.
 */
export async function writeShopArchive(
  db: Db,
  shopId: string,
  path: string,
  options: Pick<NonNullable<Parameters<typeof exportShop>[3]>, 'snapshot' | 'onTable' | 'onPage'> = {},
): Promise<{ manifest: ShopExport; bytes: number }> {
  const scratch = `${path}.d`;
  const part = `${path}.part`;
  await rm(scratch, { recursive: true, force: true });
  try {
    const manifest = await exportShop(db, shopId, scratch, options);
    await zipFolder(scratch, part, options.onPage);
    await rename(part, path);
    return { manifest, bytes: (await stat(path)).size };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(part, { force: true });
  }
}

/** Zips the folder's files; `onEntry` hears of each file as it is added (its promise awaited at the end). */
async function zipFolder(dir: string, to: string, onEntry?: () => void | Promise<void>): Promise<void> {
  const out = createWriteStream(to);
  const zip = archiver('zip', { zlib: { level: 6 } });
  const heard: (void | Promise<void>)[] = [];
  zip.on('entry', () => heard.push(onEntry?.()));
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    zip.on('error', reject);
    // A file that vanished from the scratch folder would otherwise be left out with only a warning.
    zip.on('warning', reject);
  });
  zip.pipe(out);
  zip.directory(dir, false);
  await zip.finalize();
  await closed;
  await Promise.all(heard);
}

/**
 * The export job, writing into `exportDir`; its progress counts tables. On PostgreSQL it reads one
 * snapshot on its own connection while progress goes through another; on PGlite it reads page by page
 * (see export.ts), which also lets its progress be written as it goes.
 */
export function shopArchiveJobs(exportDir: string): Handlers {
  return {
    [SHOP_EXPORT]: async (db, job, progress) => {
      const total = (await exportedTables(db)).length;
      let done = 0;
      await progress(0, total);
      const { manifest, bytes } = await writeShopArchive(
        db,
        job.shopId,
        archivePath(exportDir, job.shopId, job.jobId),
        {
          snapshot: db.kind === 'postgres',
          onTable: () => progress(++done, total),
          // A table of millions of rows takes minutes, and so does zipping its file: the job is heard
          // from at each page and each file zipped, so that no other server takes it for dead and runs
          // it again over this one's files.
          onPage: () => progress(done, total),
        },
      );
      const result: ArchiveResult = {
        bytes,
        rows: Object.values(manifest.tables).reduce((a, b) => a + b, 0),
        tables: Object.keys(manifest.tables).length,
      };
      return result;
    },
  };
}

function archiveOf(job: Job, bytes: number | null, now: Date): ShopArchive {
  const expires = expiresAt(job);
  const result = job.result as Partial<ArchiveResult> | null;
  return {
    jobId: job.jobId,
    status: job.status,
    done: job.done,
    total: job.total,
    failure: job.failure,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    bytes: result?.bytes ?? null,
    rows: result?.rows ?? null,
    expiresAt: expires,
    available: bytes !== null && expires !== null && expires > now,
  };
}

/** The shop's exports, newest first, each saying whether its archive can still be downloaded. */
export async function listShopArchives(
  db: Queryable,
  exportDir: string,
  shopId: string,
  now = new Date(),
): Promise<ShopArchive[]> {
  const jobs = await listJobs(db, shopId, { kind: SHOP_EXPORT, limit: 20 });
  return Promise.all(
    jobs.map(async (job) => archiveOf(job, await sizeOf(archivePath(exportDir, shopId, job.jobId)), now)),
  );
}

async function exportJob(db: Queryable, shopId: string, jobId: string): Promise<Job> {
  const job = await getJob(db, shopId, jobId).catch((err: unknown) => {
    throw err instanceof AppError && err.status === 404 ? AppError.notFound('Export') : err;
  });
  if (job.kind !== SHOP_EXPORT) throw AppError.notFound('Export');
  return job;
}

export async function getShopArchive(
  db: Queryable,
  exportDir: string,
  shopId: string,
  jobId: string,
  now = new Date(),
): Promise<ShopArchive> {
  const job = await exportJob(db, shopId, jobId);
  return archiveOf(job, await sizeOf(archivePath(exportDir, shopId, jobId)), now);
}

/** The archive to send: refused while it is being made (409) and once it is gone (410). */
export async function openShopArchive(
  db: Queryable,
  exportDir: string,
  shopId: string,
  jobId: string,
  now = new Date(),
): Promise<{ path: string; archive: ShopArchive }> {
  const archive = await getShopArchive(db, exportDir, shopId, jobId, now);
  if (archive.status !== 'completed')
    throw new AppError(
      'export_not_ready',
      409,
      archive.status === 'failed'
        ? `This export failed: ${archive.failure}`
        : 'This export is still being made',
    );
  if (!archive.available)
    throw new AppError(
      'export_gone',
      410,
      `This export's archive was removed (archives are kept ${ARCHIVE_DAYS} days): export the shop again`,
    );
  return { path: archivePath(exportDir, shopId, jobId), archive };
}

/** Removes an export's archive before its time; the record of the export stays. */
export async function removeShopArchive(
  db: Queryable,
  exportDir: string,
  shopId: string,
  jobId: string,
): Promise<void> {
  const job = await exportJob(db, shopId, jobId);
  if (job.status === 'queued' || job.status === 'running')
    throw new AppError('export_not_ready', 409, 'This export is still being made');
  await rm(archivePath(exportDir, shopId, jobId), { force: true });
}

/** Every shop's archives older than ARCHIVE_DAYS, removed; answers how many. */
export async function sweepShopArchives(exportDir: string, now = new Date()): Promise<number> {
  let removed = 0;
  const shops = await readdir(exportDir, { withFileTypes: true }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  });
  for (const shop of shops.filter((d) => d.isDirectory())) {
    const folder = join(exportDir, shop.name);
    for (const name of await readdir(folder)) {
      if (!name.endsWith('.zip')) continue;
      const { mtimeMs } = await stat(join(folder, name));
      if (now.getTime() - mtimeMs > ARCHIVE_DAYS * DAY_MS) {
        await rm(join(folder, name), { force: true });
        removed += 1;
      }
    }
  }
  return removed;
}
