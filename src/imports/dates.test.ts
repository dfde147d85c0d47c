import { describe, expect, it } from 'vitest';
import { parseDateTime } from './dates.js';

const iso = (raw: string, tz = 'Asia/Shanghai') => {
  const r = parseDateTime(raw, tz);
  return r.ok ? r.date.toISOString() : r.reason;
};

describe('parseDateTime', () => {
  it('reads wall-clock times in the shop time zone', () => {
    expect(iso('2024-11-11 00:00:05')).toBe('2024-11-10T16:00:05.000Z');
    expect(iso('2024/11/11 8:05')).toBe('2024-11-11T00:05:00.000Z');
    expect(iso('20241111')).toBe('2024-11-10T16:00:00.000Z');
    expect(iso('1997-01-01')).toBe('1996-12-31T16:00:00.000Z');
  });
  it('honours explicit offsets, Shopify style included', () => {
    expect(iso('2024-01-05 10:22:33 +0800', 'America/New_York')).toBe('2024-01-05T02:22:33.000Z');
    expect(iso('2024-01-05T10:22:33Z')).toBe('2024-01-05T10:22:33.000Z');
    expect(iso('2024-01-05T10:22:33-05:00')).toBe('2024-01-05T15:22:33.000Z');
  });
  it('follows daylight saving in zones that have it', () => {
    expect(iso('2024-07-01 12:00', 'America/New_York')).toBe('2024-07-01T16:00:00.000Z');
    expect(iso('2024-01-01 12:00', 'America/New_York')).toBe('2024-01-01T17:00:00.000Z');
  });
  it('refuses impossible dates', () => {
    expect(iso('2024-02-30')).toBe('unparseable date');
    expect(iso('2024-13-01 10:00')).toBe('unparseable date');
    expect(iso('yesterday')).toBe('unparseable date');
    expect(iso('1900-01-01')).toBe('date out of range');
  });
});
