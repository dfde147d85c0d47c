// What a flow did: how many entered and where they are, how many passed each step (and which way at a
// branch), what its messages and codes became, and whether those who walked it bought more, in the
// conversion window after entering, than the held-out who entered and walked nothing.
import type { Queryable } from '../../db/db.js';
import { PURCHASE_SQL } from '../../orders/status.js';
import { groupOutcome, lift, messageOutcomes, type GroupOutcome, type MessageOutcomes } from '../report.js';
import { getFlow } from './flows.js';

export interface StepCounts {
  /** Passed the step; at a branch, the yes and no that took each path. */
  passed: number;
  yes: number;
  no: number;
  /** There now: waiting, or due to move on the next run. */
  here: number;
}

export interface FlowReport extends MessageOutcomes {
  entered: number;
  holdout: number;
  active: number;
  completed: number;
  exited: number;
  exitedBecause: Record<string, number>;
  steps: Record<string, StepCounts>;
  walked: GroupOutcome;
  control: GroupOutcome;
  lift: number | null;
}

export async function flowReport(db: Queryable, shopId: string, flowId: string): Promise<FlowReport> {
  const flow = await getFlow(db, shopId, flowId);
  const statuses = await db.query<{ status: string; holdout: boolean; reason: string | null; n: number }>(
    `select status, holdout, exit_reason as reason, count(*)::int as n
       from flow_enrollments where shop_id = $1 and flow_id = $2 group by 1, 2, 3`,
    [shopId, flowId],
  );
  const count = (pick: (s: (typeof statuses)[number]) => boolean) =>
    statuses.filter(pick).reduce((sum, s) => sum + s.n, 0);
  const exitedBecause: Record<string, number> = {};
  for (const s of statuses) if (s.status === 'exited' && s.reason) exitedBecause[s.reason] = s.n;

  const steps: Record<string, StepCounts> = {};
  const at = (id: string) => (steps[id] ??= { passed: 0, yes: 0, no: 0, here: 0 });
  const runs = await db.query<{ stepId: string; outcome: string; n: number }>(
    `select step_id as "stepId", outcome, count(*)::int as n
       from flow_step_runs where shop_id = $1 and flow_id = $2 group by 1, 2`,
    [shopId, flowId],
  );
  for (const r of runs) {
    at(r.stepId).passed += r.n;
    if (r.outcome === 'yes' || r.outcome === 'no') at(r.stepId)[r.outcome] += r.n;
  }
  const here = await db.query<{ stepId: string; n: number }>(
    `select step_id as "stepId", count(*)::int as n from flow_enrollments
      where shop_id = $1 and flow_id = $2 and status = 'active' group by 1`,
    [shopId, flowId],
  );
  for (const h of here) at(h.stepId).here = h.n;

  // Each pass counts once, with the orders in its window after the occurrence that let it in.
  const groups = await db.query<{
    holdout: boolean;
    customers: number;
    converted: number;
    revenueCents: number;
  }>(
    `select e.holdout, count(*)::int as customers, count(*) filter (where b.revenue is not null)::int as converted,
            coalesce(sum(b.revenue), 0)::int8 as "revenueCents"
       from flow_enrollments e
       left join lateral (
         select sum(o.total_cents - o.refunded_cents) as revenue
           from orders o
          where o.shop_id = e.shop_id and o.customer_id = e.customer_id and o.${PURCHASE_SQL}
            and o.ordered_at > e.occurred_at and o.ordered_at <= e.occurred_at + make_interval(days => $3)
       ) b on true
      where e.shop_id = $1 and e.flow_id = $2
      group by e.holdout`,
    [shopId, flowId, flow.conversionDays],
  );
  const walked = groupOutcome(groups, false);
  const control = groupOutcome(groups, true);
  return {
    entered: count(() => true),
    holdout: count((s) => s.holdout),
    active: count((s) => s.status === 'active'),
    completed: count((s) => s.status === 'completed' && !s.holdout),
    exited: count((s) => s.status === 'exited'),
    exitedBecause,
    steps,
    ...(await messageOutcomes(db, shopId, { flowId })),
    walked,
    control,
    lift: lift(walked, control),
  };
}

export interface Enrollment {
  enrollmentId: string;
  customerId: string;
  customerName: string | null;
  occurrence: string;
  occurredAt: Date;
  holdout: boolean;
  status: 'active' | 'completed' | 'exited';
  stepId: string | null;
  nextAt: Date | null;
  exitReason: string | null;
  enteredAt: Date;
}

/** Who entered most recently, and where each is now. */
export async function listEnrollments(
  db: Queryable,
  shopId: string,
  flowId: string,
  limit: number,
): Promise<Enrollment[]> {
  await getFlow(db, shopId, flowId);
  return db.query<Enrollment>(
    `select e.enrollment_id as "enrollmentId", e.customer_id as "customerId", c.name as "customerName",
            e.occurrence, e.occurred_at as "occurredAt", e.holdout, e.status, e.step_id as "stepId",
            case when e.status = 'active' then e.next_at end as "nextAt", e.exit_reason as "exitReason",
            e.entered_at as "enteredAt"
       from flow_enrollments e
       left join customers c on c.shop_id = e.shop_id and c.customer_id = e.customer_id
      where e.shop_id = $1 and e.flow_id = $2
      order by e.entered_at desc, e.enrollment_id limit $3`,
    [shopId, flowId, limit],
  );
}
