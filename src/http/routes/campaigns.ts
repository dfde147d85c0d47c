// Campaigns and their reports, the outbox's messages, providers' delivery events and SMS replies, and the
// public links in messages (unsubscribe, open pixel, tracked click), which need no sign-in: their
// signature is their authority.
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
import { AliyunReply, AliyunReport, receiveAliyunReplies, recordAliyunReports } from '../../engage/aliyun.js';
import { verifyLink, verifyPushToken } from '../../engage/links.js';
import {
  receiveTencentReplies,
  recordTencentReports,
  TencentReply,
  TencentReport,
} from '../../engage/tencent.js';
import { listMessages, MESSAGE_STATUSES } from '../../engage/messages.js';
import { campaignReport } from '../../engage/report.js';
import {
  DeliveryEvent,
  InboundSms,
  receiveSms,
  recordClick,
  recordDeliveryEvent,
  recordOpen,
  unsubscribe,
} from '../../engage/responses.js';
import { AppError } from '../../errors.js';
import type { AppOptions } from '../app.js';
import { escapeHtml } from '../html.js';
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

/** Twilio's final message statuses; the others (queued, sending, sent) change nothing here. */
const TWILIO_STATUSES: Record<string, 'delivered' | 'failed'> = {
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
};

/** The 1×1 transparent GIF an open pixel answers with. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em}button{font:inherit;padding:.5em 1.2em}</style></head>
<body>${body}</body></html>`;
}

export const campaignRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    // Twilio posts SMS replies, and mail clients post one-click unsubscribes (RFC 8058), as forms.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );

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
    app.post(
      '/api/messages/events',
      {
        config: { activity: false },
        schema: {
          tags: ['campaigns'],
          summary: "A provider's delivery receipts, bounces and complaints (these two opt the customer out)",
          body: z.object({ events: z.array(DeliveryEvent).min(1).max(1000) }),
          response: { 200: z.object({ recorded: z.number().int() }), ...errors },
        },
      },
      async (request) => {
        for (const e of request.body.events) await recordDeliveryEvent(o.db, request.shopId, e);
        return { recorded: request.body.events.length };
      },
    );
    app.post(
      '/api/inbound/sms',
      {
        config: { activity: false },
        schema: {
          tags: ['campaigns'],
          summary: 'An SMS reply from a customer; STOP (退订, TD, T…) opts them out of SMS',
          description: "JSON {from, text, id}, or Twilio's form post (From, Body, MessageSid).",
          body: z.union([
            InboundSms,
            z
              .object({ From: z.string(), Body: z.string(), MessageSid: z.string().optional() })
              .transform((t) => ({ from: t.From, text: t.Body, id: t.MessageSid })),
          ]),
          response: { 200: z.object({ customers: z.number().int(), stop: z.boolean() }), ...errors },
        },
      },
      async (request) => receiveSms(o.db, request.shopId, InboundSms.parse(request.body)),
    );

    const Token = z.object({ token: z.string().max(2000) });
    app.get('/t/o/:token', { schema: { hide: true, params: Token } }, async (request, reply) => {
      // A forged or stale pixel still gets its image: a mail client shows nothing broken either way.
      try {
        await recordOpen(o.db, await verifyLink(o.db, 'open', request.params.token));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
      }
      return reply.header('content-type', 'image/gif').header('cache-control', 'no-store').send(PIXEL);
    });
    app.get('/t/c/:token', { schema: { hide: true, params: Token } }, async (request, reply) => {
      const url = await recordClick(o.db, await verifyLink(o.db, 'click', request.params.token));
      return reply.redirect(url, 302);
    });
    // Twilio's StatusCallback: a form with MessageStatus; the signed path names the message.
    app.post(
      '/t/s/:token',
      {
        schema: {
          hide: true,
          params: Token,
          body: z
            .object({ MessageStatus: z.string().max(40), ErrorCode: z.string().max(20).optional() })
            .loose(),
        },
      },
      async (request, reply) => {
        const claim = await verifyLink(o.db, 'status', request.params.token);
        const event = TWILIO_STATUSES[request.body.MessageStatus];
        const { MessageStatus: status, ErrorCode: code } = request.body;
        if (event)
          await recordDeliveryEvent(o.db, claim.shopId, {
            messageId: claim.messageId,
            event,
            reason: `Twilio: ${status}${code ? ` (error ${code})` : ''}`,
          });
        return reply.code(204).send();
      },
    );
    // Aliyun's HTTP batch push (SmsReport, SmsUp): a JSON array; it retries until answered 200 with a
    // numeric code.
    const AliyunAnswer = z.object({ code: z.number().int(), msg: z.string() });
    app.post(
      '/t/aliyun/:token/reports',
      {
        schema: {
          hide: true,
          params: Token,
          body: z.array(AliyunReport).max(10_000),
          response: { 200: AliyunAnswer },
        },
      },
      async (request) => {
        const shopId = await verifyPushToken(o.db, request.params.token);
        await recordAliyunReports(o.db, shopId, request.body);
        return { code: 0, msg: '接收成功' };
      },
    );
    app.post(
      '/t/aliyun/:token/replies',
      {
        schema: {
          hide: true,
          params: Token,
          body: z.array(AliyunReply).max(10_000),
          response: { 200: AliyunAnswer },
        },
      },
      async (request) => {
        const shopId = await verifyPushToken(o.db, request.params.token);
        await receiveAliyunReplies(o.db, shopId, request.body);
        return { code: 0, msg: '接收成功' };
      },
    );
    // Tencent Cloud's status and reply callbacks: a JSON array, answered with a numeric result.
    const TencentAnswer = z.object({ result: z.number().int(), errmsg: z.string() });
    app.post(
      '/t/tencent/:token/reports',
      {
        schema: {
          hide: true,
          params: Token,
          body: z.array(TencentReport).max(10_000),
          response: { 200: TencentAnswer },
        },
      },
      async (request) => {
        const shopId = await verifyPushToken(o.db, request.params.token);
        await recordTencentReports(o.db, shopId, request.body);
        return { result: 0, errmsg: 'OK' };
      },
    );
    app.post(
      '/t/tencent/:token/replies',
      {
        schema: {
          hide: true,
          params: Token,
          body: z.array(TencentReply).max(10_000),
          response: { 200: TencentAnswer },
        },
      },
      async (request) => {
        const shopId = await verifyPushToken(o.db, request.params.token);
        await receiveTencentReplies(o.db, shopId, request.body);
        return { result: 0, errmsg: 'OK' };
      },
    );
    app.get('/u/:token', { schema: { hide: true, params: Token } }, async (request, reply) => {
      await verifyLink(o.db, 'unsubscribe', request.params.token);
      // A link scanner may fetch this page; only the button (or a mail client's one-click POST) unsubscribes.
      return reply.type('text/html; charset=utf-8').send(
        page(
          'Unsubscribe · 退订',
          `<h1>Unsubscribe · 退订</h1><p>Stop receiving these messages? · 不再接收此类消息？</p>
<form method="post"><button type="submit">Unsubscribe · 确认退订</button></form>`,
        ),
      );
    });
    app.post('/u/:token', { schema: { hide: true, params: Token } }, async (request, reply) => {
      const done = await unsubscribe(o.db, await verifyLink(o.db, 'unsubscribe', request.params.token));
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page(
            'Unsubscribed · 已退订',
            `<h1>Unsubscribed · 已退订</h1><p>${escapeHtml(done.shopName)} will send you no more ${escapeHtml(done.channel)} marketing. · 您将不再收到${escapeHtml(done.shopName)}的营销消息。</p>`,
          ),
        );
    });
  };
