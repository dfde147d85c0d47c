import type { Coupon } from './types.js';

/** Whether the coupon's fixed window has closed: the API refuses to issue its codes (they would arrive expired). */
export const hasEnded = (c: Coupon, now = Date.now()) =>
  c.validUntil !== null && Date.parse(c.validUntil) <= now;
