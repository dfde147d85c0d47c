import { describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from './money.js';

describe('parseAmount', () => {
  it('reads decimals exactly, with symbols and thousands separators', () => {
    expect(parseAmount('1,299.50', 'CNY')).toEqual({ ok: true, minor: 129950 });
    expect(parseAmount('¥199', 'CNY')).toEqual({ ok: true, minor: 19900 });
    expect(parseAmount('0.1', 'USD')).toEqual({ ok: true, minor: 10 });
    expect(parseAmount('19.990', 'USD')).toEqual({ ok: true, minor: 1999 });
    expect(parseAmount('1500', 'JPY')).toEqual({ ok: true, minor: 1500 });
  });
  it('refuses negative, malformed and over-precise amounts', () => {
    expect(parseAmount('-3.00', 'CNY')).toEqual({ ok: false, reason: 'negative amount' });
    expect(parseAmount('12.3.4', 'CNY')).toEqual({ ok: false, reason: 'not an amount' });
    expect(parseAmount('1.5', 'JPY')).toEqual({ ok: false, reason: 'more than 0 decimals for JPY' });
  });
});

describe('formatAmount', () => {
  it("shows minor units with the currency's own decimals", () => {
    expect(formatAmount(19900, 'CNY')).toBe('199.00');
    expect(formatAmount(5, 'USD')).toBe('0.05');
    expect(formatAmount(500, 'JPY')).toBe('500');
  });
});
