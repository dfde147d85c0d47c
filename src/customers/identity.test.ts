import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizeMemberCard, normalizePhone, normalizePlatformId } from './identity.js';

describe('normalizePhone', () => {
  it('accepts mainland numbers with or without country code, in any punctuation', () => {
    for (const raw of [
      '13812345678',
      '138 1234 5678',
      '+86 138-1234-5678',
      '8613812345678',
      '008613812345678',
    ]) {
      expect(normalizePhone(raw, 'CN')).toEqual({ ok: true, value: '+8613812345678' });
    }
  });
  it('reads a mainland number with country code in a shop whose home region is elsewhere', () => {
    expect(normalizePhone('+86 13812345678', 'US')).toEqual({ ok: true, value: '+8613812345678' });
  });
  it('parses other countries to E.164', () => {
    expect(normalizePhone('(415) 555-2671', 'US')).toEqual({ ok: true, value: '+14155552671' });
    expect(normalizePhone('+44 20 7946 0018', 'CN')).toEqual({ ok: true, value: '+442079460018' });
  });
  it('refuses masked and impossible numbers with the reason', () => {
    expect(normalizePhone('138****5678', 'CN')).toEqual({ ok: false, reason: 'phone number is masked' });
    expect(normalizePhone('12345', 'CN')).toEqual({ ok: false, reason: 'not a valid phone number' });
  });
});

describe('other identities', () => {
  it('lowercases emails and refuses malformed ones', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM ')).toEqual({ ok: true, value: 'ann.lee@example.com' });
    expect(normalizeEmail('ann@example').ok).toBe(false);
    expect(normalizeEmail('ann lee@example.com').ok).toBe(false);
  });
  it('normalizes member cards and platform ids', () => {
    expect(normalizeMemberCard(' vip 0012 ')).toEqual({ ok: true, value: 'VIP0012' });
    expect(normalizeMemberCard('卡号').ok).toBe(false);
    expect(normalizePlatformId('Taobao', ' 小明爱购物 ')).toEqual({ ok: true, value: 'taobao:小明爱购物' });
    expect(normalizePlatformId('', 'x').ok).toBe(false);
  });
});
