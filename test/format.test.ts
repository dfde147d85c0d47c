// Shares as the console and the CLI print them: a small share that is not nothing must not read as 0%.
// Amounts and times as staff type them, turned into what the API takes.
import { describe, expect, it } from 'vitest';
import { percent as cliPercent } from '../src/cli/context.js';
import { amountText, customerName, formatPhone, percent, toMinor, zonedIso } from '../web/src/format.js';

describe('percent', () => {
  it('gives one decimal at most, and a tiny share one significant digit', () => {
    expect(percent(0.6, 'en')).toBe('60%');
    expect(percent(0.05227, 'en')).toBe('5.2%');
    expect(percent(3 / 12_553, 'en')).toBe('0.02%');
    expect(percent(0.0005, 'en')).toBe('0.1%');
    expect(percent(0, 'en')).toBe('0%');
    expect(percent(null, 'en')).toBe('–');
    expect(percent(3 / 12_553, 'zh-CN')).toBe('0.02%');
  });

  it('prints the same way in the CLI report', () => {
    expect(cliPercent(0.5)).toBe('50.0%');
    expect(cliPercent(3 / 12_553)).toBe('0.02%');
    expect(cliPercent(0)).toBe('0.0%');
    expect(cliPercent(null)).toBe('–');
  });
});

describe('formatPhone', () => {
  it("writes the shop's own numbers nationally and the rest internationally", () => {
    expect(formatPhone('+8613812345678', 'CN')).toBe('138 1234 5678');
    expect(formatPhone('+861082345678', 'CN')).toBe('010 8234 5678');
    expect(formatPhone('+12125550100', 'CN')).toBe('+1 212 555 0100');
    expect(formatPhone('+8613812345678', 'US')).toBe('+86 138 1234 5678');
    expect(formatPhone('+12125550100', 'US')).toBe('(212) 555-0100');
  });

  it('shows a number it cannot read as stored', () => {
    expect(formatPhone('12345', 'CN')).toBe('12345');
  });
});

describe('customerName', () => {
  const t = (key: string) => ({ 'customers.erased': '(erased)', 'customers.unnamed': '(no name)' })[key]!;
  it('names a customer, else by a contact where given, and marks an erased one', () => {
    expect(customerName({ name: 'Ann', erasedAt: null }, t, 'ann@example.com')).toBe('Ann');
    expect(customerName({ name: null, erasedAt: null }, t, 'ann@example.com')).toBe('ann@example.com');
    expect(customerName({ name: null, erasedAt: null }, t)).toBe('(no name)');
    expect(customerName({ name: null, erasedAt: '2026-11-28T07:00:00Z' }, t, null)).toBe('(erased)');
  });
});

describe('toMinor', () => {
  it("reads an amount exactly in the currency's own decimals", () => {
    expect(toMinor('258', 'CNY')).toBe(25800);
    expect(toMinor('0.29', 'CNY')).toBe(29);
    expect(toMinor(' 12.5 ', 'CNY')).toBe(1250);
    expect(toMinor('12.', 'CNY')).toBe(1200);
    expect(toMinor('12.340', 'CNY')).toBe(1234);
    expect(toMinor('500', 'JPY')).toBe(500);
  });

  it('gives back what amountText writes', () => {
    expect(amountText(25_800, 'CNY')).toBe('258.00');
    expect(amountText(500, 'JPY')).toBe('500');
    expect(toMinor(amountText(1_999, 'CNY'), 'CNY')).toBe(1_999);
  });

  it('answers null for what is not an amount in the currency', () => {
    expect(toMinor('12.345', 'CNY')).toBeNull();
    expect(toMinor('500.5', 'JPY')).toBeNull();
    expect(toMinor('-3', 'CNY')).toBeNull();
    expect(toMinor('1e3', 'CNY')).toBeNull();
    expect(toMinor('', 'CNY')).toBeNull();
    expect(toMinor('99999999999999999', 'CNY')).toBeNull();
  });
});

describe('zonedIso', () => {
  it("gives a wall-clock time in the shop's zone its offset there, whatever the browser's", () => {
    expect(zonedIso('2026-11-29T08:10', 'Asia/Shanghai')).toBe('2026-11-29T08:10:00+08:00');
    expect(zonedIso('2026-01-15T09:00', 'America/New_York')).toBe('2026-01-15T09:00:00-05:00');
    expect(zonedIso('2026-07-15T09:00', 'America/New_York')).toBe('2026-07-15T09:00:00-04:00');
    expect(zonedIso('2026-07-15T09:00', 'Asia/Kolkata')).toBe('2026-07-15T09:00:00+05:30');
    expect(zonedIso('2026-07-15T09:00', 'UTC')).toBe('2026-07-15T09:00:00+00:00');
    // The morning after the clocks went forward, and the evening before.
    expect(zonedIso('2026-03-08T03:30', 'America/New_York')).toBe('2026-03-08T03:30:00-04:00');
    expect(zonedIso('2026-03-07T23:00', 'America/New_York')).toBe('2026-03-07T23:00:00-05:00');
  });

  it('answers null for what is not such a time', () => {
    expect(zonedIso('2026-11-29', 'Asia/Shanghai')).toBeNull();
    expect(zonedIso('yesterday', 'Asia/Shanghai')).toBeNull();
  });
});
