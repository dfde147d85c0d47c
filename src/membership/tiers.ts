// Customers' tiers: upgraded by the order that crosses a threshold (in the order's transaction), set by
// staff with a reason, and re-graded for the whole shop by a periodic review or a program change.
// Every change is a 'tier.changed' event on the customer's timeline, with its cause.
import type { Db, Queryable } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { lockShopIngest } from '../customers/resolve.js';
import { recordEvents, type NewEvent } from '../customers/timeline.js';
import { AppError } from '../errors.js';
import { entryRank, gradedRank, reviewMember } from './grading.js';
import { moveMembers } from './members.js';
import type { MemberProgram } from './program.js';
import { membersWithStanding } from './standing.js';

export type TierCause = 'order' | 'review' | 'regrade' | 'manual' | 'merge';

const isHeld = (m: { holdUntil: Date | null }, at: Date) => m.holdUntil !== null && m.holdUntil > at;

export interface TierChange {
  customerId: string;
  from: number;
  to: number;
  data?: Record<string, unknown>;
  /** When it happened, if before it is written (an upgrade by an order of the past). */
  at?: Date;
}

async function applyChanges(
  tx: Queryable,
  shopId: string,
  program: MemberProgram,
  changes: TierChange[],
  cause: TierCause,
  source: string,
  at: Date,
  /** Only a change by hand holds the tier; any other change ends a hold that had run out. */
  holdUntil: Date | null = null,
): Promise<void> {
  if (changes.length === 0) return;
  await moveMembers(
    tx,
    shopId,
    changes.map((c) => ({ customerId: c.customerId, points: 0, rank: c.to })),
    at,
    holdUntil,
  );
  await recordEvents(
    tx,
    shopId,
    changes.map((c) => tierEvent(program, c, cause, source, at)),
  );
}

export function tierEvent(
  program: MemberProgram,
  c: TierChange,
  cause: TierCause,
  source: string,
  at: Date,
): NewEvent {
  return {
    customerId: c.customerId,
    type: 'tier.changed',
    occurredAt: c.at ?? at,
    source,
    data: {
      from: c.from,
      to: c.to,
      fromName: program.tiers[c.from]?.name ?? null,
      toName: program.tiers[c.to]!.name,
      cause,
      ...c.data,
    },
  };
}

/**
 * After a batch of orders: which buyers' standing now meets a higher tier's entry threshold, and each
 * buyer's tier before the batch, which is the tier their orders were placed at. The caller writes the
 * changes together with the points the orders earned (one update of each buyer's row).
 */
export async function planUpgrades(
  tx: Queryable,
  shopId: string,
  program: MemberProgram,
  /** Each buyer's latest purchase of the batch: their standing after it is graded, and an upgrade dated by it. */
  buyers: Map<string, { orderId: string; at: Date }>,
  at: Date,
): Promise<{ before: Map<string, number>; changes: TierChange[] }> {
  const before = new Map<string, number>();
  const changes: TierChange[] = [];
  if (buyers.size === 0) return { before, changes };
  const members = await membersWithStanding(tx, shopId, program, at, { ids: [...buyers.keys()] });
  for (const m of members) {
    const current = Math.min(m.rank, program.tiers.length - 1);
    before.set(m.customerId, current);
    const to = isHeld(m, at) ? current : Math.max(current, entryRank(program, m));
    if (to > m.rank) {
      const crossing = buyers.get(m.customerId)!;
      changes.push({
        customerId: m.customerId,
        from: m.rank,
        to,
        data: { orderId: crossing.orderId },
        // History sent in after newer orders (a backfill once the webhook is live) upgrades from the
        // tier held now: just after it began, so the tier changes stay in the order they were made.
        at: m.since && m.since >= crossing.at ? new Date(m.since.getTime() + 1) : crossing.at,
      });
    }
  }
  return { before, changes };
}

/** After a merge, the survivor holds the better of the tiers and upgrades if the joint history earns more. */
export async function gradeMerged(
  tx: Queryable,
  shopId: string,
  program: MemberProgram,
  survivorId: string,
  mergedRanks: number[],
  source: string,
  at: Date,
): Promise<void> {
  const [m] = await membersWithStanding(tx, shopId, program, at, { ids: [survivorId] });
  if (!m) return;
  const top = Math.min(Math.max(m.rank, ...mergedRanks), program.tiers.length - 1);
  const to = isHeld(m, at) ? m.rank : Math.max(top, entryRank(program, m));
  if (to !== m.rank)
    await applyChanges(
      tx,
      shopId,
      program,
      [{ customerId: m.customerId, from: m.rank, to }],
      'merge',
      source,
      at,
    );
}

/**
 * Staff set a tier by hand. It holds until `until`, or else until the next review, which grades the
 * member normally again; meanwhile no order or re-grade moves it.
 */
