// How long the shop keeps what it needs only for a while, and the nightly prune that lets it go: the
// activity record (an audit looks back months, not forever, and every entry names a person and where they
// were) and the cells its imports refused (a mistyped phone or email is still a customer's; the report keeps
// each row's number, column and reason). The owner sets the periods: whoever could shorten the record could
// shorten it past their own doings, so an admin may read them but not change them. The same nightly run
// deletes the staff's expired sessions and forgets browsers no longer trusted, which nothing else would
// (a session ends on sign-out, and most never sign out).
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { forgetRefusedCells } from '../imports/imports.js';
import { enqueueJob } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { pruneActivity } from './activity.js';
import { nextMidnight } from './calendar.js';
import { pruneStaleDevices } from './devices.js';
import { pruneExpiredSessions } from './staff.js';

const DAY_MS = 86_400_000;

export const RetentionSettings = z.strictObject({
  activityDays: z
    .number()
    .int()
    .min(180, "China's Cybersecurity Law asks for six months of activity at least: 180 days or more")
    .max(3650)
    .describe('days the activity record keeps each entry (180 to 3650)'),
  importCellsDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .describe("days after an import ends that its error report keeps the refused cells' values (1 to 3650)"),
});
export type RetentionSettings = z.infer<typeof RetentionSettings>;

export const DEFAULT_RETENTION: RetentionSettings = { activityDays: 365, importCellsDays: 90 };

export const PRUNE = 'retention.prune';

export async function getRetention(db: Queryable, shopId: string): Promise<RetentionSettings> {
  const [row] = await db.query<RetentionSettings>(
    `select activity_days as "activityDays", import_cells_days as "importCellsDays"
       from retention_settings where shop_id = $1`,
    [shopId],
  );
  return row ?? DEFAULT_RETENTION;
}

/** Sets the periods and prunes by them at once, so that a shorter one holds from now, not from midnight. */
export async function setRetention(
  db: Db,
  shopId: string,
  input: RetentionSettings,
): Promise<RetentionSettings> {
  const s = RetentionSettings.parse(input);
  return db.transaction(async (tx) => {
    await tx.query(
      `insert into retention_settings (shop_id, activity_days, import_cells_days) values ($1, $2, $3)
       on conflict (shop_id) do update
         set activity_days = excluded.activity_days, import_cells_days = excluded.import_cells_days`,
      [shopId, s.activityDays, s.importCellsDays],
    );
    await enqueueJob(tx, shopId, PRUNE);
    return s;
  });
}

export interface Pruned {
  activityDeleted: number;
  /** Refused import cells whose value was cleared. */
  cellsCleared: number;
  sessionsDeleted: number;
  devicesForgotten: number;
}

/** Lets go of what the shop's periods no longer keep at `at`. Run again, it finds nothing more. */
export async function prune(db: Db, shopId: string, at: Date): Promise<Pruned> {
  const s = await getRetention(db, shopId);
  return {
    activityDeleted: await pruneActivity(db, shopId, new Date(at.getTime() - s.activityDays * DAY_MS)),
    cellsCleared: await forgetRefusedCells(db, shopId, new Date(at.getTime() - s.importCellsDays * DAY_MS)),
    sessionsDeleted: await pruneExpiredSessions(db, shopId, at),
    devicesForgotten: await pruneStaleDevices(db, shopId, at),
  };
}

export const retentionJobs: Handlers = {
  async [PRUNE](db, job) {
    return { ...(await prune(db, job.shopId, new Date())) };
  },
};

/** Queues each shop's prune at its midnight. */
export async function scheduleRetention(db: Db, at: Date): Promise<void> {
  const shops = await db.query<{ shopId: string; timeZone: string; nextPruneAt: Date | null }>(
    `select s.shop_id as "shopId", s.time_zone as "timeZone", r.next_prune_at as "nextPruneAt"
       from shops s left join retention_settings r using (shop_id)
      where r.next_prune_at is null or r.next_prune_at <= $1`,
    [at.toISOString()],
  );
  for (const s of shops) {
    await db.transaction(async (tx) => {
      if (s.nextPruneAt) await enqueueJob(tx, s.shopId, PRUNE);
      await tx.query(
        `insert into retention_settings (shop_id, activity_days, import_cells_days, next_prune_at)
         values ($1, $2, $3, $4)
         on conflict (shop_id) do update set next_prune_at = excluded.next_prune_at`,
        [
          s.shopId,
          DEFAULT_RETENTION.activityDays,
          DEFAULT_RETENTION.importCellsDays,
          nextMidnight(at, s.timeZone).toISOString(),
        ],
      );
    });
  }
}
