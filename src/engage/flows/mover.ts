// Moving flows' customers through their steps (engine.ts lets them in): a batch of customers moves in
// one transaction together with everything its steps do (messages queued to the outbox, codes issued,
// tags, points, the step counts), and every effect is keyed by (enrollment, step), so nothing happens
// twice.
import type { Queryable } from '../../db/db.js';
import { derivedId } from '../../db/ids.js';
import { AppError } from '../../errors.js';
import { lotExpiry } from '../../membership/earning.js';
import { appendEntries } from '../../membership/points.js';
import { getProgram } from '../../membership/program.js';
import { compileSegment, type SegmentContext } from '../../segments/compile.js';
import type { Shop } from '../../shops/shops.js';
import { groupBy } from '../../orders/grouped.js';
import { setManualTag } from '../../tags/tags.js';
import { issueCoupon } from '../couponCodes.js';
import { assertIssuable, couponTerms, eligibleFor, membersOnlyReason } from '../coupons.js';
import { stepMap, type PlacedStep } from './definition.js';
import type { Flow } from './flows.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Customers moved a transaction: a run goes on while a batch comes back full. */
export const MOVE_BATCH = 1_000;

interface Position {
  enrollmentId: string;
  flowId: string;
  customerId: string;
  stepId: string | null;
  stepAt: Date;
  waiting: boolean;
  nextAt: Date;
  couponCode: string | null;
  status: 'active' | 'completed' | 'exited';
  exitReason: string | null;
}

interface StepRun {
  enrollmentId: string;
  flowId: string;
  stepId: string;
  outcome: string;
}

/** Moves customers through their steps, a batch per transaction. */
export class Mover {
  private readonly maps: Map<string, ReturnType<typeof stepMap>>;

  constructor(
    private readonly shop: Shop,
    private readonly ctx: SegmentContext,
    flows: Flow[],
    private readonly at: Date,
  ) {
    this.maps = new Map(flows.map((f) => [f.flowId, stepMap(f.steps)]));
  }

  async moveBatch(tx: Queryable): Promise<{ moved: number; queued: number }> {
    const batch = await tx.query<Position>(
      `select enrollment_id as "enrollmentId", flow_id as "flowId", customer_id as "customerId", step_id as "stepId",
              step_at as "stepAt", waiting, next_at as "nextAt", coupon_code as "couponCode", status,
              exit_reason as "exitReason"
         from flow_enrollments
        where shop_id = $1 and status = 'active' and next_at <= $2 and flow_id = any($3::uuid[])
        order by next_at limit $4 for update skip locked`,
      [this.shop.shopId, this.at.toISOString(), [...this.maps.keys()], MOVE_BATCH],
    );
    const runs: StepRun[] = [];
    let queued = 0;
    let moving = batch;
    while (moving.length > 0) {
      const groups = groupBy(
        moving,
        (p) => `${p.flowId} ${p.stepId}`,
        (p) => p,
      );
      moving = [];
      for (const group of groups.values()) {
        const { flowId, stepId } = group[0]!;
        const node = this.maps.get(flowId)!.get(stepId!);
        if (!node) {
          for (const p of group) this.leave(p, 'exited', 'its step was removed from the flow');
          continue;
        }
        const done = (outcome: string, ps = group) =>
          ps.forEach((p) =>
            runs.push({ enrollmentId: p.enrollmentId, flowId, stepId: node.step.id, outcome }),
          );
        try {
          const step = node.step;
          if (step.type === 'wait') {
            const length = step.days * DAY_MS + step.hours * HOUR_MS;
            for (const p of group) {
              const until = new Date(p.stepAt.getTime() + length);
              if (until <= this.at) {
                done('passed', [p]);
                moving.push(...this.moveTo(p, node.next, until));
              } else {
                p.waiting = true;
                p.nextAt = until;
              }
            }
            continue;
          }
          if (step.type === 'branch') {
            const yes = await this.matching(tx, step.condition, group);
            for (const p of group) {
              const taken = yes.has(p.customerId);
              done(taken ? 'yes' : 'no', [p]);
              const path = (taken ? step.yes : step.no) as PlacedStep[];
              moving.push(...this.moveTo(p, path[0]?.id ?? null, this.at));
            }
            continue;
          }
          if (step.type === 'send') queued += await this.send(tx, flowId, step.id, step.templateId, group);
          let passing = group;
          if (step.type === 'coupon') {
            // A members-only coupon's code goes to members with member-only offers: the others leave here.
            const refused = await this.issue(tx, flowId, step.id, step.couponId, group);
            if (refused) {
              for (const p of refused.positions) this.leave(p, 'exited', refused.reason);
              passing = group.filter((p) => !refused.positions.includes(p));
            }
          }
          if (step.type === 'tag') {
            const ids = [...new Set(group.map((p) => p.customerId))];
            await setManualTag(
              tx,
              this.shop.shopId,
              step.tagId,
              ids,
              step.action === 'add',
              `flow:${flowId}`,
            );
          }
          if (step.type === 'points') await this.award(tx, flowId, step.id, step.points, step.reason, group);
          done('passed', passing);
          for (const p of passing) moving.push(...this.moveTo(p, node.next, this.at));
        } catch (err) {
          // What the step needs is gone (a tag deleted or given a rule): these customers leave here, with why.
          if (!(err instanceof AppError)) throw err;
          for (const p of group) this.leave(p, 'exited', err.message);
        }
      }
    }
    await this.save(tx, batch, runs);
    return { moved: batch.length, queued };
  }

