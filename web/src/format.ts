// Money, time and phones as the shop reads them: its currency, its time zone, its phone region, the
// operator's language.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { Key, Lang } from './i18n.js';

export const exponentOf = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

export function money(minor: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(
    minor / 10 ** exponentOf(currency),
  );
}

export function dateTime(iso: string | null, timeZone: string, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

export function date(iso: string | null, timeZone: string, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang, { timeZone, dateStyle: 'medium' }).format(new Date(iso));
}

/** A file's size in kB, MB or GB (powers of 1,000, as file managers show them), to one decimal. */
export function fileSize(bytes: number, lang: Lang): string {
  const [unit, per] =
    bytes >= 1e9
      ? (['gigabyte', 1e9] as const)
      : bytes >= 1e6
        ? (['megabyte', 1e6] as const)
        : (['kilobyte', 1e3] as const);
  return new Intl.NumberFormat(lang, { style: 'unit', unit, maximumFractionDigits: 1 }).format(bytes / per);
}

/** A count, or a figure to at most `digits` decimals; '–' when it is not known. */
export function figure(n: number | null, lang: Lang, digits = 0): string {
  return n === null ? '–' : n.toLocaleString(lang, { maximumFractionDigits: digits });
}

/** A rate to exactly `digits` decimals, so one near a whole number keeps them ("1.00 orders per customer"). */
export function fixedFigure(n: number | null, lang: Lang, digits: number): string {
  return n === null
    ? '–'
    : n.toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A fraction as a percentage (one decimal at most), or '–' when it is not known. A share too small for
 * one decimal keeps one significant digit: 3 of 12,553 is 0.02%, not 0%.
 */
export function percent(x: number | null, lang: Lang): string {
  if (x === null) return '–';
  const p = x * 100;
  const tiny = p !== 0 && Math.abs(p) < 0.05;
  return p.toLocaleString(lang, tiny ? { maximumSignificantDigits: 1 } : { maximumFractionDigits: 1 }) + '%';
}

/**
 * A stored phone (E.164) as the shop's staff write it: a number of the shop's own region in its national
 * form (+8613812345678 → 138 1234 5678), any other in international form (+1 212-555-0100); one that will
 * not parse is shown as stored. Search takes any of these forms back.
 */
export function formatPhone(e164: string, region: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === (region as CountryCode) ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * How a customer is named on screen: their name, else `instead` (a contact, where no column shows one),
 * else a word for a missing name, or for one erased on the person's request.
 */
export const customerName = (
  c: { name: string | null; erasedAt: string | null },
  t: (key: Key) => string,
  instead?: string | null,
) => (c.erasedAt ? t('customers.erased') : (c.name ?? instead ?? t('customers.unnamed')));

/** Today in the shop's time zone, YYYY-MM-DD. */
export function localToday(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
}

/** The label of a points entry's kind: an 'expire' entry the other way is an expiry a refund undid. */
export const pointsKindKey = (kind: string, points: number) =>
  kind === 'expire' && points > 0 ? 'event.points.unexpire' : `event.points.${kind}`;

/** The wall-clock time now in the shop's time zone, as a datetime-local input holds it (YYYY-MM-DDTHH:mm). */
export function localNow(timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/**
 * A wall-clock time in the shop's time zone (YYYY-MM-DDTHH:mm) as an ISO instant with its offset: the
 * zone's offset at that moment is read back from Intl, so a staff member's browser elsewhere makes no
 * difference. Null when the input is not such a time.
 */
export function zonedIso(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (instant: number) => {
    const p = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(instant))
      .find((x) => x.type === 'timeZoneName')!.value;
    const o = /GMT([+-])(\d{2}):(\d{2})/.exec(p);
    return o ? (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) : 0;
  };
  // Twice: the offset at the guessed instant, then at the instant that offset gives (across a DST change).
  const offset = offsetAt(asUtc - offsetAt(asUtc) * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}:00${sign}${hh}:${mm}`;
}

/** Minor units as an amount to type back: 8850 CNY → '88.50', 500 JPY → '500'. */
export const amountText = (minor: number, currency: string) =>
  (minor / 10 ** exponentOf(currency)).toFixed(exponentOf(currency));

/** An amount typed in the currency's units ('88', '88.5') as minor units, exactly; null if it is not one. */
export function toMinor(text: string, currency: string): number | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  const exp = exponentOf(currency);
  const frac = (m?.[2] ?? '').replace(/0+$/, '');
  if (!m || frac.length > exp) return null;
  const minor = Number(m[1]) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}
