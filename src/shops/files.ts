// Where a shop's files live outside the database, and their removal when the shop is deleted: the
// uploads of its imports that had not ended (which would otherwise wait for a resume that cannot come),
// the files it previewed, and its export archives (every customer's personal data).
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { previewedFolder } from '../imports/previewed.js';
import type { DeletedShop } from './deletion.js';

/** The folder of the shop's export archives. */
export function shopExportFolder(exportDir: string, shopId: string): string {
  return join(exportDir, shopId);
}

export async function removeShopFiles(
  deleted: DeletedShop,
  dirs: { uploadDir: string; exportDir: string },
): Promise<void> {
  // Only files inside the upload folder: the paths come from the database.
  const uploads = resolve(dirs.uploadDir) + sep;
  for (const path of deleted.uploads) if (resolve(path).startsWith(uploads)) await rm(path, { force: true });
  await rm(previewedFolder(dirs.uploadDir, deleted.shopId), { recursive: true, force: true });
  await rm(shopExportFolder(dirs.exportDir, deleted.shopId), { recursive: true, force: true });
}
