// Who a new case goes to (migration 0051): each kind of case may name the staff who take it in turn, and
// a new case that comes in open — on a profile, through the API, from a help desk's file — goes to the
// one of them with the fewest open cases (ties to the earliest added to the shop), so the desk's work
// spreads by load rather than by a counter that a day off would skew. A kind naming nobody leaves its
// new cases to nobody, for staff to take from the queue. Viewers only look: they are never given one.
// Members whose tier grants the priority service channel (a tier benefit) have a line of their own,
// `priority` (migration 0053): its staff take those members' new cases of every kind, and when it names
// nobody the kind's staff do.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { CASE_KINDS } from './cases.js';

const StaffIds = z
  .array(z.uuid())
  .max(100)
  .describe(
    "the staff who take this line's new cases (a kind's, or priority members'), by id; [] for nobody",
  );

/** The rota's lines: a kind of case each, and the priority members' line. */
export const ROTA_LINES = [...CASE_KINDS, 'priority'] as const;
export type RotaLine = (typeof ROTA_LINES)[number];

export const ServiceRota = z.strictObject(
  Object.fromEntries(ROTA_LINES.map((k) => [k, StaffIds.optional()])) as Record<
    RotaLine,
    z.ZodOptional<typeof StaffIds>
  >,
);
export type ServiceRota = Record<RotaLine, string[]>;

/** Each line's staff (viewers, who are passed over, left out), in the order they joined the shop. */
export async function serviceRota(db: Queryable, shopId: string): Promise<ServiceRota> {
  const rows = await db.query<{ kind: RotaLine; staffId: string }>(
    `select r.kind, r.staff_id as "staffId"
       from service_rota r join staff s on s.shop_id = r.shop_id and s.staff_id = r.staff_id
      where r.shop_id = $1 and s.role <> 'viewer'
      order by s.created_at, s.staff_id`,
    [shopId],
  );
  return Object.fromEntries(
    ROTA_LINES.map((k) => [k, rows.filter((r) => r.kind === k).map((r) => r.staffId)]),
  ) as ServiceRota;
}

/** Sets the staff of the lines given; the lines left out keep theirs. */
export async function setServiceRota(
  db: Db,
  shopId: string,
  rota: z.output<typeof ServiceRota>,
): Promise<ServiceRota> {
  const given = Object.entries(rota).filter((e): e is [RotaLine, string[]] => e[1] !== undefined);
  const named = [...new Set(given.flatMap(([, ids]) => ids))];
  const staff = await db.query<{ staffId: string; role: string }>(
    'select staff_id as "staffId", role from staff where shop_id = $1 and staff_id = any($2::uuid[])',
    [shopId, named],
  );
  const problems: ErrorDetail[] = given.flatMap(([kind, ids]) =>
    ids.flatMap((id, i) => {
      const s = staff.find((x) => x.staffId === id);
      const field = `${kind}.${i}`;
      if (!s) return [{ field, message: 'not a staff member of this shop' }];
      if (s.role === 'viewer') return [{ field, message: 'a viewer only looks: name someone who acts' }];
      return ids.indexOf(id) === i ? [] : [{ field, message: 'named twice' }];
    }),
  );
  if (problems.length > 0) throw AppError.invalid('The rota was not saved', problems);
  await db.transaction(async (tx) => {
    const kinds = given.map(([k]) => k);
    await tx.query('delete from service_rota where shop_id = $1 and kind = any($2::text[])', [shopId, kinds]);
    const rows = given.flatMap(([kind, ids]) => ids.map((id) => [kind, id] as const));
    if (rows.length > 0) {
      await tx.query(
        `insert into service_rota (shop_id, kind, staff_id)
         select $1, * from unnest($2::text[], $3::uuid[])`,
        [shopId, rows.map(([k]) => k), rows.map(([, id]) => id)],
      );
    }
  });
  return serviceRota(db, shopId);
}

/** SQL for the staff member of rota line `line` with the fewest open cases, or null. */
const pickSql = (shop: string, line: string) => `(
  select r.staff_id from service_rota r
    join staff s on s.shop_id = r.shop_id and s.staff_id = r.staff_id and s.role <> 'viewer'
   where r.shop_id = ${shop} and r.kind = ${line}
   order by (select count(*) from service_cases k
              where k.shop_id = r.shop_id and k.assigned_to = r.staff_id and k.status = 'open'),
            s.created_at, s.staff_id
   limit 1)`;

/**
 * SQL for the staff member a new open case of kind `kind` goes to, in shop `shop` (parameter references
 * given by the caller): for a priority member (`priority`, an SQL truth) the priority line's, else — or
 * when that line names nobody — the kind's; null when neither names anyone.
 */
export const rotaPickSql = (shop: string, kind: string, priority: string) =>
  `coalesce(case when ${priority} then ${pickSql(shop, "'priority'")} end, ${pickSql(shop, kind)})`;
