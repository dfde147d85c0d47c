// The shop's promise to its customers: how many hours it means to take to resolve each kind of case
// (migration 0050). A case's due time is read from these with the case (cases.ts reads the table for
// it), so a target changed applies to the cases already waiting; the queue lists the open cases past
// theirs as overdue.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { CASE_KINDS, type CaseKind } from './cases.js';

const Hours = z
  .number()
  .int()
  .min(1)
  .max(8760, 'at most a year (8,760 hours)')
  .nullable()
  .describe('hours from opening to resolution; null: no target');

export const ServiceTargets = z.strictObject(
  Object.fromEntries(CASE_KINDS.map((k) => [k, Hours.optional()])) as Record<
    CaseKind,
    z.ZodOptional<typeof Hours>
  >,
);
export type ServiceTargets = Record<CaseKind, number | null>;

export async function serviceTargets(db: Queryable, shopId: string): Promise<ServiceTargets> {
  const rows = await db.query<{ kind: CaseKind; hours: number }>(
    'select kind, hours from service_targets where shop_id = $1',
    [shopId],
  );
  return Object.fromEntries(
    CASE_KINDS.map((k) => [k, rows.find((r) => r.kind === k)?.hours ?? null]),
  ) as ServiceTargets;
}

/** Sets the kinds given (null takes a kind's target away); the kinds left out keep theirs. */
export async function setServiceTargets(
  db: Db,
  shopId: string,
  targets: z.output<typeof ServiceTargets>,
): Promise<ServiceTargets> {
  const given = Object.entries(targets) as [CaseKind, number | null | undefined][];
  await db.transaction(async (tx) => {
    const set = given.filter((e): e is [CaseKind, number] => typeof e[1] === 'number');
    const cleared = given.filter(([, hours]) => hours === null).map(([kind]) => kind);
    if (set.length > 0) {
      await tx.query(
        `insert into service_targets (shop_id, kind, hours)
         select $1, * from unnest($2::text[], $3::int[])
         on conflict (shop_id, kind) do update set hours = excluded.hours`,
        [shopId, set.map(([k]) => k), set.map(([, h]) => h)],
      );
    }
    if (cleared.length > 0) {
      await tx.query('delete from service_targets where shop_id = $1 and kind = any($2::text[])', [
        shopId,
        cleared,
      ]);
    }
  });
  return serviceTargets(db, shopId);
}
