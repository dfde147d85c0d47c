import { Readable } from 'node:stream';
import { z } from 'zod';
import { prepareExport, segmentCsv, segmentXlsx, type Audience } from '../../segments/export.js';
import { segmentContext } from '../../segments/context.js';
import { FIELD_NAMES, FIELDS, INTERACTIONS, OPERATORS, Rule, type FieldSpec } from '../../segments/rule.js';
import {
  countSegment,
  deleteSegment,
  getSegment,
  listSegments,
  sampleSegment,
  saveSegment,
  SegmentInput,
} from '../../segments/segments.js';
import { getSnapshot, listSnapshots, snapshotSegment } from '../../segments/snapshots.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { Customer, errors } from '../schemas.js';

const ts = z.iso.datetime();
const Segment = z.object({
  segmentId: z.uuid(),
  name: z.string(),
  description: z.string(),
  rule: Rule,
  createdAt: ts,
  updatedAt: ts,
});
const Snapshot = z.object({
  snapshotId: z.uuid(),
  segmentId: z.uuid().nullable().describe('null once the segment is deleted'),
  name: z.string(),
  rule: Rule.describe('the rule as it was when the snapshot was taken'),
  memberCount: z.number().int(),
  createdAt: ts,
});
const Count = z.object({
  customers: z.number().int().describe('customers matching the rule now'),
  of: z.number().int().describe("all the shop's customers"),
  ms: z.number().describe('how long the count took on the server'),
});
const SegmentParams = z.object({ segmentId: z.string() });
const Format = z.object({ format: z.enum(['csv', 'xlsx']).default('csv') });

