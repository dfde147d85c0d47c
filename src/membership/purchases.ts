// What orders do to membership, inside the ingesting transaction: buyers whose standing crosses a
// threshold are upgraded, paid (or completed) orders earn points at the tier the buyer held when the
// order came in, and refunds and cancellations take back the same share of what the order earned.
// An order earns once (keyed 'earn:<order>'); a refund takes back the difference between what its
// status says should be taken back and what already was, so a replayed order or refund changes nothing,
// and a refund that is undone and made again is followed each time ('refund:<order>:<n>', the n-th move).
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { recordEvents } from '../customers/timeline.js';
import { currencyExponent } from '../orders/money.js';
import { isPurchase, type OrderStatus } from '../orders/status.js';
import { lotExpiry, pointsForOrder, type EarningOrder } from './earning.js';
import { balanceMoves, moveMembers } from './members.js';
import { insertEntries, type NewEntry } from './points.js';
import { getProgram, type MemberProgram } from './program.js';
import { planUpgrades, tierEvent } from './tiers.js';

export interface OrderChange {
  orderId: string;
  customerId: string;
  externalId: string;
  status: OrderStatus;
  refundedCents: number;
  /** Items are needed only for new orders; a changed order's are read back when it earns late. */
  order: Omit<EarningOrder, 'items'> & { items?: EarningOrder['items'] };
  /** The order's status before this change, or null for a new order. */
  before: OrderStatus | null;
  /**
   * When the change happened, which dates its points and any upgrade it brings: a new order's payment
   * (else its placing), so that importing last year's orders does not credit last year's points and
   * upgrades today; a change to a known order is dated when it arrives.
   */
  occurredAt: Date;
}

function earns(program: MemberProgram, status: OrderStatus): boolean {
  if (program.points.awardOn === 'completed')
    return status === 'completed' || status === 'partially_refunded';
  return isPurchase(status) && status !== 'refunded';
}

/** How much of what an order earned is taken back: all of it once refunded or cancelled, else the refunded share. */
function takenBack(earned: number, c: OrderChange): number {
  if (c.status === 'refunded' || c.status === 'cancelled') return earned;
  const total = c.order.totalCents;
  if (total === 0) return 0;
  return Math.floor((earned * Math.min(c.refundedCents, total)) / total);
}

interface Lot {
  entryId: string;
  points: number;
  expiresAt: Date | null;
  takenBack: number;
  /** Reversal entries so far, which numbers the next one. */
  reversals: number;
}

export async function applyOrdersToMembership(
  tx: Queryable,
  shopId: string,
  changes: OrderChange[],
  source: string,
  at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  const [shop] = await tx.query<{ currency: string; timeZone: string }>(
    'select currency, time_zone as "timeZone" from shops where shop_id = $1',
    [shopId],
  );
  const { program } = await getProgram(tx, shopId);
  const buyers = new Map<string, { orderId: string; at: Date }>();
  for (const c of changes) {
    if (!isPurchase(c.status)) continue;
    const latest = buyers.get(c.customerId);
    if (!latest || latest.at <= c.occurredAt)
      buyers.set(c.customerId, { orderId: c.orderId, at: c.occurredAt });
  }
  const { before: tierAtOrder, changes: upgrades } = await planUpgrades(tx, shopId, program, buyers, at);

  const changed = changes.filter((c) => c.before !== null);
  const lots = await existingLots(
    tx,
    shopId,
    changed.map((c) => c.orderId),
  );
  const lateEarners = changed.filter((c) => !lots.has(c.orderId) && earns(program, c.status));
  const items = await orderItems(
    tx,
    shopId,
    lateEarners.map((c) => c.orderId),
  );

  const exponent = currencyExponent(shop!.currency);
  const entries: NewEntry[] = [];
  for (const c of changes) {
    let lot = lots.get(c.orderId);
    if (!lot && earns(program, c.status)) {
      const tier = program.tiers[tierAtOrder.get(c.customerId) ?? 0]!;
      const multiplier = tier.benefits.pointsMultiplier;
      const order = { ...c.order, items: c.order.items ?? items.get(c.orderId) ?? [] };
      const earning = pointsForOrder(program.points, order, multiplier, exponent);
      if (earning.points > 0) {
        lot = {
          entryId: uuidv7(c.occurredAt.getTime()),
          points: earning.points,
          expiresAt: lotExpiry(program.points.expiry, c.order.orderedAt, shop!.timeZone),
          takenBack: 0,
          reversals: 0,
        };
        entries.push({
          entryId: lot.entryId,
          customerId: c.customerId,
          kind: 'earn',
          points: lot.points,
          key: `earn:${c.orderId}`,
          orderId: c.orderId,
          expiresAt: lot.expiresAt,
          detail: {
            externalId: c.externalId,
            rate: program.points.perUnit[c.order.channel],
            tier: tier.name,
            multiplier,
            bonuses: earning.bonuses,
          },
          at: c.occurredAt,
        });
      }
    }
    if (!lot) continue;
    const target = takenBack(lot.points, c);
    if (target !== lot.takenBack) {
      entries.push({
        customerId: c.customerId,
        kind: 'reverse',
        points: lot.takenBack - target,
        key: `refund:${c.orderId}:${lot.reversals + 1}`,
        orderId: c.orderId,
        lotId: lot.entryId,
        expiresAt: lot.expiresAt,
        detail: { externalId: c.externalId, status: c.status, refundedCents: c.refundedCents },
        // Taken back as of the change; a millisecond after an earning in the same change (an order that
        // comes in refunded), so the ledger lists the two in that order.
        at: new Date(c.occurredAt.getTime() + (lots.has(c.orderId) ? 0 : 1)),
      });
    }
  }
  entries.push(...(await unexpire(tx, shopId, entries, at)));
  const moves = balanceMoves(await insertEntries(tx, shopId, entries, at));
  const byCustomer = new Map(moves.map((m) => [m.customerId, m]));
  for (const u of upgrades) {
    const move = byCustomer.get(u.customerId);
    if (move) Object.assign(move, { rank: u.to, since: u.at });
    else moves.push({ customerId: u.customerId, points: 0, rank: u.to, since: u.at });
  }
  await moveMembers(tx, shopId, moves, at);
  await recordEvents(
    tx,
    shopId,
    upgrades.map((u) => tierEvent(program, u, 'order', source, at)),
  );
}

