// Dates in export files: ISO 8601 with an offset, Shopify's '2024-01-05 10:22:33 +0800', or a wall-clock
// time ('2024-11-11 00:00:05', '2024/11/11 8:05', '20241111') read in the shop's time zone.
export type ParsedDate = { ok: true; date: Date } | { ok: false; reason: string };

const WALL =
  /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?$/;

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

export function parseDateTime(raw: string, timeZone: string): ParsedDate {
  const m = WALL.exec(raw.trim());
  if (!m) return { ok: false, reason: 'unparseable date' };
  const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(wall);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    back.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return { ok: false, reason: 'unparseable date' };
  }
  if (Number(y) < 1970 || Number(y) > 2100) return { ok: false, reason: 'date out of range' };
  if (!zone) return { ok: true, date: wallTimeToUtc(wall, timeZone) };
  if (zone === 'Z') return { ok: true, date: back };
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return { ok: true, date: new Date(wall - offsetMin * 60_000) };
}
