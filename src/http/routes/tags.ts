import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import { Rule } from '../../segments/rule.js';
import { TAGS_BACKFILL } from '../../tags/jobs.js';
import {
  createTag,
  customerTags,
  deleteTag,
  getTag,
  listTags,
  setManualTag,
  TagInput,
  updateTag,
} from '../../tags/tags.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, CustomerTag, errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();
const Tag = z.object({
  tagId: z.uuid(),
  name: z.string(),
  group: z.string().nullable(),
  rule: Rule.nullable().describe('null: applied by hand'),
  customerCount: z.number().int(),
  createdAt: ts,
  updatedAt: ts,
});
const TagParams = z.object({ tagId: z.string() });
const Saved = z.object({
  tag: Tag,
  job: Job.nullable().describe('the back-fill that brings a new or changed rule to every customer'),
});

export const tagRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const actor = (staffId: string | undefined) => (staffId ? `staff:${staffId}` : 'api');

    app.get(
      '/api/tags',
      {
        schema: {
          tags: ['tags'],
          summary: 'Every tag with its group, rule and customer count',
          response: {
            200: z.object({
              items: z.array(
                Tag.extend({
                  ruleProblem: z
                    .string()
                    .nullable()
                    .describe(
                      'why the rule no longer applies (it names a tier since renamed); null when it does',
                    ),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({ items: await listTags(o.db, request.shopId) }),
    );
    app.post(
      '/api/tags',
      {
        schema: {
          tags: ['tags'],
          summary: 'Create a tag; a rule tag is back-filled over every customer by a job',
          body: TagInput,
          response: { 201: Saved, ...errors },
        },
      },
      async (request, reply) => {
        const tag = await createTag(o.db, request.shopId, request.body, 'body.rule');
        const job = tag.rule ? await startJob(o, request.shopId, TAGS_BACKFILL) : null;
        return reply.code(201).send({ tag, job });
      },
    );
    app.get(
      '/api/tags/:tagId',
      {
        schema: { tags: ['tags'], summary: 'One tag', params: TagParams, response: { 200: Tag, ...errors } },
      },
      async (request) => getTag(o.db, request.shopId, request.params.tagId),
    );
    app.put(
      '/api/tags/:tagId',
      {
        schema: {
          tags: ['tags'],
          summary: 'Rename, regroup or change the rule (a changed rule is back-filled by a job)',
          params: TagParams,
          body: TagInput,
          response: { 200: Saved, ...errors },
        },
      },
      async (request) => {
        const { tag, ruleChanged } = await updateTag(
          o.db,
          request.shopId,
          request.params.tagId,
          request.body,
          'body.rule',
        );
        return {
          tag,
          job: tag.rule && ruleChanged ? await startJob(o, request.shopId, TAGS_BACKFILL) : null,
        };
      },
    );
    app.delete(
      '/api/tags/:tagId',
      {
        schema: {
          tags: ['tags'],
          summary: 'Delete a tag (its customers get a tag.removed event)',
          params: TagParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deleteTag(o.db, request.shopId, request.params.tagId, actor(request.staff?.staffId));
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/api/tags/backfill',
      {
        schema: {
          tags: ['tags'],
          summary: 'Re-apply every rule tag to every customer now (a job)',
          response: { 202: Job, ...errors },
        },
      },
      async (request, reply) => reply.code(202).send(await startJob(o, request.shopId, TAGS_BACKFILL)),
    );
    app.post(
      '/api/tags/:tagId/customers',
      {
        schema: {
          tags: ['tags'],
          summary: 'Put a manual tag on customers, or take it off; doing it twice changes nothing',
          params: TagParams,
          body: z.strictObject({
            customerIds: z.array(z.string()).min(1).max(10_000),
            remove: z.boolean().default(false),
          }),
          response: { 200: z.object({ changed: z.number().int() }), ...errors },
        },
      },
      async (request) =>
        setManualTag(
          o.db,
          request.shopId,
          request.params.tagId,
          request.body.customerIds,
          !request.body.remove,
          actor(request.staff?.staffId),
        ),
    );
    app.get(
      '/api/customers/:customerId/tags',
      {
        schema: {
          tags: ['tags'],
          summary: "A customer's tags",
          params: CustomerParams,
          response: {
            200: z.object({
              items: z.array(CustomerTag),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return { items: await customerTags(o.db, request.shopId, customerId) };
      },
    );
  };