export async function setTierByHand(
  db: Db,
  shopId: string,
  program: MemberProgram,
  nextReviewAt: Date,
  customerId: string,
  input: { rank: number; reason: string; until?: Date | null; staffId?: string | null },
  at = new Date(),
): Promise<{ rank: number; holdUntil: Date }> {
  if (!Number.isInteger(input.rank) || input.rank < 0 || input.rank >= program.tiers.length) {
    throw AppError.invalid(`No tier at rank ${input.rank}`, [
      { field: 'rank', message: `0 to ${program.tiers.length - 1}` },
    ]);
  }
  if (!input.reason.trim())
    throw AppError.invalid('A reason is required', [{ field: 'reason', message: 'required' }]);
  if (input.until && input.until <= at)
    throw AppError.invalid('The hold must end in the future', [{ field: 'until', message: 'in the past' }]);
  if (!isUuid(customerId)) throw AppError.notFound('Customer');
  const holdUntil = input.until ?? nextReviewAt;
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const [m] = await tx.query<{ rank: number }>(
      'select tier_rank as rank from customers where shop_id = $1 and customer_id = $2 for update',
      [shopId, customerId],
    );
    if (!m) throw AppError.notFound('Customer');
    const data = {
      reason: input.reason.trim(),
      holdUntil: holdUntil.toISOString(),
      staffId: input.staffId ?? null,
    };
    await applyChanges(
      tx,
      shopId,
      program,
      [{ customerId, from: m.rank, to: input.rank, data }],
      'manual',
      'staff',
      at,
      holdUntil,
    );
    return { rank: input.rank, holdUntil };
  });
}

export interface PassResult {
  customers: number;
  upgraded: number;
  downgraded: number;
  graceStarted: number;
  held: number;
}

/**
 * Grades every customer of the shop, a chunk per transaction (under the ingest lock, so an order's own
 * upgrade never interleaves with a chunk's). A review honours grace periods and ends holds that were
 * only meant to last until it; a re-grade after a program change applies the new thresholds at once.
 */
export async function gradeAll(
  db: Db,
  shopId: string,
  program: MemberProgram,
  mode: 'review' | 'regrade',
  at: Date,
  onProgress: (done: number) => Promise<void> = async () => {},
  chunk = 20_000,
): Promise<PassResult> {
  const result: PassResult = { customers: 0, upgraded: 0, downgraded: 0, graceStarted: 0, held: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const size = await db.transaction(async (tx) => {
      await lockShopIngest(tx, shopId);
      const members = await membersWithStanding(tx, shopId, program, at, { after, limit: chunk });
      const changes: TierChange[] = [];
      const grace: { customerId: string; until: Date | null }[] = [];
      for (const m of members) {
        if (isHeld(m, at)) {
          result.held++;
          continue;
        }
        if (mode === 'regrade') {
          const to = gradedRank(program, m, m.rank);
          if (to !== m.rank) changes.push({ customerId: m.customerId, from: m.rank, to });
          continue;
        }
        const d = reviewMember(program, m, { rank: m.rank, graceUntil: m.graceUntil }, at);
        if (d.kind === 'change') changes.push({ customerId: m.customerId, from: m.rank, to: d.to });
        else if (d.kind === 'grace') grace.push({ customerId: m.customerId, until: d.until });
        else if (d.kind === 'clear_grace') grace.push({ customerId: m.customerId, until: null });
      }
      await applyChanges(tx, shopId, program, changes, mode, mode, at);
      // A hold that lasted until this review is over once the member has been graded.
      const released = members.filter((m) => m.holdUntil !== null && !isHeld(m, at)).map((m) => m.customerId);
      if (released.length > 0) {
        await tx.query(
          'update customers set tier_hold_until = null where shop_id = $1 and customer_id = any($2::uuid[])',
          [shopId, released],
        );
      }
      await setGrace(tx, shopId, program, grace, at);
      result.upgraded += changes.filter((c) => c.to > c.from).length;
      result.downgraded += changes.filter((c) => c.to < c.from).length;
      result.graceStarted += grace.filter((g) => g.until).length;
      result.customers += members.length;
      if (members.length > 0) after = members[members.length - 1]!.customerId;
      return members.length;
    });
    await onProgress(result.customers);
    if (size < chunk) return result;
  }
}

async function setGrace(
  tx: Queryable,
  shopId: string,
  program: MemberProgram,
  grace: { customerId: string; until: Date | null }[],
  at: Date,
): Promise<void> {
  if (grace.length === 0) return;
  await tx.query(
    `update customers c set tier_grace_until = g.until
       from unnest($2::uuid[], $3::timestamptz[]) as g(customer_id, until)
      where c.shop_id = $1 and c.customer_id = g.customer_id`,
    [shopId, grace.map((g) => g.customerId), grace.map((g) => g.until?.toISOString() ?? null)],
  );
  const started = grace.filter((g) => g.until !== null);
  await recordEvents(
    tx,
    shopId,
    started.map((g) => ({
      customerId: g.customerId,
      type: 'tier.grace_started',
      occurredAt: at,
      source: 'review',
      data: { graceUntil: g.until!.toISOString(), graceDays: program.review.graceDays },
    })),
  );
}
