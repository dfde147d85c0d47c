import { Readable } from 'node:stream';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { activityCsv, ActivityExportQuery, ActivityQuery, listActivity } from '../../shops/activity.js';
import { getRetention, RetentionSettings, setRetention } from '../../shops/retention.js';
import { ROLES } from '../../shops/roles.js';
import {
  StaffChange,
  StaffInput,
  createStaff,
  listStaff,
  removeStaff,
  updateStaff,
} from '../../shops/staff.js';
import type { AppOptions } from '../app.js';
import { errors } from '../schemas.js';

const StaffMember = z.object({
  staffId: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.iso.datetime(),
  lockedUntil: z.iso
    .datetime()
    .nullable()
    .describe(
      'while ten wrong passwords in a row have locked their sign-in: until when (a new password lifts it)',
    ),
});
const StaffParams = z.object({ staffId: z.string() });
const ActivityEntry = z.object({
  entryId: z.uuid(),
  at: z.iso.datetime(),
  staffId: z.uuid().nullable(),
  apiKeyId: z.uuid().nullable(),
  actor: z.string().describe('the staff member (name <email>) or API key, as they were named then'),
  address: z.string().describe("the client's address (behind a proxy, as REGULARS_TRUST_PROXY allows)"),
  method: z.string(),
  route: z.string().describe('the route as declared: /api/customers/:customerId/erase'),
  params: z.record(z.string(), z.unknown()).describe("the route's parameters and query"),
  status: z.number().int().describe('how it ended: 2xx done, 4xx refused'),
});

/** The shop's staff: everyone sees who they are; the owner adds them, sets their role and removes them. */
export const staffRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/activity',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['staff'],
          summary:
            'What staff and API keys did, newest first: every sign-in, every call that changed data and every export of personal data, refused ones included (the order intake is not listed: the orders are its record)',
          querystring: ActivityQuery,
          response: { 200: z.object({ items: z.array(ActivityEntry) }), ...errors },
        },
      },
      async (request) => ({ items: await listActivity(o.db, request.shopId, request.query) }),
    );
    app.get(
      '/api/activity.csv',
      {
        config: { access: 'administer', activity: true },
        schema: {
          tags: ['staff'],
          summary:
            "The activity as CSV for an audit, newest first, over the shop's calendar days from and to (both optional): when, who, from where, what and how it ended",
          querystring: ActivityExportQuery,
          produces: ['text/csv'],
        },
      },
      async (request, reply) => {
        const { from, to } = request.query;
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header(
          'content-disposition',
          `attachment; filename="activity${from ? `-from-${from}` : ''}${to ? `-to-${to}` : ''}.csv"`,
        );
        return reply.send(Readable.from(activityCsv(o.db, request.shopId, request.query)));
      },
    );
    app.get(
      '/api/retention',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['staff'],
          summary:
            "How long the shop keeps its activity record and the refused cells of its imports' error reports (the defaults until the owner sets them)",
          response: { 200: RetentionSettings, ...errors },
        },
      },
      async (request) => getRetention(o.db, request.shopId),
    );
    app.put(
      '/api/retention',
      {
        config: { access: 'own' },
        schema: {
          tags: ['staff'],
          summary:
            'Set how long the shop keeps its activity record and refused import cells; what is older goes at once (a prune job) and then every night at midnight',
          body: RetentionSettings,
          response: { 200: RetentionSettings, ...errors },
        },
      },
      async (request) => setRetention(o.db, request.shopId, request.body),
    );
    app.get(
      '/api/staff',
      {
        schema: {
          tags: ['staff'],
          summary: "The shop's staff and their roles",
          response: { 200: z.object({ items: z.array(StaffMember) }), ...errors },
        },
      },
      async (request) => ({ items: await listStaff(o.db, request.shopId) }),
    );
    app.post(
      '/api/staff',
      {
        config: { access: 'own' },
        schema: {
          tags: ['staff'],
          summary: 'Add a staff member who signs in with this email and password',
          // Through the API the role is said, never defaulted: the CLI's default is for a shop's first owner.
          body: z.strictObject({ ...StaffInput.shape, role: z.enum(ROLES) }),
          response: { 201: StaffMember, 409: errors[400], ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await createStaff(o.db, request.shopId, request.body)),
    );
    app.patch(
      '/api/staff/:staffId',
      {
        config: { access: 'own' },
        schema: {
          tags: ['staff'],
          summary: "Change a staff member's name, role or password (a new password ends their sessions)",
          params: StaffParams,
          body: StaffChange,
          response: { 200: StaffMember, 409: errors[400], ...errors },
        },
      },
      async (request) => updateStaff(o.db, request.shopId, request.params.staffId, request.body),
    );
    app.delete(
      '/api/staff/:staffId',
      {
        config: { access: 'own' },
        schema: {
          tags: ['staff'],
          summary: 'Remove a staff member; their sessions end',
          params: StaffParams,
          response: { 204: z.null(), 409: errors[400], ...errors },
        },
      },
      async (request, reply) => {
        await removeStaff(o.db, request.shopId, request.params.staffId);
        return reply.code(204).send(null);
      },
    );
  };
