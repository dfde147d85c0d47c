// The analytics area measures whether the CRM works: sales from new and returning customers, repurchase,
// retention by cohort, reactivation, refunds, price sensitivity, acquisition cost, member figures and the
// big-promotion report. Every figure is for a period of the shop's calendar (its time zone) and for all
// customers or a segment's members; this module turns those two into SQL.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { compileSegment } from '../segments/compile.js';
import { segmentContext } from '../segments/context.js';
import { getSegment } from '../segments/segments.js';
import { localDate, startOfLocalDay } from '../shops/calendar.js';

export const MAX_PERIOD_DAYS = 3660;

const valid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

export const PeriodInput = z
  .object({
    from: z.iso.date().describe('first day, in the shop’s time zone'),
    to: z.iso.date().describe('last day (included)'),
    segmentId: z.uuid().optional().describe('only this segment’s members (as they are now)'),
  })
  // Compared only once both are days: a bad date is one problem, not three.
  .refine((p) => p.from <= p.to, { message: 'must not be after to', path: ['from'], when: valid })
  .refine((p) => (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000 < MAX_PERIOD_DAYS, {
    message: `at most ${MAX_PERIOD_DAYS} days`,
    path: ['to'],
    when: valid,
  });
export type PeriodInput = z.infer<typeof PeriodInput>;

export interface Period {
  /** The first local day, as given. */
  fromDay: string;
  toDay: string;
  /** Local midnight starting the first day, and the one ending the last. */
  start: Date;
  end: Date;
  timeZone: string;
}

const parts = (day: string) => day.split('-').map(Number) as [number, number, number];

export function periodOf(fromDay: string, toDay: string, timeZone: string): Period {
  const [fy, fm, fd] = parts(fromDay);
  const [ty, tm, td] = parts(toDay);
  return {
    fromDay,
    toDay,
    start: startOfLocalDay(fy, fm, fd, timeZone),
    end: startOfLocalDay(ty, tm, td + 1, timeZone),
    timeZone,
  };
}

/** The local day an instant falls on, as YYYY-MM-DD. */
export function dayOf(at: Date, timeZone: string): string {
  const d = localDate(at, timeZone);
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Shifts a local day by whole days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = parts(day);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The months (YYYY-MM) a period touches, in order. */
export function monthList(period: Period): string[] {
  const months: string[] = [];
  for (let month = period.fromDay.slice(0, 7); month <= period.toDay.slice(0, 7);) {
    months.push(month);
    const [y, m] = month.split('-').map(Number) as [number, number];
    month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }
  return months;
}

/** The whole months a period touches, from the first day of its first to the last day of its last. */
export function monthsOf(period: Period): Period {
  const [y, m] = parts(period.toDay);
  const lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return periodOf(`${period.fromDay.slice(0, 7)}-01`, lastDay, period.timeZone);
}

/** Who is measured: a predicate over `customers c` with its parameters, placed after the caller's own. */
export interface Audience {
  /** All customers: figures may read the shop-wide rollups instead of joining customer rows. */
  everyone: boolean;
  where: string;
  params: unknown[];
}

/** The audience numbered for a query whose own parameters end before `firstParam`. */
export type AudienceAt = (firstParam: number) => Audience;

/**
 * All customers, or a segment's members: the segment is read once and compiled for each query that
 * asks. `field` names the request field for errors.
 */
export async function audienceOf(
  db: Queryable,
  shopId: string,
  segmentId: string | undefined,
  field = 'segmentId',
): Promise<AudienceAt> {
  if (!segmentId) return () => ({ everyone: true, where: 'true', params: [] });
  const segment = await getSegment(db, shopId, segmentId).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404)
      throw AppError.invalid('No such segment', [{ field, message: 'no such segment' }]);
    throw err;
  });
  const ctx = await segmentContext(db, shopId);
  return (firstParam) => {
    const rule = compileSegment(segment.rule, ctx, { firstParam });
    return { everyone: false, where: `(${rule.where})`, params: rule.params };
  };
}

/** Parses a request the API did not (the CLI's flags): problems are an AppError naming each field. */
export function parsed<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success)
    throw AppError.invalid(
      'Not a valid period',
      r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  return r.data;
}
