// What a flow is: the trigger that starts it for a customer and the steps that customer then walks.
// Steps form a tree: a branch splits the path in two (yes / no), and each path runs to its own end.
// Every step carries an id, kept across edits, which its counts and each enrollment's position refer to.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CASE_KINDS } from '../../service/cases.js';
import { ConversionDays, HoldoutPercent } from '../measure.js';

const days = (max: number) => z.number().int().min(0).max(max);

/** Month-day combinations every year has (29 February is not one). */
function validDay(d: { month: number; day: number }): boolean {
  return d.day <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][d.month - 1]!;
}

const hour = z.number().int().min(0).max(23).default(10).describe("the shop's local hour it fires at");

export const Trigger = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('order_paid') }).describe('an order is paid (care after it: add a wait)'),
  z
    .strictObject({
      type: z.literal('purchase_cycle'),
      category: z.string().trim().min(1).max(200).optional().describe('one category only'),
      daysBefore: days(60).default(3),
    })
    .describe("a category's predicted next purchase is this many days away (replenishment)"),
  z.strictObject({ type: z.literal('birthday'), daysBefore: days(60).default(0), hour }),
  z
    .strictObject({ type: z.literal('no_order'), days: z.number().int().min(1).max(3650) })
    .describe('win-back'),
  z.strictObject({
    type: z.literal('tier_upgraded'),
    tier: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('only upgrades to this tier (by name) or above'),
  }),
  z.strictObject({
    type: z.literal('points_expiring'),
    daysBefore: z.number().int().min(1).max(365).default(30),
  }),
  z
    .strictObject({
      type: z.literal('service_resolved'),
      kind: z.enum(CASE_KINDS).optional().describe('cases of this kind only'),
    })
    .describe('a service case is resolved (care after a complaint: add a wait, a coupon)'),
  z
    .strictObject({ type: z.literal('joined') })
    .describe('a new profile (from the API, a webhook or a store; not a bulk import) or a member card bound'),
  z
    .strictObject({
      type: z.literal('date'),
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
      hour,
      year: z.number().int().min(2000).max(2100).optional().describe('only that year (else every year)'),
    })
    .refine(validDay, { message: 'no such day in every year', path: ['day'] })
    .describe("a calendar date: the flow's segment enters (e.g. recall before Double 11)"),
]);
export type Trigger = z.infer<typeof Trigger>;
export type TriggerType = Trigger['type'];

const StepId = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and hyphens')
  .optional()
  .describe('kept across edits; given when left out');

const Wait = z.strictObject({
  id: StepId,
  type: z.literal('wait'),
  days: days(365).default(0),
  hours: days(23).default(0),
});
const Send = z.strictObject({ id: StepId, type: z.literal('send'), templateId: z.uuid() });
const IssueCoupon = z.strictObject({ id: StepId, type: z.literal('coupon'), couponId: z.uuid() });
const SetTag = z.strictObject({
  id: StepId,
  type: z.literal('tag'),
  tagId: z.uuid(),
  action: z.enum(['add', 'remove']),
});
const AwardPoints = z.strictObject({
  id: StepId,
  type: z.literal('points'),
  points: z.number().int().min(1).max(1_000_000),
  reason: z.string().trim().min(1).max(200),
});

export type Step =
  | z.infer<typeof Wait>
  | z.infer<typeof Send>
  | z.infer<typeof IssueCoupon>
  | z.infer<typeof SetTag>
  | z.infer<typeof AwardPoints>
  | { id?: string; type: 'branch'; condition: unknown; yes: Step[]; no: Step[] };

export const STEP_TYPES = ['wait', 'send', 'coupon', 'tag', 'points', 'branch'] as const;
export const MAX_STEPS = 50;

export const Steps: z.ZodType<Step[]> = z.lazy(() =>
  z.array(
    z.discriminatedUnion('type', [
      Wait,
      Send,
      IssueCoupon,
      SetTag,
      AwardPoints,
      z.strictObject({
        id: StepId,
        type: z.literal('branch'),
        condition: z.unknown().describe('a segment rule: customers who match it take the yes path'),
        yes: Steps,
        no: Steps,
      }),
    ]),
  ),
);

// The step tree refers to itself: one named component in the OpenAPI document.
z.globalRegistry.add(Steps, { id: 'FlowSteps' });

export const FlowInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  trigger: Trigger,
  segmentId: z.uuid().nullable().default(null).describe('only members of this segment enter'),
  steps: Steps,
  holdoutPercent: HoldoutPercent.describe('enter but walk no step'),
  conversionDays: ConversionDays.describe('an order this soon after entry converts'),
});
export type FlowInput = z.input<typeof FlowInput>;
export type ParsedFlow = z.infer<typeof FlowInput>;

/** A step with its id settled. */
export type PlacedStep = Step & { id: string };

/** Every step, depth first, with the path of its field in the request (`steps.2.yes.0`). */
export function everyStep(steps: Step[], path = 'steps'): { step: Step; path: string }[] {
  return steps.flatMap((step, n) => [
    { step, path: `${path}.${n}` },
    ...(step.type === 'branch'
      ? [...everyStep(step.yes, `${path}.${n}.yes`), ...everyStep(step.no, `${path}.${n}.no`)]
      : []),
  ]);
}

/** Gives each step without an id a new one that no other step has. */
export function placeSteps(steps: Step[]): PlacedStep[] {
  const taken = new Set(everyStep(steps).flatMap(({ step }) => (step.id ? [step.id] : [])));
  const place = (list: Step[]): PlacedStep[] =>
    list.map((step) => {
      let id = step.id;
      while (!id || (!step.id && taken.has(id))) id = `s-${randomBytes(3).toString('hex')}`;
      taken.add(id);
      return step.type === 'branch'
        ? { ...step, id, yes: place(step.yes), no: place(step.no) }
        : ({ ...step, id } as PlacedStep);
    });
  return place(steps);
}

/**
 * Where each step leads: the step after it on its path, or null at a path's end. A branch leads to the
 * first step of the path taken, which `next` does not say (the engine reads `yes` and `no`).
 */
export function stepMap(steps: PlacedStep[]): Map<string, { step: PlacedStep; next: string | null }> {
  const map = new Map<string, { step: PlacedStep; next: string | null }>();
  const walk = (list: PlacedStep[]) =>
    list.forEach((step, n) => {
      map.set(step.id, { step, next: list[n + 1]?.id ?? null });
      if (step.type === 'branch') {
        walk(step.yes as PlacedStep[]);
        walk(step.no as PlacedStep[]);
      }
    });
  walk(steps);
  return map;
}
