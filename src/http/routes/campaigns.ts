// Campaigns and their reports, and the outbox's messages. What comes back from the messages (delivery
// events, replies, the links in them) is answered in responses.ts.
import { z } from 'zod';
import {
  CAMPAIGN_STATUSES,
  CampaignInput,
  cancelCampaign,
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  scheduleCampaign,
} from '../../engage/campaigns.js';
import { MESSAGE_CHANNELS } from '../../engage/channels.js';
import { MESSAGES_DELIVER } from '../../engage/jobs.js';
import { listMessages, MESSAGE_STATUSES } from '../../engage/messages.js';
import { campaignReport } from '../../engage/report.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();
const Campaign = z.object({
  campaignId: z.uuid(),
  name: z.string(),
  templateId: z.uuid(),
  channel: z.enum(MESSAGE_CHANNELS),
  segmentId: z.uuid().nullable(),
  snapshotId: z.uuid().nullable(),
  holdoutPercent: z.number(),
  conversionDays: z.number().int(),
  couponId: z.uuid().nullable(),
  status: z.enum(CAMPAIGN_STATUSES),
  scheduledAt: ts.nullable(),
  startedAt: ts.nullable(),
  finishedAt: ts.nullable(),
  createdAt: ts,
});
const Group = z.object({
  customers: z.number().int(),
  converted: z.number().int().describe('customers with an order in the conversion window'),
  conversionRate: z.number().nullable(),
  revenueCents: z.number().int().describe('their orders in the window, less refunds'),
});
const WakeUp = z.object({
  dormant: z.number().int(),
  reactivated: z.number().int(),
  rate: z.number().nullable(),
});
const Report = z.object({
  audience: z.number().int(),
  holdout: z.number().int(),
  messages: z.record(z.enum(MESSAGE_STATUSES), z.number().int()),
  suppressedBecause: z.record(z.string(), z.number().int()),
  opened: z.number().int(),
  clicked: z.number().int(),
  unsubscribed: z.number().int(),
  costCents: z.number().int().describe('messages sent × their channel’s cost per message'),
  coupons: z.object({
    issued: z.number().int(),
    redeemed: z.number().int(),
    revenueCents: z.number().int().describe('orders that redeemed a code, less refunds'),
  }),
  recipients: Group,
  control: Group.describe('the held-out members, measured from the launch'),
  lift: z.number().nullable().describe("recipients' conversion rate minus the control group's"),
  reactivation: z
    .object({
      days: z.number().int(),
      recipients: WakeUp,
      control: WakeUp,
    })
    .describe('of those with no purchase in `days` before the message (control: the launch), who converted'),
});
const Message = z.object({
  messageId: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string().nullable(),
  channel: z.enum(MESSAGE_CHANNELS),
  campaignId: z.uuid().nullable(),
  transactional: z.boolean(),
  status: z.enum(MESSAGE_STATUSES),
  reason: z.string().nullable(),
  recipient: z.string().nullable(),
  subject: z.string().nullable(),
  attempts: z.number().int(),
  parts: z
    .number()
    .int()
    .nullable()
    .describe('once sent: the parts it was billed as (an SMS by its length, or as the provider reported)'),
  costCents: z.number().nullable().describe('once sent: its parts at the price of a part when it went'),
  queuedAt: ts,
  sentAt: ts.nullable(),
  deliveredAt: ts.nullable(),
  openedAt: ts.nullable(),
  clickedAt: ts.nullable(),
});
const CampaignParams = z.object({ campaignId: z.string() });

export const campaignRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Campaigns, newest first',
          response: { 200: z.object({ items: z.array(Campaign) }), ...errors },
        },
      },
      async (request) => ({ items: await listCampaigns(o.db, request.shopId) }),
    );
    app.post(
      '/api/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary:
            'Create a draft campaign: a template to a segment (frozen at launch) with an optional holdout',
          body: CampaignInput,
          response: { 201: Campaign, 409: errors[400], ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createCampaign(o.db, request.shopId, request.body)),
    );
    app.get(
      '/api/campaigns/:campaignId',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'One campaign',
          params: CampaignParams,
          response: { 200: Campaign, ...errors },
        },
      },
      async (request) => getCampaign(o.db, request.shopId, request.params.campaignId),
    );
    app.delete(
      '/api/campaigns/:campaignId',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Delete a draft',
          params: CampaignParams,
          response: { 204: z.null(), 409: errors[400], ...errors },
        },
      },
      async (request, reply) => {
        await deleteCampaign(o.db, request.shopId, request.params.campaignId);
        return reply.code(204).send();
      },
    );
    app.post(
      '/api/campaigns/:campaignId/schedule',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Send now, or at a time; the delivery job launches it when due',
          params: CampaignParams,
          body: z.strictObject({ at: z.iso.datetime({ offset: true }).optional().describe('absent: now') }),
          response: {
            200: z.object({ campaign: Campaign, job: Job.nullable() }),
            409: errors[400],
            ...errors,
          },
        },
      },
      async (request) => {
        const at = request.body.at ? new Date(request.body.at) : new Date();
        const campaign = await scheduleCampaign(o.db, request.shopId, request.params.campaignId, at);
        const job = at.getTime() <= Date.now() ? await startJob(o, request.shopId, MESSAGES_DELIVER) : null;
        return { campaign, job };
      },
    );
    app.post(
      '/api/campaigns/:campaignId/cancel',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Stop a campaign; messages not yet sent are not sent',
          params: CampaignParams,
          response: { 200: Campaign, 409: errors[400], ...errors },
        },
      },
      async (request) => cancelCampaign(o.db, request.shopId, request.params.campaignId),
    );
    app.get(
      '/api/campaigns/:campaignId/report',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Delivery, engagement, conversions and lift against the holdout',
          params: CampaignParams,
          response: { 200: Report, ...errors },
        },
      },
      async (request) => campaignReport(o.db, request.shopId, request.params.campaignId),
    );

    app.get(
      '/api/messages',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Messages, newest first: of a campaign, a customer, or in a status',
          querystring: z.object({
            campaignId: z.uuid().optional(),
            customerId: z.uuid().optional(),
            status: z.enum(MESSAGE_STATUSES).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(50),
          }),
          response: { 200: z.object({ items: z.array(Message) }), ...errors },
        },
      },
      async (request) => ({ items: await listMessages(o.db, request.shopId, request.query) }),
    );
  };
