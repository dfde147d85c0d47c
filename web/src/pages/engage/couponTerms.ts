import type { Coupon } from './types.js';

/**
 * Why the API no longer gives out the coupon's codes — the shop retired it, or its fixed window has
 * closed (they would arrive expired) — or null while it does.
 */
export const closedBecause = (c: Coupon, now = Date.now()): 'retired' | 'ended' | null =>
  c.retiredAt !== null
    ? 'retired'
    : c.validUntil !== null && Date.parse(c.validUntil) <= now
      ? 'ended'
      : null;
