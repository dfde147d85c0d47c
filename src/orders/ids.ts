// An order's id is the moment it was placed: what lets a period's orders and lines be read as a range of
// their primary keys (docs/design-notes.md). Apart from the modules that read orders, which the period's
// readers (the member year among them) would otherwise import in a circle.
import { firstUuidv7At, uuidv7 } from '../db/ids.js';

/**
 * A new order's id: the UUID v7 of the millisecond it was placed (never before 1970). Neither changes once
 * written, so the shop's orders, and their lines, lie in the primary keys in the order they were placed.
 */
export const newOrderId = (orderedAt: Date) => uuidv7(Math.max(0, orderedAt.getTime()));

/**
 * Bounds on the ids of orders placed in [from, to) (see newOrderId). Added beside a query's own
 * `ordered_at` condition, which stays the exact one, they let PostgreSQL read that range of the primary
 * key instead of every order of the shop: a day's orders of 5,000,000 in 1.5 ms against 204 ms.
 */
export function placedIdRange(from: Date, to: Date): [string, string] {
  return [firstIdPlacedFrom(from), firstUuidv7At(to.getTime() + 1)];
}

/** The least id of an order placed at `from` or later: for a period with no end (see placedIdRange). */
export const firstIdPlacedFrom = (from: Date) => firstUuidv7At(from.getTime());