  /** Onto step `id` (or out, at a path's end); returned if it can act at once. */
  private moveTo(p: Position, id: string | null, since: Date): Position[] {
    p.waiting = false;
    p.stepAt = since;
    p.nextAt = this.at;
    if (id === null) {
      this.leave(p, 'completed', null);
      return [];
    }
    p.stepId = id;
    return [p];
  }

  private leave(p: Position, status: 'completed' | 'exited', reason: string | null): void {
    p.status = status;
    p.exitReason = reason;
    p.stepId = null;
    p.waiting = false;
  }

  private async matching(tx: Queryable, condition: unknown, group: Position[]): Promise<Set<string>> {
    const rule = compileSegment(condition, this.ctx, { firstParam: 3, perCustomer: true });
    const rows = await tx.query<{ id: string }>(
      `select c.customer_id as id from customers c
        where c.shop_id = $1 and c.customer_id = any($2::uuid[]) and ${rule.where}`,
      [this.shop.shopId, group.map((p) => p.customerId), ...rule.params],
    );
    return new Set(rows.map((r) => r.id));
  }

  private async send(tx: Queryable, flowId: string, stepId: string, templateId: string, group: Position[]) {
    const [template] = await tx.query('select 1 from templates where shop_id = $1 and template_id = $2', [
      this.shop.shopId,
      templateId,
    ]);
    if (!template) throw AppError.notFound('The template of this send step');
    const rows = await tx.query(
      `insert into messages (shop_id, message_id, customer_id, channel, template_id, flow_id, transactional,
                             coupon_code, not_before, queued_at)
       select $1, ${derivedId(`'flow:' || e.id::text || ':' || $4`)}, e.customer_id, t.channel, t.template_id, $2,
              t.transactional, e.code, $5, $5
         from unnest($6::uuid[], $7::uuid[], $8::text[]) as e(id, customer_id, code)
         join templates t on t.shop_id = $1 and t.template_id = $3
       on conflict do nothing
       returning 1`,
      [
        this.shop.shopId,
        flowId,
        templateId,
        stepId,
        this.at.toISOString(),
        group.map((p) => p.enrollmentId),
        group.map((p) => p.customerId),
        group.map((p) => p.couponCode),
      ],
    );
    return rows.length;
  }

