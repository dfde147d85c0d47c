// Money is integer minor units (fen, cents) with the currency's own number of decimals (JPY has none).
const exponents = new Map<string, number>();

export function currencyExponent(currency: string): number {
  let e = exponents.get(currency);
  if (e === undefined) {
    e =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    exponents.set(currency, e);
  }
  return e;
}

/** Minor units as the plain amount a message shows: 19900 CNY → '199.00', 500 JPY → '500'. */
export function formatAmount(minor: number, currency: string): string {
  const e = currencyExponent(currency);
  return (minor / 10 ** e).toFixed(e);
}

export type ParsedMoney = { ok: true; minor: number } | { ok: false; reason: string };

const AMOUNT = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses '1,299.50', '¥199', '$12', '-3.00' exactly (no floating point) into minor units. */
export function parseAmount(raw: string, currency: string): ParsedMoney {
  const text = raw.replace(/[\s,¥￥$€£元]|CNY|RMB|USD/gi, '');
  const m = AMOUNT.exec(text);
  if (!m) return { ok: false, reason: 'not an amount' };
  if (m[1]) return { ok: false, reason: 'negative amount' };
  const exp = currencyExponent(currency);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > exp) return { ok: false, reason: `more than ${exp} decimals for ${currency}` };
  const minor = Number(m[2]) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'amount too large' };
  return { ok: true, minor };
}
