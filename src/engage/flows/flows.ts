// Flows as the operator keeps them: created as drafts, checked against the shop (every template, coupon,
// tag and segment a step names must exist and fit), activated (optionally catching up on the last few
// days' occurrences), paused, edited, deleted.
import type { Queryable } from '../../db/db.js';
import { isUuid, uuidv7 } from '../../db/ids.js';
import { AppError, type ErrorDetail } from '../../errors.js';
import { compileSegment } from '../../segments/compile.js';
import { segmentContext } from '../../segments/context.js';
import { getSegment } from '../../segments/segments.js';
import type { MessageChannel } from '../channels.js';
import { closedBecause, couponTerms } from '../coupons.js';
import { compileTemplate, unsendableBecause, usesVariable, type ProviderTemplateText } from '../templates.js';
import { everyStep, FlowInput, MAX_STEPS, placeSteps, type PlacedStep, type Trigger } from './definition.js';

export const FLOW_STATUSES = ['draft', 'active', 'paused'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export interface Flow {
  flowId: string;
  name: string;
  trigger: Trigger;
  steps: PlacedStep[];
  segmentId: string | null;
  holdoutPercent: number;
  conversionDays: number;
  status: FlowStatus;
  enterFrom: Date | null;
  scannedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `flow_id as "flowId", name, trigger, steps, segment_id as "segmentId",
  holdout_percent::float8 as "holdoutPercent", conversion_days as "conversionDays", status,
  enter_from as "enterFrom", scanned_until as "scannedUntil", last_error as "lastError",
  created_at as "createdAt", updated_at as "updatedAt"`;

/** Parses the input and checks every reference in it against the shop; all problems at once. */
async function checkedFlow(db: Queryable, shopId: string, input: unknown, at: string) {
  const field = (path: string) => (at ? `${at}.${path}` : path);
  const parsed = FlowInput.safeParse(input);
  if (!parsed.success) {
    throw AppError.invalid(
      'The flow is not valid',
      parsed.error.issues.map((i) => ({ field: field(i.path.join('.')), message: i.message })),
    );
  }
  const flow = parsed.data;
  const problems: ErrorDetail[] = [];
  const all = everyStep(flow.steps);
  if (all.length === 0) problems.push({ field: field('steps'), message: 'a flow needs at least one step' });
  if (all.length > MAX_STEPS) problems.push({ field: field('steps'), message: `at most ${MAX_STEPS} steps` });
  const seen = new Set<string>();
  for (const { step, path } of everyStep(flow.steps, field('steps'))) {
    if (!step.id) continue;
    if (seen.has(step.id)) problems.push({ field: `${path}.id`, message: `'${step.id}' is used twice` });
    seen.add(step.id);
  }
  if (flow.segmentId) {
    await getSegment(db, shopId, flow.segmentId).catch(() =>
      problems.push({ field: field('segmentId'), message: 'no such segment' }),
    );
  }
  const ctx = await segmentContext(db, shopId);
  if (flow.trigger.type === 'tier_upgraded' && flow.trigger.tier && !ctx.tierKeys.includes(flow.trigger.tier))
    problems.push({ field: field('trigger.tier'), message: `not a tier; one of ${ctx.tierKeys.join(', ')}` });
  // A message may show the coupon only after a step on its path issued one, and before that code expires.
  interface Issued {
    validDays: number | null;
    waitedHours: number;
  }
  const walk = (
    steps: typeof flow.steps,
    path: string,
    couponIssued: Issued | null,
  ): Promise<Issued | null> =>
    steps.reduce(async (before, step, n) => {
      const issued = await before;
      const at = `${path}.${n}`;
      switch (step.type) {
        case 'wait':
          return issued && { ...issued, waitedHours: issued.waitedHours + step.days * 24 + step.hours };
        case 'send': {
          const [t] = await db.query<{
            channel: MessageChannel;
            subject: string | null;
            body: string;
            providerTemplate: ProviderTemplateText | null;
          }>(
            `select channel, subject, body, provider_template as "providerTemplate" from templates
              where shop_id = $1 and template_id = $2`,
            [shopId, step.templateId],
          );
          const unsendable = t && (await unsendableBecause(db, shopId, t));
          if (!t) problems.push({ field: `${at}.templateId`, message: 'no such template' });
          else if (unsendable) problems.push({ field: `${at}.templateId`, message: unsendable });
          else if (usesVariable(compileTemplate(t).uses, 'coupon')) {
            if (!issued)
              problems.push({
                field: `${at}.templateId`,
                message: 'the template shows a coupon: add an issue-coupon step before this one',
              });
            else if (issued.validDays !== null && issued.waitedHours >= issued.validDays * 24)
              problems.push({
                field: `${at}.templateId`,
                message: `the code shown here is good for ${issued.validDays} days from its issue, and this message goes ${issued.waitedHours / 24} days after it: it would arrive expired`,
              });
          }
          return issued;
        }
        case 'coupon': {
          const c = await couponTerms(db, shopId, step.couponId).catch((err: unknown) => {
            if (err instanceof AppError && err.code === 'not_found') return null;
            throw err;
          });
          const closed = c && closedBecause(c, new Date());
          if (!c) problems.push({ field: `${at}.couponId`, message: 'no such coupon' });
          else if (closed === 'retired')
            problems.push({
              field: `${at}.couponId`,
              message: 'the coupon was retired: it gives out no more codes',
            });
          else if (closed === 'ended')
            problems.push({
              field: `${at}.couponId`,
              message: `the coupon ended at ${c.validUntil!.toISOString()}: its codes would arrive expired`,
            });
          return { validDays: c?.validDays ?? null, waitedHours: 0 };
        }
        case 'tag': {
          const [t] = await db.query<{ rule: unknown }>(
            'select rule from tags where shop_id = $1 and tag_id = $2',
            [shopId, step.tagId],
          );
          if (!t) problems.push({ field: `${at}.tagId`, message: 'no such tag' });
          else if (t.rule)
            problems.push({ field: `${at}.tagId`, message: 'a rule tag follows its rule only' });
          return issued;
        }
        case 'branch':
          try {
            compileSegment(step.condition, ctx, { where: `${at}.condition` });
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            problems.push(...(err.details ?? []));
          }
          await walk(step.yes, `${at}.yes`, issued);
          await walk(step.no, `${at}.no`, issued);
          return issued;
        default:
          return issued;
      }
    }, Promise.resolve(couponIssued));
  await walk(flow.steps, field('steps'), null);
  if (problems.length > 0) throw AppError.invalid('The flow is not valid', problems);
  return { ...flow, steps: placeSteps(flow.steps) };
}

/** `field` names where the flow is in the request (`body`), for the error details. */
export async function createFlow(db: Queryable, shopId: string, input: unknown, field = ''): Promise<Flow> {
  const f = await checkedFlow(db, shopId, input, field);
  const flowId = uuidv7();
  await db
    .query(
      `insert into flows (shop_id, flow_id, name, trigger, steps, segment_id, holdout_percent, conversion_days)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [shopId, flowId, ...definitionParams(f)],
    )
    .catch((err: unknown) => nameTaken(err, field));
  return getFlow(db, shopId, flowId);
}

/**
 * Replaces a flow's definition. Customers on the way keep their place when their step is still there
 * (its id unchanged); those at a step that was removed leave the flow when they next move.
 */
export async function updateFlow(
  db: Queryable,
  shopId: string,
  flowId: string,
  input: unknown,
  field = '',
): Promise<Flow> {
  await getFlow(db, shopId, flowId);
  const f = await checkedFlow(db, shopId, input, field);
  await db
    .query(
      `update flows set name = $3, trigger = $4, steps = $5, segment_id = $6, holdout_percent = $7,
                        conversion_days = $8, last_error = null, updated_at = now()
        where shop_id = $1 and flow_id = $2`,
      [shopId, flowId, ...definitionParams(f)],
    )
    .catch((err: unknown) => nameTaken(err, field));
  return getFlow(db, shopId, flowId);
}

/** A checked definition as the parameters after (shop, flow) of the insert and the update. */
const definitionParams = (f: Awaited<ReturnType<typeof checkedFlow>>) => [
  f.name,
  JSON.stringify(f.trigger),
  JSON.stringify(f.steps),
  f.segmentId,
  f.holdoutPercent,
  f.conversionDays,
];

function nameTaken(err: unknown, at: string): never {
  if ((err as { code?: string }).code === '23505')
    throw AppError.invalid('A flow with this name exists', [
      { field: at ? `${at}.name` : 'name', message: 'taken' },
    ]);
  throw err;
}

export async function getFlow(db: Queryable, shopId: string, flowId: string): Promise<Flow> {
  if (!isUuid(flowId)) throw AppError.notFound('Flow');
  const [row] = await db.query<Flow>(`select ${columns} from flows where shop_id = $1 and flow_id = $2`, [
    shopId,
    flowId,
  ]);
  if (!row) throw AppError.notFound('Flow');
  return row;
}

export async function listFlows(db: Queryable, shopId: string): Promise<Flow[]> {
  return db.query<Flow>(`select ${columns} from flows where shop_id = $1 order by created_at desc`, [shopId]);
}

/**
 * Starts a flow (or resumes a paused one). Occurrences from now on enter; `catchUpDays` lets those of the
 * last few days enter too (a care flow started today for yesterday's orders). A resumed flow picks up
 * where it stopped looking, at most `catchUpDays` back.
 */
export async function activateFlow(
  db: Queryable,
  shopId: string,
  flowId: string,
  catchUpDays: number,
  at = new Date(),
): Promise<Flow> {
  const flow = await getFlow(db, shopId, flowId);
  if (flow.status === 'active') return flow;
  const from = new Date(at.getTime() - catchUpDays * 86_400_000);
  await db.query(
    `update flows set status = 'active', enter_from = $3,
                      scanned_until = greatest(coalesce(scanned_until, $3), $3), last_error = null, updated_at = now()
      where shop_id = $1 and flow_id = $2`,
    [shopId, flowId, from.toISOString()],
  );
  return getFlow(db, shopId, flowId);
}

/** No one new enters and no one moves on until it is active again. */
export async function pauseFlow(db: Queryable, shopId: string, flowId: string): Promise<Flow> {
  await getFlow(db, shopId, flowId);
  await db.query(
    `update flows set status = 'paused', updated_at = now() where shop_id = $1 and flow_id = $2 and status = 'active'`,
    [shopId, flowId],
  );
  return getFlow(db, shopId, flowId);
}

/** Its enrollments go with it; the messages it sent stay on the customers' timelines. */
export async function deleteFlow(db: Queryable, shopId: string, flowId: string): Promise<void> {
  await getFlow(db, shopId, flowId);
  await db.query('delete from flows where shop_id = $1 and flow_id = $2', [shopId, flowId]);
}
