// Flows: the automations a trigger starts per customer, their steps' counts, who is in them, and a run
// on demand (the scheduler runs active flows every minute by itself).
import { z } from 'zod';
import { MESSAGE_STATUSES } from '../../engage/messages.js';
import { FLOWS_RUN } from '../../engage/jobs.js';
import { FlowInput, Trigger } from '../../engage/flows/definition.js';
import {
  activateFlow,
  createFlow,
  deleteFlow,
  FLOW_STATUSES,
  getFlow,
  listFlows,
  pauseFlow,
  updateFlow,
} from '../../engage/flows/flows.js';
import { flowReport, listEnrollments } from '../../engage/flows/report.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();
const Flow = z.object({
  flowId: z.uuid(),
  name: z.string(),
  trigger: Trigger,
  steps: z.array(z.unknown()).describe('as given, each step with its id'),
  segmentId: z.uuid().nullable(),
  holdoutPercent: z.number(),
  conversionDays: z.number().int(),
  status: z.enum(FLOW_STATUSES),
  enterFrom: ts.nullable().describe('occurrences from this time on enter'),
  scannedUntil: ts.nullable(),
  lastError: z.string().nullable().describe('why the last run could not let anyone in'),
  createdAt: ts,
  updatedAt: ts,
});
const Group = z.object({
  customers: z.number().int(),
  converted: z.number().int().describe('passes followed by an order within the conversion window'),
  conversionRate: z.number().nullable(),
  revenueCents: z.number().int(),
});
const Report = z.object({
  entered: z.number().int(),
  holdout: z.number().int(),
  active: z.number().int(),
  completed: z.number().int(),
  exited: z.number().int(),
  exitedBecause: z.record(z.string(), z.number().int()),
  steps: z.record(
    z.string(),
    z.object({
      passed: z.number().int(),
      yes: z.number().int(),
      no: z.number().int(),
      here: z.number().int().describe('at the step now'),
    }),
  ),
  messages: z.record(z.enum(MESSAGE_STATUSES), z.number().int()),
  suppressedBecause: z.record(z.string(), z.number().int()),
  opened: z.number().int(),
  clicked: z.number().int(),
  unsubscribed: z.number().int(),
  costCents: z.number().int().describe('messages sent × their channel’s cost per message'),
  coupons: z.object({ issued: z.number().int(), redeemed: z.number().int(), revenueCents: z.number().int() }),
  walked: Group,
  control: Group.describe('the held out: entered, walked no step'),
  lift: z.number().nullable(),
});
const Enrollment = z.object({
  enrollmentId: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string().nullable(),
  occurrence: z.string().describe("what let them in: 'order:<id>', 'birthday:2026', …"),
  occurredAt: ts,
  holdout: z.boolean(),
  status: z.enum(['active', 'completed', 'exited']),
  stepId: z.string().nullable(),
  nextAt: ts.nullable(),
  exitReason: z.string().nullable(),
  enteredAt: ts,
});
const FlowParams = z.object({ flowId: z.string() });

export const flowRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/flows',
      {
        schema: {
          tags: ['flows'],
          summary: 'Flows, newest first',
          response: { 200: z.object({ items: z.array(Flow) }), ...errors },
        },
      },
      async (request) => ({ items: await listFlows(o.db, request.shopId) }),
    );
    app.post(
      '/api/flows',
      {
        schema: {
          tags: ['flows'],
          summary: 'Create a draft flow: a trigger and steps (wait, branch, send, coupon, tag, points)',
          body: FlowInput,
          response: { 201: Flow, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createFlow(o.db, request.shopId, request.body, 'body')),
    );
    app.get(
      '/api/flows/:flowId',
      {
        schema: {
          tags: ['flows'],
          summary: 'One flow',
          params: FlowParams,
          response: { 200: Flow, ...errors },
        },
      },
      async (request) => getFlow(o.db, request.shopId, request.params.flowId),
    );
    app.put(
      '/api/flows/:flowId',
      {
        schema: {
          tags: ['flows'],
          summary: "Replace a flow's definition; customers at a step that is kept stay where they are",
          params: FlowParams,
          body: FlowInput,
          response: { 200: Flow, ...errors },
        },
      },
      async (request) => updateFlow(o.db, request.shopId, request.params.flowId, request.body, 'body'),
    );
    app.delete(
      '/api/flows/:flowId',
      {
        schema: {
          tags: ['flows'],
          summary: 'Delete a flow and its enrollments (messages sent stay)',
          params: FlowParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deleteFlow(o.db, request.shopId, request.params.flowId);
        return reply.code(204).send();
      },
    );
    app.post(
      '/api/flows/:flowId/activate',
      {
        schema: {
          tags: ['flows'],
          summary: 'Start (or resume) a flow',
          params: FlowParams,
          body: z.strictObject({
            catchUpDays: z
              .number()
              .int()
              .min(0)
              .max(30)
              .default(0)
              .describe("also let in occurrences of the last days (e.g. yesterday's orders)"),
          }),
          response: { 200: z.object({ flow: Flow, job: Job }), ...errors },
        },
      },
      async (request) => {
        const flow = await activateFlow(
          o.db,
          request.shopId,
          request.params.flowId,
          request.body.catchUpDays,
        );
        return { flow, job: await startJob(o, request.shopId, FLOWS_RUN) };
      },
    );
    app.post(
      '/api/flows/:flowId/pause',
      {
        schema: {
          tags: ['flows'],
          summary: 'Pause: no one enters or moves on until it is activated again',
          params: FlowParams,
          response: { 200: Flow, ...errors },
        },
      },
      async (request) => pauseFlow(o.db, request.shopId, request.params.flowId),
    );
    app.get(
      '/api/flows/:flowId/report',
      {
        schema: {
          tags: ['flows'],
          summary: 'Entries, per-step counts, messages, coupons, conversions and lift against the holdout',
          params: FlowParams,
          response: { 200: Report, ...errors },
        },
      },
      async (request) => flowReport(o.db, request.shopId, request.params.flowId),
    );
    app.get(
      '/api/flows/:flowId/enrollments',
      {
        schema: {
          tags: ['flows'],
          summary: 'Who entered, most recent first, and where each is now',
          params: FlowParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
          response: { 200: z.object({ items: z.array(Enrollment) }), ...errors },
        },
      },
      async (request) => ({
        items: await listEnrollments(o.db, request.shopId, request.params.flowId, request.query.limit),
      }),
    );
    app.post(
      '/api/flows/run',
      {
        schema: {
          tags: ['flows'],
          summary: "Run the shop's active flows now (the scheduler does every minute)",
          response: { 202: Job, ...errors },
        },
      },
      async (request, reply) => reply.code(202).send(await startJob(o, request.shopId, FLOWS_RUN)),
    );
  };
