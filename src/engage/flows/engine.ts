// Running flows: each run lets in the customers whose trigger occurred since the last look, then moves
// every customer whose time has come through as many steps as they can take now (up to a wait that has
// not ended, or the end of their path), a batch a transaction (mover.ts). A run cut off by a crash leaves
// each customer either before a step or after it, never half way, and the next run goes on from there.
import type { Db } from '../../db/db.js';
import { derivedId } from '../../db/ids.js';
import { AppError } from '../../errors.js';
import { compileSegment, type SegmentContext } from '../../segments/compile.js';
import { segmentContext } from '../../segments/context.js';
import { getSegment } from '../../segments/segments.js';
import { getShop, type Shop } from '../../shops/shops.js';
import { heldOut } from '../measure.js';
import type { Flow } from './flows.js';
import { Mover, MOVE_BATCH } from './mover.js';
import { triggerQuery } from './triggers.js';

/**
 * Each look goes back this far before the last one, for occurrences recorded late (an order paid while a
 * webhook was down, a run that took long). Older ones do not start a flow: a history import must not
 * send care messages for last year's orders.
 */
const LATE_MS = 24 * 3_600_000;

export interface FlowRunResult {
  entered: number;
  moved: number;
  queued: number;
}

/** Runs the shop's active flows as of `at`. */
export async function runFlows(
  db: Db,
  shopId: string,
  at = new Date(),
  progress: (done: number) => Promise<void> = async () => {},
): Promise<FlowRunResult> {
  const shop = await getShop(db, shopId);
  const flows = await db.query<Flow>(
    `select flow_id as "flowId", name, trigger, steps, segment_id as "segmentId",
            holdout_percent::float8 as "holdoutPercent", enter_from as "enterFrom", scanned_until as "scannedUntil"
       from flows where shop_id = $1 and status = 'active'`,
    [shopId],
  );
  const result: FlowRunResult = { entered: 0, moved: 0, queued: 0 };
  if (flows.length === 0) return result;
  const ctx = await segmentContext(db, shopId, at);
  for (const flow of flows) {
    try {
      result.entered += await enterFlow(db, shop, ctx, flow, at);
    } catch (err) {
      // A segment deleted, a rule no longer valid: the operator sees why on the flow; others run on.
      if (!(err instanceof AppError)) throw err;
      await db.query('update flows set last_error = $3 where shop_id = $1 and flow_id = $2', [
        shopId,
        flow.flowId,
        err.message,
      ]);
    }
  }
  await progress(result.entered);
  const mover = new Mover(shop, ctx, flows, at);
  for (;;) {
    const moved = await db.transaction((tx) => mover.moveBatch(tx));
    result.moved += moved.moved;
    result.queued += moved.queued;
    await progress(result.entered + result.moved);
    if (moved.moved < MOVE_BATCH) return result;
  }
}

/** Lets in the customers whose trigger occurred since the flow last looked. */
async function enterFlow(db: Db, shop: Shop, ctx: SegmentContext, flow: Flow, at: Date): Promise<number> {
  const from = new Date(
    Math.max(flow.enterFrom!.getTime(), (flow.scannedUntil ?? flow.enterFrom!).getTime() - LATE_MS),
  );
  if (at <= from) return 0;
  const first = flow.steps[0]?.id ?? null;
  const trigger = triggerQuery(flow.trigger, {
    timeZone: shop.timeZone,
    tierKeys: ctx.tierKeys,
    from,
    to: at,
  });
  const params: unknown[] = [shop.shopId, from.toISOString(), at.toISOString(), ...trigger.params];
  const own = params.push(flow.flowId, first, flow.holdoutPercent) - 2;
  let audience = 'true';
  if (flow.segmentId) {
    const segment = await getSegment(db, shop.shopId, flow.segmentId);
    // A date lets a whole segment in at once, where joins are the fast plan; the others a few customers.
    const rule = compileSegment(segment.rule, ctx, {
      firstParam: params.length + 1,
      perCustomer: flow.trigger.type !== 'date',
    });
    audience = rule.where;
    params.push(...rule.params);
  }
  const f = `$${own}::uuid`;
  const rows = await db.query(
    `insert into flow_enrollments (shop_id, enrollment_id, flow_id, customer_id, occurrence, occurred_at, holdout,
                                   status, step_id, step_at, next_at, finished_at)
     select $1, ${derivedId(`${f}::text || t.customer_id::text || t.occurrence`)}, ${f}, t.customer_id, t.occurrence,
            t.occurred_at, h.holdout, case when h.holdout or $${own + 1}::text is null then 'completed' else 'active' end,
            case when not h.holdout then $${own + 1}::text end, t.occurred_at, t.occurred_at,
            case when h.holdout or $${own + 1}::text is null then $3::timestamptz end
       from (${trigger.sql}) as t(customer_id, occurrence, occurred_at)
       join customers c on c.shop_id = $1 and c.customer_id = t.customer_id
      cross join lateral (
        select ${heldOut(`${f}::text || t.customer_id::text || t.occurrence`, `$${own + 2}::float8`)} as holdout
      ) h
      where t.occurred_at > $2::timestamptz and t.occurred_at <= $3::timestamptz and ${audience}
     on conflict do nothing
     returning 1`,
    params,
  );
  await db.query(
    `update flows set scanned_until = greatest(scanned_until, $3), last_error = null where shop_id = $1 and flow_id = $2`,
    [shop.shopId, flow.flowId, at.toISOString()],
  );
  return rows.length;
}
