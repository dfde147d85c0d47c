// Dates in export files: ISO 8601 with an offset, Shopify's '2024-01-05 10:22:33 +0800', or a wall-clock
// time ('2024-11-11 00:00:05', '2024/11/11 8:05', '20241111') read in the shop's time zone.
import { wallTimeToUtc } from '../shops/calendar.js';

export type ParsedDate = { ok: true; date: Date } | { ok: false; reason: string };

const WALL =
  /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?$/;

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
