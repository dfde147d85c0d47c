import { describe, expect, it } from 'vitest';
import { entryRank, gradedRank, reviewMember, tierProgress, windowStart, yearIsCurrent } from './grading.js';
import { DEFAULT_PROGRAM, MemberProgram } from './program.js';

const yuan = (n: number) => n * 100;
// Regular; Senior 500 yuan or 2 orders; VIP 2,000 or 5 (keep 1,500 or 4); Supreme 5,000 or 10.
const program = MemberProgram.parse({
  ...DEFAULT_PROGRAM,
  tiers: DEFAULT_PROGRAM.tiers.map((t) =>
    t.name === 'VIP' ? { ...t, keepSpendCents: yuan(1500), keepOrders: 4 } : t,
  ),
});

describe('windowStart', () => {
  it("starts a rolling year at the shop's midnight of the same date a year before", () => {
    // 04:00 and 23:00 on 29 November in Shanghai (the first still 28 November in UTC): the same start.
    const start = new Date('2025-11-28T16:00:00Z');
    expect(windowStart(new Date('2026-11-28T20:00:00Z'), 'Asia/Shanghai')).toEqual(start);
    expect(windowStart(new Date('2026-11-29T15:00:00Z'), 'Asia/Shanghai')).toEqual(start);
    expect(windowStart(new Date('2026-11-29T16:00:00Z'), 'Asia/Shanghai')).toEqual(
      new Date('2025-11-29T16:00:00Z'),
    );
    // A year before 29 February is 1 March; a zone with summer time takes the offset of that date.
    expect(windowStart(new Date('2028-02-29T12:00:00Z'), 'Asia/Shanghai')).toEqual(
      new Date('2027-02-28T16:00:00Z'),
    );
    expect(windowStart(new Date('2026-11-29T12:00:00Z'), 'America/New_York')).toEqual(
      new Date('2025-11-29T05:00:00Z'),
    );
    expect(windowStart(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toEqual(
      new Date('2025-07-01T04:00:00Z'),
    );
  });

  it('counts kept figures as current only from the start of the day the shop is in', () => {
    const kept = new Date('2025-11-28T16:00:00Z');
    expect(yearIsCurrent(kept, new Date('2026-11-29T15:59:00Z'), 'Asia/Shanghai')).toBe(true);
    expect(yearIsCurrent(kept, new Date('2026-11-29T16:00:00Z'), 'Asia/Shanghai')).toBe(false);
    expect(yearIsCurrent(kept, new Date('2026-11-29T12:00:00Z'), 'UTC')).toBe(false);
    expect(yearIsCurrent(null, new Date('2026-11-29T12:00:00Z'), 'Asia/Shanghai')).toBe(false);
  });
});

describe('entryRank', () => {
  it('meets either threshold under "any" and both under "all"', () => {
    expect(entryRank(program, { spendCents: 0, orders: 0 })).toBe(0);
    expect(entryRank(program, { spendCents: yuan(499), orders: 1 })).toBe(0);
    expect(entryRank(program, { spendCents: yuan(500), orders: 1 })).toBe(1);
    expect(entryRank(program, { spendCents: yuan(10), orders: 5 })).toBe(2);
    expect(entryRank(program, { spendCents: yuan(5000), orders: 1 })).toBe(3);
    const all = { ...program, match: 'all' as const };
    expect(entryRank(all, { spendCents: yuan(5000), orders: 1 })).toBe(0);
    expect(entryRank(all, { spendCents: yuan(2000), orders: 5 })).toBe(2);
  });
});

describe('gradedRank', () => {
  it('keeps a member who still meets the keep threshold, and drops one who does not', () => {
    expect(gradedRank(program, { spendCents: yuan(1600), orders: 1 }, 2)).toBe(2);
    expect(gradedRank(program, { spendCents: yuan(1400), orders: 3 }, 2)).toBe(1);
    expect(gradedRank(program, { spendCents: yuan(1400), orders: 3 }, 1)).toBe(1);
    // Never above what the member held, unless the entry thresholds earn it.
    expect(gradedRank(program, { spendCents: yuan(1600), orders: 1 }, 1)).toBe(1);
    expect(gradedRank(program, { spendCents: yuan(6000), orders: 1 }, 1)).toBe(3);
  });

  it('clamps a rank the program no longer has', () => {
    const two = MemberProgram.parse({ ...program, tiers: program.tiers.slice(0, 2) });
    expect(gradedRank(two, { spendCents: yuan(6000), orders: 20 }, 3)).toBe(1);
  });
});

describe('reviewMember', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const below = { spendCents: yuan(100), orders: 1 };
  it('starts a grace period, then downgrades once it has run out', () => {
    const first = reviewMember(program, below, { rank: 2, graceUntil: null }, at);
    expect(first).toEqual({ kind: 'grace', until: new Date('2026-01-31T00:00:00Z') });
    expect(
      reviewMember(program, below, { rank: 2, graceUntil: new Date('2026-01-31T00:00:00Z') }, at),
    ).toEqual({
      kind: 'keep',
    });
    const later = new Date('2026-02-01T00:00:00Z');
    expect(
      reviewMember(program, below, { rank: 2, graceUntil: new Date('2026-01-31T00:00:00Z') }, later),
    ).toEqual({
      kind: 'change',
      to: 0,
    });
  });

  it('clears the grace of a member who recovered, and upgrades at once', () => {
    const recovered = { spendCents: yuan(1600), orders: 1 };
    expect(reviewMember(program, recovered, { rank: 2, graceUntil: at }, at)).toEqual({
      kind: 'clear_grace',
    });
    expect(
      reviewMember(program, { spendCents: yuan(9000), orders: 1 }, { rank: 2, graceUntil: at }, at),
    ).toEqual({
      kind: 'change',
      to: 3,
    });
  });

  it('downgrades at once without a grace period', () => {
    const strict = { ...program, review: { every: 'month' as const, graceDays: 0 } };
    expect(reviewMember(strict, below, { rank: 2, graceUntil: null }, at)).toEqual({ kind: 'change', to: 0 });
  });
});

describe('tierProgress', () => {
  it("says what the next tier still wants and whether the member's own is kept", () => {
    // A Senior with 1,868 yuan and 3 orders: VIP wants 132 yuan more or 2 more orders (either will do).
    const senior = { spendCents: yuan(1868), orders: 3 };
    expect(tierProgress(program, 1, senior, senior)).toEqual({
      next: { rank: 2, spendCents: yuan(132), orders: 2, met: false },
      keep: { spendCents: 0, orders: 0, met: true },
    });
    // A VIP whose review will read less (a rolling window): short of the keep threshold on both, and
    // under "all" the spend met alone does not make Supreme.
    const vip = { spendCents: yuan(5200), orders: 4 };
    expect(tierProgress(program, 2, vip, { spendCents: yuan(1400), orders: 2 })).toEqual({
      next: { rank: 3, spendCents: 0, orders: 6, met: true },
      keep: { spendCents: yuan(100), orders: 2, met: false },
    });
    expect(tierProgress({ ...program, match: 'all' }, 2, vip, vip).next).toEqual({
      rank: 3,
      spendCents: 0,
      orders: 6,
      met: false,
    });
    // A threshold the tier does not set is null; the entry tier has nothing to keep; the top, no next.
    const byOrders = MemberProgram.parse({
      tiers: [{ name: 'Member' }, { name: 'Regular', minOrders: 3 }],
    });
    expect(tierProgress(byOrders, 0, { spendCents: 0, orders: 1 }, { spendCents: 0, orders: 1 })).toEqual({
      next: { rank: 1, spendCents: null, orders: 2, met: false },
      keep: null,
    });
    expect(tierProgress(byOrders, 5, senior, senior)).toEqual({
      next: null,
      keep: { spendCents: null, orders: 0, met: true },
    });
  });
});

describe('MemberProgram', () => {
  it('names every problem with its path', () => {
    const r = MemberProgram.safeParse({
      tiers: [{ name: 'A', minOrders: 1 }, { name: 'B' }, { name: 'a', minOrders: 3, keepOrders: 5 }],
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'tiers.0: the first tier is the entry tier: no thresholds',
      'tiers.1: needs a spend or order threshold',
      'tiers.2: keep thresholds cannot exceed entry thresholds',
      'tiers: tier names must differ',
    ]);
  });
});
