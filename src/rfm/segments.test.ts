import { describe, expect, it } from 'vitest';
import { RFM_SEGMENTS, segmentOf } from './segments.js';

describe('RFM segments', () => {
  it('names every cell of the R×F grid, using all eleven names', () => {
    const names = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) names.add(segmentOf(r, f));
    expect([...names].sort()).toEqual([...RFM_SEGMENTS].sort());
  });

  it('follows the documented mapping', () => {
    expect(segmentOf(5, 5)).toBe('champions');
    expect(segmentOf(5, 1)).toBe('new');
    expect(segmentOf(4, 1)).toBe('promising');
    expect(segmentOf(3, 3)).toBe('need_attention');
    expect(segmentOf(2, 5)).toBe('cant_lose');
    expect(segmentOf(1, 1)).toBe('lost');
    expect(segmentOf(1, 2)).toBe('hibernating');
    expect(() => segmentOf(0, 1)).toThrow();
  });
});
