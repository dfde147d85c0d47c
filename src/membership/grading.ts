// Which tier a customer's buying earns them. Pure, so the order path, reviews and re-grades share it.
import { localDate, startOfLocalDay } from '../shops/calendar.js';
import type { MemberProgram, Tier } from './program.js';

/** What thresholds are checked against: net spend (after refunds) and purchases, over the program's window. */
export interface Standing {
  spendCents: number;
  orders: number;
}

/**
 * Where a rolling 12-month window ending at `at` starts: the shop's midnight of the same date a year
 * before, so that "the last 12 months" follows the dates the shop and its customers see (in UTC, a shop
 * in China would see its window move at 08:00).
 */
export function windowStart(at: Date, timeZone: string): Date {
  const { year, month, day } = localDate(at, timeZone);
  return startOfLocalDay(year - 1, month, day, timeZone);
}

/** Whether member-year figures counted from `yearFrom` (year.ts) are a rolling year's standing at `at`. */
export const yearIsCurrent = (yearFrom: Date | null, at: Date, timeZone: string): boolean =>
  yearFrom !== null && yearFrom.getTime() === windowStart(at, timeZone).getTime();

type Level = 'entry' | 'keep';

const thresholds = (tier: Tier, level: Level) =>
  level === 'keep'
    ? { spend: tier.keepSpendCents ?? tier.minSpendCents, orders: tier.keepOrders ?? tier.minOrders }
    : { spend: tier.minSpendCents, orders: tier.minOrders };

function meets(tier: Tier, s: Standing, match: MemberProgram['match'], level: Level): boolean {
  const { spend, orders } = thresholds(tier, level);
  const checks: boolean[] = [];
  if (spend !== null) checks.push(s.spendCents >= spend);
  if (orders !== null) checks.push(s.orders >= orders);
  if (checks.length === 0) return true;
  return match === 'any' ? checks.some(Boolean) : checks.every(Boolean);
}

/** The highest tier whose entry thresholds the standing meets: what an order can upgrade to. */
export function entryRank(program: MemberProgram, s: Standing): number {
  for (let rank = program.tiers.length - 1; rank > 0; rank--) {
    if (meets(program.tiers[rank]!, s, program.match, 'entry')) return rank;
  }
  return 0;
}

/**
 * The tier a review or re-grade settles on: the entry tier the standing earns, or, if higher, the highest
 * tier at or below the current one whose keep threshold it still meets (keep thresholds sit below entry
 * ones, so members are not bounced between tiers by one refund).
 */
export function gradedRank(program: MemberProgram, s: Standing, current: number): number {
  const entry = entryRank(program, s);
  for (let rank = Math.min(current, program.tiers.length - 1); rank > entry; rank--) {
    if (meets(program.tiers[rank]!, s, program.match, 'keep')) return rank;
  }
  return entry;
}

export type ReviewDecision =
  | { kind: 'keep' }
  | { kind: 'change'; to: number }
  | { kind: 'grace'; until: Date }
  | { kind: 'clear_grace' };

/**
 * A periodic review of one member: upgrades at once; a member below their tier's keep threshold first gets
 * the grace period, and is downgraded at the first review after it has run out without recovering.
 */
export function reviewMember(
  program: MemberProgram,
  s: Standing,
  member: { rank: number; graceUntil: Date | null },
  at: Date,
): ReviewDecision {
  const current = Math.min(member.rank, program.tiers.length - 1);
  const graded = gradedRank(program, s, member.rank);
  if (graded > current || (graded === current && current !== member.rank))
    return { kind: 'change', to: graded };
  if (graded === current) return member.graceUntil ? { kind: 'clear_grace' } : { kind: 'keep' };
  if (member.graceUntil === null) {
    if (program.review.graceDays === 0) return { kind: 'change', to: graded };
    return { kind: 'grace', until: new Date(at.getTime() + program.review.graceDays * 86_400_000) };
  }
  return member.graceUntil <= at ? { kind: 'change', to: graded } : { kind: 'keep' };
}

/** What a standing still lacks on each threshold of a tier: 0 where met, null where the tier sets none. */
export interface Shortfall {
  spendCents: number | null;
  orders: number | null;
  /** Whether the standing meets the tier under the program's match already. */
  met: boolean;
}

function shortfall(program: MemberProgram, tier: Tier, s: Standing, level: Level): Shortfall {
  const { spend, orders } = thresholds(tier, level);
  return {
    spendCents: spend === null ? null : Math.max(0, spend - s.spendCents),
    orders: orders === null ? null : Math.max(0, orders - s.orders),
    met: meets(tier, s, program.match, level),
  };
}

export interface TierProgress {
  /** The tier above the member's and what its entry thresholds still want; null at the top. */
  next: (Shortfall & { rank: number }) | null;
  /** The member's own tier's keep thresholds; null on the entry tier, which everyone keeps. */
  keep: Shortfall | null;
}

/**
 * How far a member is from the next tier up, by `now` (their standing today), and whether they keep
 * their own at the next review, by `atReview` (what that review will read: in a rolling window, the
 * purchases of the year before it, so older ones have dropped out).
 */
export function tierProgress(
  program: MemberProgram,
  rank: number,
  now: Standing,
  atReview: Standing,
): TierProgress {
  const current = Math.min(rank, program.tiers.length - 1);
  const above = program.tiers[current + 1];
  return {
    next: above ? { rank: current + 1, ...shortfall(program, above, now, 'entry') } : null,
    keep: current > 0 ? shortfall(program, program.tiers[current]!, atReview, 'keep') : null,
  };
}
