// Shares as the console and the CLI print them: a small share that is not nothing must not read as 0%.
import { describe, expect, it } from 'vitest';
import { percent as cliPercent } from '../src/cli/context.js';
import { customerName, formatPhone, percent } from '../web/src/format.js';

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
