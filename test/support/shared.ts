// The project's shared reference data (../shared/data beside the repository, each folder with a README).
// REGULARS_SHARED_DATA points elsewhere when the checkout lives apart from it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const beside = fileURLToPath(new URL('../../../shared/data', import.meta.url));

export function sharedData(...path: string[]): string {
  const root = process.env.REGULARS_SHARED_DATA ?? beside;
  if (!existsSync(root)) {
    throw new Error(
      `The shared reference data is not at ${root}: clone beside ../shared, or set REGULARS_SHARED_DATA`,
    );
  }
  return join(root, ...path);
}