  /** Issues the step's codes; answers those it gave none, for a members-only coupon, with why. */
  private async issue(
    tx: Queryable,
    flowId: string,
    stepId: string,
    couponId: string,
    group: Position[],
  ): Promise<{ positions: Position[]; reason: string } | null> {
    const keyOf = (p: Position) => `flow:${p.enrollmentId}:${stepId}`;
    // A coupon that has ended (codes already expired) or was retired gives none: these customers leave, with why.
    const terms = await couponTerms(tx, this.shop.shopId, couponId);
    assertIssuable(terms, this.at);
    const eligible = await eligibleFor(
      tx,
      this.shop.shopId,
      terms,
      group.map((p) => p.customerId),
    );
    const refused = group.filter((p) => !eligible.has(p.customerId));
    const grants = group
      .filter((p) => eligible.has(p.customerId))
      .map((p) => ({ customerId: p.customerId, issueKey: keyOf(p) }));
    await issueCoupon(tx, this.shop.shopId, couponId, { flowId, grants }, `flow:${flowId}`, this.at);
    const codes = await tx.query<{ key: string; code: string }>(
      `select issue_key as key, code from coupon_codes
        where shop_id = $1 and customer_id = any($2::uuid[]) and issue_key = any($3::text[])`,
      [this.shop.shopId, grants.map((g) => g.customerId), grants.map((g) => g.issueKey)],
    );
    const byKey = new Map(codes.map((c) => [c.key, c.code]));
    for (const p of group) p.couponCode = byKey.get(keyOf(p)) ?? p.couponCode;
    return refused.length > 0 ? { positions: refused, reason: membersOnlyReason(terms) } : null;
  }

  private async award(
    tx: Queryable,
    flowId: string,
    stepId: string,
    points: number,
    reason: string,
    group: Position[],
  ) {
    const { program } = await getProgram(tx, this.shop.shopId);
    const expiresAt = lotExpiry(program.points.expiry, this.at, this.shop.timeZone);
    await appendEntries(
      tx,
      this.shop.shopId,
      group.map((p) => ({
        customerId: p.customerId,
        kind: 'adjust' as const,
        points,
        key: `flow:${p.enrollmentId}:${stepId}`,
        reason,
        detail: { flowId },
        expiresAt,
      })),
      this.at,
    );
  }

  private async save(tx: Queryable, batch: Position[], runs: StepRun[]): Promise<void> {
    const at = this.at.toISOString();
    await tx.query(
      `update flow_enrollments e
          set status = u.status, step_id = u.step_id, step_at = u.step_at, waiting = u.waiting, next_at = u.next_at,
              coupon_code = u.code, exit_reason = u.reason,
              finished_at = case when u.status <> 'active' then $2::timestamptz end
         from unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::bool[], $8::timestamptz[], $9::text[],
                     $10::text[]) as u(id, status, step_id, step_at, waiting, next_at, code, reason)
        where e.shop_id = $1 and e.enrollment_id = u.id`,
      [
        this.shop.shopId,
        at,
        batch.map((p) => p.enrollmentId),
        batch.map((p) => p.status),
        batch.map((p) => p.stepId),
        batch.map((p) => p.stepAt.toISOString()),
        batch.map((p) => p.waiting),
        batch.map((p) => p.nextAt.toISOString()),
        batch.map((p) => p.couponCode),
        batch.map((p) => p.exitReason),
      ],
    );
    if (runs.length === 0) return;
    await tx.query(
      `insert into flow_step_runs (shop_id, enrollment_id, step_id, flow_id, outcome, ran_at)
       select $1, r.enrollment_id, r.step_id, r.flow_id, r.outcome, $2
         from unnest($3::uuid[], $4::text[], $5::uuid[], $6::text[]) as r(enrollment_id, step_id, flow_id, outcome)
       on conflict do nothing`,
      [
        this.shop.shopId,
        at,
        runs.map((r) => r.enrollmentId),
        runs.map((r) => r.stepId),
        runs.map((r) => r.flowId),
        runs.map((r) => r.outcome),
      ],
    );
  }
}
