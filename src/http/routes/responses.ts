// What comes back from sent messages: providers' delivery events and SMS replies (by the API, or by a
// provider's own callback), and the public links in messages (unsubscribe, open pixel, tracked click),
// which need no sign-in: their signature is their authority.
import { z } from 'zod';
import { AliyunReply, AliyunReport, receiveAliyunReplies, recordAliyunReports } from '../../engage/aliyun.js';
import { verifyLink, verifyPushToken } from '../../engage/links.js';
import {
  DeliveryEvent,
  InboundSms,
  receiveSms,
  recordClick,
  recordDeliveryEvent,
  recordOpen,
  unsubscribe,
} from '../../engage/responses.js';
import {
  receiveTencentReplies,
  recordTencentReports,
  TencentReply,
  TencentReport,
} from '../../engage/tencent.js';
import { AppError } from '../../errors.js';
import type { AppOptions } from '../app.js';
import { escapeHtml } from '../html.js';
import type { ApiPlugin } from '../plugin.js';
import { errors } from '../schemas.js';

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

export const responseRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    // Twilio posts SMS replies, and mail clients post one-click unsubscribes (RFC 8058), as forms.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
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
    /**
     * A provider's push (delivery reports or replies): a JSON array of up to 10,000 items, posted to the
     * shop's signed push address; each provider's answer says it arrived, or it pushes again.
     */
    const push = <T extends z.ZodType>(
      path: string,
      item: T,
      answer: z.ZodType,
      received: object,
      record: (db: AppOptions['db'], shopId: string, items: z.output<T>[]) => Promise<unknown>,
    ) =>
      app.post(
        path,
        { schema: { hide: true, params: Token, body: z.array(item).max(10_000), response: { 200: answer } } },
        async (request) => {
          const shopId = await verifyPushToken(o.db, request.params.token);
          await record(o.db, shopId, request.body);
          return received;
        },
      );
    // Aliyun's HTTP batch push (SmsReport, SmsUp): it retries until answered 200 with a numeric code.
    const AliyunAnswer = z.object({ code: z.number().int(), msg: z.string() });
    const aliyunReceived = { code: 0, msg: '接收成功' };
    push('/t/aliyun/:token/reports', AliyunReport, AliyunAnswer, aliyunReceived, recordAliyunReports);
    push('/t/aliyun/:token/replies', AliyunReply, AliyunAnswer, aliyunReceived, receiveAliyunReplies);
    // Tencent Cloud's status and reply callbacks, answered with a numeric result.
    const TencentAnswer = z.object({ result: z.number().int(), errmsg: z.string() });
    const tencentReceived = { result: 0, errmsg: 'OK' };
    push('/t/tencent/:token/reports', TencentReport, TencentAnswer, tencentReceived, recordTencentReports);
    push('/t/tencent/:token/replies', TencentReply, TencentAnswer, tencentReceived, receiveTencentReplies);
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
