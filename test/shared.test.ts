// The copies of the shared reference data in test/fixtures must be the shared files, unchanged.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEPT_DATA, SHARED_DATA } from './support/shared.js';

describe.runIf(existsSync(SHARED_DATA))('kept reference data', () => {
  it('is byte for byte what ../shared/data holds', () => {
    const kept = readdirSync(join(KEPT_DATA, 'cdnow')).filter((f) => f !== 'README.md');
    expect(kept.sort()).toEqual([
      'CDNOW_sample.txt',
      'cdnow_customers_summary.csv',
      'cdnow_customers_summary_with_transactions.csv',
    ]);
    for (const file of kept) {
      expect(
        readFileSync(join(KEPT_DATA, 'cdnow', file)).equals(readFileSync(join(SHARED_DATA, 'cdnow', file))),
        file,
      ).toBe(true);
    }
  });
});
