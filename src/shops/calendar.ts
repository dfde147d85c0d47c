// Calendar time in a shop's time zone: where a local day, month or year starts, as a UTC instant.
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** Minutes the zone is ahead of UTC at the given UTC instant; cached per zone and hour. */
function zoneOffset(timeZone: string, utcMs: number): number {
  const hourKey = `${timeZone}\t${Math.floor(utcMs / 3_600_000)}`;
  const cached = offsets.get(hourKey);
  if (cached !== undefined) return cached;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
  );
  const offset = Math.round((asUtc - Math.floor(utcMs / 60_000) * 60_000) / 60_000);
  if (offsets.size > 100_000) offsets.clear();
  offsets.set(hourKey, offset);
  return offset;
}

export function wallTimeToUtc(wallMs: number, timeZone: string): Date {
  // Two passes find the right offset on either side of a daylight-saving change.
  let utc = wallMs - zoneOffset(timeZone, wallMs) * 60_000;
  utc = wallMs - zoneOffset(timeZone, utc) * 60_000;
  return new Date(utc);
}

/** The shop-local calendar date of an instant. */
export function localDate(at: Date, timeZone: string): { year: number; month: number; day: number } {
  const local = new Date(at.getTime() + zoneOffset(timeZone, at.getTime()) * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** Local midnight starting the given date (month and day roll over as Date.UTC does). */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  return wallTimeToUtc(Date.UTC(year, month - 1, day), timeZone);
}

/** The next local midnight after `at`. */
export function nextMidnight(at: Date, timeZone: string): Date {
  const { year, month, day } = localDate(at, timeZone);
  return startOfLocalDay(year, month, day + 1, timeZone);
}
