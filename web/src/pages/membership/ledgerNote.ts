import { money } from '../../format.js';
import type { Lang } from '../../i18n.js';

/**
 * What a points entry was for, in words: the order it came from, the reason given for an adjustment, or
 * what the points were spent on (with their worth in money off, the shop's coupon bought, and the code,
 * gift or order it names).
 * `entry` is the entry's detail with its reason beside it, as both the ledger and the timeline hold it.
 */
export function ledgerNote(
  entry: Record<string, unknown>,
  currency: string,
  lang: Lang,
  label: (key: string, fallback?: string) => string,
): string {
  if (typeof entry.purpose === 'string') {
    const worth = typeof entry.valueCents === 'number' ? ` ${money(entry.valueCents, currency, lang)}` : '';
    const coupon = typeof entry.coupon === 'string' ? ` · ${entry.coupon}` : '';
    const reference = typeof entry.reference === 'string' ? ` · ${entry.reference}` : '';
    return `${label(`purpose.${entry.purpose}`, entry.purpose)}${coupon}${worth}${reference}`;
  }
  return String(entry.reason ?? entry.externalId ?? '');
}
