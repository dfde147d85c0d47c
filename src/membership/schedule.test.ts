import { describe, expect, it } from 'vitest';
import { nextMidnight } from '../shops/calendar.js';
import { nextReview } from './schedule.js';

describe('the membership calendar', () => {
  const at = new Date('2026-11-24T19:00:00Z'); // 25 November, 03:00 in Shanghai
  it('reviews at the next local start of a month, quarter or year', () => {
    expect(nextReview('month', at, 'Asia/Shanghai')).toEqual(new Date('2026-11-30T16:00:00Z'));
    expect(nextReview('quarter', at, 'Asia/Shanghai')).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(nextReview('quarter', new Date('2026-02-10T00:00:00Z'), 'UTC')).toEqual(
      new Date('2026-04-01T00:00:00Z'),
    );
    expect(nextReview('year', at, 'UTC')).toEqual(new Date('2027-01-01T00:00:00Z'));
  });

  it('expires points at the next local midnight', () => {
    expect(nextMidnight(at, 'Asia/Shanghai')).toEqual(new Date('2026-11-25T16:00:00Z'));
    expect(nextMidnight(at, 'UTC')).toEqual(new Date('2026-11-25T00:00:00Z'));
  });
});
