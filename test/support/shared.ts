// The project's reference data lives in ../shared/data beside the repository (each folder with a README),
// and the tests read it there. The few files they read are also kept in test/fixtures, byte for byte
// (test/shared.test.ts checks it), so a checkout anywhere else, such as a CI clone in /tmp, runs them too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));
export const KEPT_DATA = fileURLToPath(new URL('../fixtures', import.meta.url));

export function sharedData(folder: string, file: string): string {
  const beside = join(SHARED_DATA, folder, file);
  return existsSync(beside) ? beside : join(KEPT_DATA, folder, file);
}
