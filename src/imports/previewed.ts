// Files kept between a preview and the import: the console previews a file again on every change of
// format or column, and then imports it; an XLSX (which cannot be cut, so is previewed whole) went up
// once for each of those. A preview now keeps the file it received, for its shop, and answers an id the
// next preview — and, when the file came whole, the import — sends instead of the file.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { sha256File } from './imports.js';

/** How long a previewed file is kept after its last use. */
export const PREVIEWED_MINUTES = 60;

export interface PreviewedFile {
  fileId: string;
  path: string;
  /** The name the file was uploaded with. */
  name: string;
  /** Whether only the head of a larger file was sent, which can be previewed but not imported. */
  head: boolean;
  sha256: string;
}

type Meta = Omit<PreviewedFile, 'fileId' | 'path'>;

/** The shop's previewed files (removed with the shop). */
export const previewedFolder = (uploadDir: string, shopId: string) => join(uploadDir, 'previewed', shopId);
const dataPath = (dir: string, fileId: string) => join(dir, `${fileId}.data`);
const metaPath = (dir: string, fileId: string) => join(dir, `${fileId}.json`);

/** Keeps the upload at `path` (moved, not copied) as a previewed file of the shop. */
export async function keepPreviewed(
  uploadDir: string,
  shopId: string,
  path: string,
  file: { name: string; head: boolean },
): Promise<PreviewedFile> {
  const dir = previewedFolder(uploadDir, shopId);
  await mkdir(dir, { recursive: true });
  await sweepFolder(dir, Date.now());
  const fileId = randomUUID();
  const meta: Meta = { ...file, sha256: await sha256File(path) };
  // The description first: a data file without one is never offered, and the sweep removes it.
  await writeFile(metaPath(dir, fileId), JSON.stringify(meta));
  await rename(path, dataPath(dir, fileId));
  return { fileId, path: dataPath(dir, fileId), ...meta };
}

const gone = (fileId: string) =>
  new AppError(
    'file_gone',
    410,
    `No previewed file ${fileId} is kept for this shop (a file is kept ${PREVIEWED_MINUTES} minutes after its last preview): send the file again`,
  );

/** The shop's previewed file, kept for another while since it is in use. */
export async function previewedFile(
  uploadDir: string,
  shopId: string,
  fileId: string,
): Promise<PreviewedFile> {
  if (!isUuid(fileId))
    throw AppError.invalid('Invalid fileId', [{ field: 'fileId', message: 'an id answered by a preview' }]);
  const dir = previewedFolder(uploadDir, shopId);
  let meta: Meta;
  try {
    meta = JSON.parse(await readFile(metaPath(dir, fileId), 'utf8')) as Meta;
    const now = new Date();
    await utimes(dataPath(dir, fileId), now, now);
    await utimes(metaPath(dir, fileId), now, now);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw gone(fileId);
    throw err;
  }
  return { fileId, path: dataPath(dir, fileId), ...meta };
}

/**
 * Hands the shop's previewed file over to an import: moved to `pathFor` its name, and no longer kept
 * as previewed. Only a file previewed whole can be: the head of one is not the file.
 */
export async function takePreviewed(
  uploadDir: string,
  shopId: string,
  fileId: string,
  pathFor: (name: string) => string,
): Promise<PreviewedFile> {
  const file = await previewedFile(uploadDir, shopId, fileId);
  const path = pathFor(file.name);
  if (file.head)
    throw AppError.invalid('The previewed file was only the head of a larger file: send the whole file', [
      { field: 'fileId', message: 'names the head of a file' },
    ]);
  try {
    await rename(file.path, path);
  } catch (err) {
    // Taken by another import at the same moment.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw gone(fileId);
    throw err;
  }
  await rm(metaPath(previewedFolder(uploadDir, shopId), fileId), { force: true });
  return { ...file, path };
}

/** Removes every shop's previewed files unused for longer than they are kept. */
export async function sweepPreviewed(uploadDir: string, at = Date.now()): Promise<void> {
  const root = join(uploadDir, 'previewed');
  const shops = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const shopId of shops) await sweepFolder(join(root, shopId), at);
}

async function sweepFolder(dir: string, at: number): Promise<void> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  for (const name of names) {
    const path = join(dir, name);
    const used = await stat(path).then(
      (s) => s.mtimeMs,
      () => at,
    );
    if (at - used > PREVIEWED_MINUTES * 60_000) await rm(path, { force: true });
  }
}
