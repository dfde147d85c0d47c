// The dashboard's rollups rebuilt as a background job: their purchase days and sales days are the shop's
// calendar days, so a new time zone (shops.ts) moves every order that fell near midnight to another day.
import { lockShopIngest } from '../customers/resolve.js';
import type { Handlers } from '../jobs/runner.js';
import { rebuildLineSales } from './lineRollup.js';
import { rebuildPurchaseDays } from './rollup.js';

export const REBUILD_ROLLUP = 'rollup.rebuild';

export const analyticsJobs: Handlers = {
  async [REBUILD_ROLLUP](db, job) {
    // One transaction under the ingest lock: orders arriving meanwhile wait, and the dashboard reads the
    // old days until the new ones are all there.
    await db.transaction(async (tx) => {
      await lockShopIngest(tx, job.shopId);
      await rebuildPurchaseDays(tx, job.shopId);
      await rebuildLineSales(tx, job.shopId);
    });
    const [row] = await db.query<{ days: number }>(
      'select count(*)::int as days from purchase_days where shop_id = $1',
      [job.shopId],
    );
    return { days: row!.days };
  },
};
