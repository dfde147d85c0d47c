// The service desk's figures for the dashboard: what customers brought in a period, how fast it was
// resolved, and what their reviews said — for everyone or a segment's members.
import type { Queryable } from '../db/db.js';
import { dueSql, openHoursSql } from './hours.js';
import { CASE_KINDS, type CaseKind } from './cases.js';

export interface ServiceFigures {
  /** Cases opened in the period, by kind. */
  opened: Record<CaseKind, number>;
  /** Customers who brought at least one case in the period. */
  customers: number;
  /** Of the cases opened in the period, those still open now. */
  stillOpen: number;
  /**
   * Cases resolved in the period, and the median time from opening to resolution, in the desk's open
   * hours when it has working hours (as its targets count), else in hours.
   */
  resolved: number;
  /**
   * Of those, the ones whose kind has a target (service/targets.ts, as set now) and the ones resolved
   * within it.
   */
  resolvedWithTarget: number;
  resolvedOnTarget: number;
  medianHoursToResolve: number | null;
  /** Reviews opened in the period, with their average stars. */
  averageRating: number | null;
}

/**
 * The figures between `start` and `end`. `audience` is a predicate over `customers c` whose parameters
 * follow $3; everyone's cases need no customer row.
 */
export async function serviceFigures(
  db: Queryable,
  shopId: string,
  start: Date,
  end: Date,
  audience: { everyone?: boolean; where: string; params: unknown[] },
): Promise<ServiceFigures> {
  const join = audience.everyone
    ? ''
    : 'join customers c on c.shop_id = k.shop_id and c.customer_id = k.customer_id';
  const params = [shopId, start.toISOString(), end.toISOString(), ...audience.params];
  const [byKind, [resolved]] = await Promise.all([
    db.query<{
      kind: CaseKind;
      cases: number;
      stillOpen: number;
      customers: number;
      averageRating: number | null;
    }>(
      `select k.kind, count(*)::int as cases, count(*) filter (where k.status = 'open')::int as "stillOpen",
              count(distinct k.customer_id)::int as customers, avg(k.rating)::float8 as "averageRating"
         from service_cases k ${join}
        where k.shop_id = $1 and k.opened_at >= $2 and k.opened_at < $3 and ${audience.where}
        group by rollup (k.kind)`,
      params,
    ),
    db.query<{ resolved: number; withTarget: number; onTarget: number; medianHours: number | null }>(
      `select count(*)::int as resolved, count(t.hours)::int as "withTarget",
              count(*) filter (where k.resolved_at <= ${dueSql('k.shop_id', 'k.opened_at', 't.hours')})::int
                as "onTarget",
              percentile_cont(0.5) within group (order by ${openHoursSql('k.shop_id', 'k.opened_at', 'k.resolved_at')})
                as "medianHours"
         from service_cases k ${join}
         left join service_targets t on t.shop_id = k.shop_id and t.kind = k.kind
        where k.shop_id = $1 and k.resolved_at >= $2 and k.resolved_at < $3 and ${audience.where}`,
      params,
    ),
  ]);
  // The rollup's row without a kind is the whole period's: its customers are counted once each.
  const total = byKind.find((r) => r.kind === null);
  const opened = Object.fromEntries(
    CASE_KINDS.map((kind) => [kind, byKind.find((r) => r.kind === kind)?.cases ?? 0]),
  ) as Record<CaseKind, number>;
  return {
    opened,
    customers: total?.customers ?? 0,
    stillOpen: total?.stillOpen ?? 0,
    resolved: resolved!.resolved,
    resolvedWithTarget: resolved!.withTarget,
    resolvedOnTarget: resolved!.onTarget,
    medianHoursToResolve: resolved!.medianHours === null ? null : Number(resolved!.medianHours),
    averageRating: byKind.find((r) => r.kind === 'review')?.averageRating ?? null,
  };
}