/**
 * A refund that takes back points of a lot already past due takes back what expired of it first: an
 * 'expire' entry the other way (as far as that lot date's points expired, less what earlier refunds
 * undid), so that points which had expired are not lost a second time from the balance — an old order
 * sent through the API expires at once, and its refund may follow. What the customer had spent of the
 * lot is still taken back.
 */
async function unexpire(tx: Queryable, shopId: string, entries: NewEntry[], at: Date): Promise<NewEntry[]> {
  // An order that comes in part refunded earns and gives back in one change: nothing of it has expired.
  const earned = new Set(entries.flatMap((e) => (e.kind === 'earn' ? [e.orderId] : [])));
  const lapsed = entries.filter(
    (e) => e.kind === 'reverse' && e.expiresAt && e.expiresAt <= at && !earned.has(e.orderId),
  );
  if (lapsed.length === 0) return [];
  const dueBy = (e: NewEntry) => e.expiresAt!.toISOString();
  const lot = (e: NewEntry) => `${e.customerId} ${dueBy(e)}`;
  // One row per lot date: two refunds of one date must not count its expiry twice.
  const dates = [...new Map(lapsed.map((e) => [lot(e), e])).values()];
  const rows = await tx.query<{ customerId: string; dueBy: string; expired: number }>(
    `select u.customer_id as "customerId", u.due_by as "dueBy", coalesce(-sum(l.points), 0)::int8 as expired
       from unnest($2::uuid[], $3::text[]) as u(customer_id, due_by)
       left join points_ledger l on l.shop_id = $1 and l.customer_id = u.customer_id and l.kind = 'expire'
                                and l.detail->>'dueBy' = u.due_by
      group by u.customer_id, u.due_by`,
    [shopId, dates.map((e) => e.customerId), dates.map(dueBy)],
  );
  const expired = new Map(rows.map((r) => [`${r.customerId} ${r.dueBy}`, r.expired]));
  return lapsed.flatMap((e) => {
    const points = Math.min(-e.points, expired.get(lot(e)) ?? 0);
    if (points <= 0) return [];
    expired.set(lot(e), expired.get(lot(e))! - points);
    return [
      {
        customerId: e.customerId,
        kind: 'expire' as const,
        points,
        key: `unexpire:${e.key}`,
        orderId: e.orderId,
        detail: { dueBy: dueBy(e), undone: e.key },
        at: e.at,
      },
    ];
  });
}

/** The earn entries of orders already in the ledger, with what refunds have taken back from each. */
async function existingLots(tx: Queryable, shopId: string, orderIds: string[]): Promise<Map<string, Lot>> {
  const lots = new Map<string, Lot>();
  if (orderIds.length === 0) return lots;
  const rows = await tx.query<Lot & { orderId: string }>(
    `select e.order_id as "orderId", e.entry_id as "entryId", e.points, e.expires_at as "expiresAt",
            coalesce(-sum(r.points), 0)::int8 as "takenBack", count(r.entry_id)::int as reversals
       from points_ledger e
       left join points_ledger r on r.shop_id = e.shop_id and r.lot_id = e.entry_id
      where e.shop_id = $1 and e.idempotency_key = any($2::text[])
      group by e.order_id, e.entry_id, e.points, e.expires_at`,
    [shopId, orderIds.map((id) => `earn:${id}`)],
  );
  for (const r of rows) lots.set(r.orderId, r);
  return lots;
}

async function orderItems(
  tx: Queryable,
  shopId: string,
  orderIds: string[],
): Promise<Map<string, EarningOrder['items']>> {
  const items = new Map<string, EarningOrder['items']>();
  if (orderIds.length === 0) return items;
  const rows = await tx.query<{
    orderId: string;
    category: string | null;
    quantity: number;
    unitPriceCents: number;
  }>(
    `select order_id as "orderId", category, quantity, unit_price_cents as "unitPriceCents" from order_items
      where shop_id = $1 and order_id = any($2::uuid[])`,
    [shopId, orderIds],
  );
  for (const { orderId, ...item } of rows) {
    const list = items.get(orderId);
    if (list) list.push(item);
    else items.set(orderId, [item]);
  }
  return items;
}