export const segmentRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const timedCount = async (shopId: string, rule: unknown) => {
      const started = performance.now();
      const count = await countSegment(o.db, shopId, rule, 'body.rule');
      return { ...count, ms: Math.round((performance.now() - started) * 10) / 10 };
    };
    const download = async (
      shopId: string,
      audience: Audience,
      name: string,
      format: 'csv' | 'xlsx',
      reply: import('fastify').FastifyReply,
    ) => {
      const prepared = await prepareExport(o.db, shopId, audience, 'body.rule');
      const file = `${name.replace(/[^\w.-]+/g, '_') || 'segment'}.${format}`;
      reply.header('content-disposition', `attachment; filename="${file}"`);
      if (format === 'xlsx') {
        reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        return reply.send(segmentXlsx(o.db, prepared));
      }
      reply.header('content-type', 'text/csv; charset=utf-8');
      return reply.send(Readable.from(segmentCsv(o.db, prepared)));
    };

    app.get(
      '/api/segments/fields',
      {
        schema: {
          tags: ['segments'],
          summary: 'What a rule may use: fields with their operators, the tiers, the tags, the interactions',
          response: {
            200: z.object({
              fields: z.array(
                z.object({
                  field: z.string(),
                  type: z.enum(Object.keys(OPERATORS) as [keyof typeof OPERATORS]),
                  operators: z.array(z.string()),
                  choices: z.array(z.string()).optional(),
                  integer: z.boolean(),
                }),
              ),
              tiers: z.array(z.string()),
              tags: z.array(z.string()),
              interactions: z.array(z.string()),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const ctx = await segmentContext(o.db, request.shopId);
        return {
          fields: FIELD_NAMES.map((field) => {
            const spec: FieldSpec = FIELDS[field];
            return {
              field,
              type: spec.type,
              operators: [...OPERATORS[spec.type]],
              ...(spec.choices ? { choices: [...spec.choices] } : {}),
              integer: spec.integer ?? false,
            };
          }),
          tiers: [...ctx.tierKeys],
          tags: [...ctx.tagIds.keys()].sort(),
          interactions: [...INTERACTIONS],
        };
      },
    );
    app.post(
      '/api/segments/count',
      {
        config: { access: 'read', activity: false },
        schema: {
          tags: ['segments'],
          summary: 'Count the customers a rule matches now (the live count while editing)',
          body: z.strictObject({ rule: Rule }),
          response: { 200: Count, ...errors },
        },
      },
      async (request) => timedCount(request.shopId, request.body.rule),
    );
    app.post(
      '/api/segments/sample',
      {
        config: { access: 'read', activity: false },
        schema: {
          tags: ['segments'],
          summary: 'Some customers a rule matches, most recent buyers first',
          body: z.strictObject({ rule: Rule, limit: z.number().int().min(1).max(200).default(20) }),
          response: { 200: z.object({ items: z.array(Customer) }), ...errors },
        },
      },
      async (request) => ({
        items: await sampleSegment(o.db, request.shopId, request.body.rule, request.body.limit, 'body.rule'),
      }),
    );
    app.post(
      '/api/segments/export',
      {
        config: { access: 'read' },
        schema: {
          tags: ['segments'],
          summary: 'The customers a rule matches now, as CSV or XLSX',
          body: z.strictObject({ rule: Rule }),
          querystring: Format,
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      async (request, reply) =>
        download(request.shopId, { rule: request.body.rule }, 'segment', request.query.format, reply),
    );
    app.get(
      '/api/segments',
      {
        schema: {
          tags: ['segments'],
          summary: 'Saved segments',
          response: { 200: z.object({ items: z.array(Segment) }), ...errors },
        },
      },
      async (request) => ({ items: await listSegments(o.db, request.shopId) }),
    );
    app.post(
      '/api/segments',
      {
        schema: {
          tags: ['segments'],
          summary: 'Save a segment',
          body: SegmentInput,
          response: { 201: Segment, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await saveSegment(o.db, request.shopId, request.body, undefined, 'body.rule')),
    );
    app.get(
      '/api/segments/:segmentId',
      {
        schema: {
          tags: ['segments'],
          summary: 'One segment',
          params: SegmentParams,
          response: { 200: Segment, ...errors },
        },
      },
      async (request) => getSegment(o.db, request.shopId, request.params.segmentId),
    );
    app.put(
      '/api/segments/:segmentId',
      {
        schema: {
          tags: ['segments'],
          summary: 'Change a segment',
          params: SegmentParams,
          body: SegmentInput,
          response: { 200: Segment, ...errors },
        },
      },
      async (request) =>
        saveSegment(o.db, request.shopId, request.body, request.params.segmentId, 'body.rule'),
    );
    app.delete(
      '/api/segments/:segmentId',
      {
        schema: {
          tags: ['segments'],
          summary: 'Delete a segment (its snapshots stay)',
          params: SegmentParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deleteSegment(o.db, request.shopId, request.params.segmentId);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/api/segments/:segmentId/count',
      {
        schema: {
          tags: ['segments'],
          summary: "Count a saved segment's customers now",
          params: SegmentParams,
          response: { 200: Count, ...errors },
        },
      },
      async (request) => {
        const segment = await getSegment(o.db, request.shopId, request.params.segmentId);
        return timedCount(request.shopId, segment.rule);
      },
    );
    app.get(
      '/api/segments/:segmentId/export',
      {
        config: { activity: true },
        schema: {
          tags: ['segments'],
          summary: "A saved segment's customers now, as CSV or XLSX",
          params: SegmentParams,
          querystring: Format,
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      async (request, reply) => {
        const segment = await getSegment(o.db, request.shopId, request.params.segmentId);
        return download(request.shopId, { rule: segment.rule }, segment.name, request.query.format, reply);
      },
    );
    app.post(
      '/api/segments/:segmentId/snapshots',
      {
        schema: {
          tags: ['segments'],
          summary: "Freeze the segment's members now, for a campaign",
          params: SegmentParams,
          response: { 201: Snapshot, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await snapshotSegment(o.db, request.shopId, request.params.segmentId)),
    );
    app.get(
      '/api/segments/:segmentId/snapshots',
      {
        schema: {
          tags: ['segments'],
          summary: "A segment's snapshots, newest first",
          params: SegmentParams,
          response: { 200: z.object({ items: z.array(Snapshot) }), ...errors },
        },
      },
      async (request) => {
        const { segmentId } = await getSegment(o.db, request.shopId, request.params.segmentId);
        return { items: await listSnapshots(o.db, request.shopId, segmentId) };
      },
    );
    app.get(
      '/api/snapshots/:snapshotId',
      {
        schema: {
          tags: ['segments'],
          summary: 'One snapshot',
          params: z.object({ snapshotId: z.string() }),
          response: { 200: Snapshot, ...errors },
        },
      },
      async (request) => getSnapshot(o.db, request.shopId, request.params.snapshotId),
    );
    app.get(
      '/api/snapshots/:snapshotId/export',
      {
        config: { activity: true },
        schema: {
          tags: ['segments'],
          summary: "A snapshot's members, as CSV or XLSX",
          params: z.object({ snapshotId: z.string() }),
          querystring: Format,
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
        },
      },
      async (request, reply) => {
        const s = await getSnapshot(o.db, request.shopId, request.params.snapshotId);
        return download(request.shopId, { snapshotId: s.snapshotId }, s.name, request.query.format, reply);
      },
    );
  };
