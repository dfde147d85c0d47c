// How many points an order earns and when they expire. Pure, so the rules are tested on their own.
import { localDate, startOfLocalDay } from '../shops/calendar.js';
import type { PointsExpiry, PointsRules } from './program.js';

export interface EarningOrder {
  channel: 'online' | 'offline';
  totalCents: number;
  shippingCents: number;
  orderedAt: Date;
  items: { category: string | null; quantity: number; unitPriceCents: number }[];
}

export interface Earning {
  points: number;
  /** The bonus rules that raised it, by name. */
  bonuses: string[];
}

/**
 * Points per unit paid for goods (shipping earns nothing) at the channel's rate, times the tier's
 * multiplier, times the highest bonus that applies: to the whole order, or to the items of its category,
 * whose share of the payment follows their share of the list price. Rounded down to whole points.
 */
export function pointsForOrder(
  rules: PointsRules,
  order: EarningOrder,
  tierMultiplier: number,
  currencyExponent: number,
): Earning {
  const paid = Math.max(0, order.totalCents - order.shippingCents);
  const live = rules.bonuses.filter(
    (b) =>
      Date.parse(b.from) <= order.orderedAt.getTime() &&
      order.orderedAt.getTime() < Date.parse(b.to) &&
      (b.channel === null || b.channel === order.channel),
  );
  const whole = live.filter((b) => b.category === null);
  const orderBonus = Math.max(1, ...whole.map((b) => b.multiplier));
  const used = new Set<string>(whole.filter((b) => b.multiplier === orderBonus).map((b) => b.name));
  const listTotal = order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
  let weighted = paid * orderBonus;
  if (listTotal > 0 && live.some((b) => b.category !== null)) {
    weighted = 0;
    for (const item of order.items) {
      const share = (paid * item.quantity * item.unitPriceCents) / listTotal;
      const forItem = live.filter((b) => b.category !== null && b.category === item.category);
      const best = Math.max(orderBonus, ...forItem.map((b) => b.multiplier));
      for (const b of forItem) if (b.multiplier === best && best > orderBonus) used.add(b.name);
      weighted += share * best;
    }
  }
  const rate = rules.perUnit[order.channel];
  // The epsilon absorbs binary fractions (0.1 + 0.2) so an exact 300 points is not floored to 299.
  const points = Math.floor((weighted * rate * tierMultiplier) / 10 ** currencyExponent + 1e-9);
  return { points, bonuses: [...used] };
}

/** When points earned at `earnedAt` expire, or null if they never do. */
export function lotExpiry(expiry: PointsExpiry, earnedAt: Date, timeZone: string): Date | null {
  if (expiry.kind === 'never') return null;
  if (expiry.kind === 'after_days') return new Date(earnedAt.getTime() + expiry.days * 86_400_000);
  return startOfLocalDay(localDate(earnedAt, timeZone).year + 2, 1, 1, timeZone);
}

/**
 * Points that expire at a cut-off, spending lots oldest first: the lots due by then (net of reversals)
 * less everything spent or expired so far, never more than the balance.
 */
export function expiringPoints(dueLots: number, consumed: number, balance: number): number {
  return Math.max(0, Math.min(dueLots - consumed, balance));
}

/** What is left of each lot once `consumed` points have been spent from the oldest lots on. */
export function openLots(
  lots: { expiresAt: Date | null; points: number }[],
  consumed: number,
): { expiresAt: Date | null; points: number }[] {
  const ordered = [...lots].sort(
    (a, b) => (a.expiresAt?.getTime() ?? Infinity) - (b.expiresAt?.getTime() ?? Infinity),
  );
  let left = consumed;
  const open: { expiresAt: Date | null; points: number }[] = [];
  for (const lot of ordered) {
    const used = Math.min(Math.max(left, 0), Math.max(lot.points, 0));
    left -= used;
    if (lot.points - used > 0) open.push({ expiresAt: lot.expiresAt, points: lot.points - used });
  }
  return open;
}
