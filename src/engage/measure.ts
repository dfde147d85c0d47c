// How campaigns and flows are measured, alike: a held-out control group drawn by a hash, and a
// conversion window after the message (or the entry) in which an order counts.
import { z } from 'zod';

export const HoldoutPercent = z.number().min(0).max(50).multipleOf(0.1).default(0);

export const ConversionDays = z.number().int().min(1).max(90).default(7);

/**
 * SQL drawing the control group: true for about `percent` % of the names, by a hash, so drawing again (a
 * retried launch, a replayed flow run) draws the same.
 */
export const heldOut = (name: string, percent: string) => `abs(hashtext(${name})) % 1000 < ${percent} * 10`;
