// The desk's working hours (migration 0052): the days of the week it is open and from when to when, in
// the shop's time zone, and the holidays it is closed. A case's target (targets.ts) counts open hours
// only — service_due_at in SQL — so its hours do not run out over a night or a weekend, and so does the
// time a case took to resolve (service_open_hours, migration 0054). A shop that sets no hours works
// around the clock.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../errors.js';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, 00:00 to 23:59');

export const ServiceHours = z.strictObject({
  days: z
    .array(
      z
        .strictObject({
          weekday: z.number().int().min(1).max(7).describe('1 Monday … 7 Sunday'),
          opens: clock,
          closes: clock,
        })
        .refine((d) => d.closes > d.opens, { message: 'closes after it opens', path: ['closes'] }),
    )
    .max(7)
    .describe('the days the desk is open and its hours, in the shop time zone; [] for around the clock'),
  holidays: z
    .array(z.iso.date())
    .max(366)
    .default([])
    .describe('days the desk is closed whatever their weekday (YYYY-MM-DD)'),
});
export type ServiceHours = z.output<typeof ServiceHours>;

export async function serviceHours(db: Queryable, shopId: string): Promise<ServiceHours> {
  const days = await db.query<{ weekday: number; opens: string; closes: string }>(
    `select weekday, to_char(opens, 'HH24:MI') as opens, to_char(closes, 'HH24:MI') as closes
       from service_hours where shop_id = $1 order by weekday`,
    [shopId],
  );
  const holidays = await db.query<{ day: string }>(
    `select to_char(day, 'YYYY-MM-DD') as day from service_holidays where shop_id = $1 order by day`,
    [shopId],
  );
  return { days, holidays: holidays.map((h) => h.day) };
}

/** Replaces the week and the holidays: what is sent is the whole of it. */
export async function setServiceHours(db: Db, shopId: string, hours: ServiceHours): Promise<ServiceHours> {
  const weekdays = hours.days.map((d) => d.weekday);
  const twice = weekdays.findIndex((w, i) => weekdays.indexOf(w) !== i);
  if (twice >= 0)
    throw AppError.invalid('The hours were not saved', [
      { field: `days.${twice}.weekday`, message: 'this day is given twice' },
    ]);
  await db.transaction(async (tx) => {
    await tx.query('delete from service_hours where shop_id = $1', [shopId]);
    await tx.query('delete from service_holidays where shop_id = $1', [shopId]);
    if (hours.days.length > 0) {
      await tx.query(
        `insert into service_hours (shop_id, weekday, opens, closes)
         select $1, * from unnest($2::int[], $3::time[], $4::time[])`,
        [shopId, weekdays, hours.days.map((d) => d.opens), hours.days.map((d) => d.closes)],
      );
    }
    if (hours.holidays.length > 0) {
      await tx.query(
        'insert into service_holidays (shop_id, day) select distinct $1::uuid, unnest($2::date[])',
        [shopId, hours.holidays],
      );
    }
  });
  return serviceHours(db, shopId);
}

/**
 * A case's due time as SQL: `hours` of the desk's open time after `opened`. Shops without working
 * hours (most) add the hours in place, without a call per case.
 */
export const dueSql = (shop: string, opened: string, hours: string) =>
  `(case when exists (select 1 from service_hours h where h.shop_id = ${shop})
         then service_due_at(${shop}, ${opened}, ${hours})
         else ${opened} + make_interval(hours => ${hours}) end)`;

/**
 * The desk's open hours between `from` and `to` as SQL (what a case took, as its target counts). Shops
 * without working hours take the hours between, without a call per case.
 */
export const openHoursSql = (shop: string, from: string, to: string) =>
  `(case when exists (select 1 from service_hours h where h.shop_id = ${shop})
         then service_open_hours(${shop}, ${from}, ${to})
         else extract(epoch from ${to} - ${from}) / 3600 end)`;
