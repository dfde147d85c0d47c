import { describe, expect, it } from 'vitest';
import { usual } from './habits.js';

describe('usual', () => {
  const counts = (...purchases: number[]) => purchases.map((n, value) => ({ value, purchases: n }));

  it('names the value most purchases share when it is a habit', () => {
    expect(usual(counts(1, 3, 1), 5)).toBe(1);
    // Two in five is enough; fewer is not.
    expect(usual(counts(2, 1, 1, 1), 5)).toBe(0);
    expect(usual(counts(2, 1, 1, 1, 1), 6)).toBeNull();
  });

  it('names none for one purchase, a tie, or nothing bought', () => {
    expect(usual(counts(1), 1)).toBeNull();
    expect(usual(counts(2, 2), 4)).toBeNull();
    expect(usual([], 0)).toBeNull();
  });
});
