// The senders: one per channel, each turning a rendered message into a real delivery attempt (SMTP through
// nodemailer, an SMS provider's HTTP API, a signed webhook) and saying whether a failure is worth a retry.
import { createHmac } from 'node:crypto';
import { Transform } from 'node:stream';
import nodemailer from 'nodemailer';
import { sendAliyunSms } from './aliyun.js';
import type { Channel, EmailSettings, SmsSettings, WebhookSettings } from './channels.js';
import { postToProvider } from './providerCall.js';
import { sendTencentSms } from './tencent.js';
import type { ProviderTemplateText } from './templates.js';

export interface OutgoingMessage {
  messageId: string;
  customerId: string;
  campaignId: string | null;
  to: string;
  subject: string | null;
  body: string;
  /** An SMS template's approved template at a provider that sends nothing else (Aliyun, Tencent Cloud). */
  providerTemplate: ProviderTemplateText | null;
  transactional: boolean;
  unsubscribeUrl: string;
  /** Where the provider may report delivery (a signed link to this server). */
  statusUrl: string;
  /**
   * Records the message as sent. Email calls it when the relay has the whole message but has not yet been
   * told to take it (the final dot), so a crash either leaves the message unrecorded and undelivered
   * (it goes again) or recorded and delivered; other channels leave it to the caller, after success.
   */
  commit: () => Promise<void>;
}

/**
 * Sent — with the parts the provider billed and its own id of the message, when it says at once — or not,
 * and whether to try again.
 */
export type SendOutcome =
  { ok: true; parts?: number; providerRef?: string } | { ok: false; retry: boolean; reason: string };

export interface Sender {
  send(message: OutgoingMessage): Promise<SendOutcome>;
  close(): void;
}

export function senderFor(channel: Channel, shopId: string): Sender {
  switch (channel.channel) {
    case 'email':
      return emailSender(channel.settings);
    case 'sms':
      return smsSender(channel.settings);
    case 'webhook':
      return webhookSender(channel.settings, shopId);
  }
}

function emailSender(s: EmailSettings): Sender {
  const transport = nodemailer.createTransport({
    pool: true,
    host: s.host,
    port: s.port,
    secure: s.secure,
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    maxConnections: s.maxConnections,
    maxMessages: Infinity,
  });
  // The message stream ends — and the SMTP connection sends the dot that commits it at the relay — only
  // once the message is recorded as sent.
  const commits = new Map<string, () => Promise<void>>();
  transport.use('stream', (mail, done) => {
    const commit = commits.get(String(mail.data.messageId));
    if (commit)
      mail.message.transform(
        () =>
          new Transform({
            transform: (chunk, _encoding, callback) => callback(null, chunk),
            flush: (callback) => void commit().then(() => callback(), callback),
          }),
      );
    done();
  });
  return {
    async send(m) {
      const messageId = `<${m.messageId}@regulars>`;
      commits.set(messageId, m.commit);
      try {
        await transport.sendMail({
          from: s.from,
          replyTo: s.replyTo,
          to: m.to,
          subject: m.subject ?? '',
          html: m.body,
          // The same id on a resend after a crash, so mail systems that see both keep one.
          messageId,
          headers: m.transactional
            ? {}
            : {
                'List-Unsubscribe': `<${m.unsubscribeUrl}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              },
        });
        return { ok: true };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string };
        // 5xx: the relay refused this message for good (no such mailbox, policy); anything else
        // (4xx, a dropped connection) may pass later.
        const permanent = e.responseCode !== undefined && e.responseCode >= 500;
        return { ok: false, retry: !permanent, reason: (e.message ?? String(err)).slice(0, 500) };
      } finally {
        commits.delete(messageId);
      }
    },
    close: () => transport.close(),
  };
}

async function post(url: string, init: RequestInit): Promise<SendOutcome> {
  const answer = await postToProvider(url, init);
  if ('ok' in answer) return answer;
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const text = answer.text.slice(0, 300);
  // Throttled or a server fault: try again later. Any other refusal will not change on its own.
  const retry = answer.status === 408 || answer.status === 429 || answer.status >= 500;
  return { ok: false, retry, reason: `HTTP ${answer.status}${text ? `: ${text}` : ''}` };
}

/** What an SMS provider is given: the outbox's messages, and texts sent on their own (a one-time code). */
export interface SmsText {
  messageId: string;
  to: string;
  body: string;
  /** The same message as the provider's approved template, for a provider that sends only those. */
  providerTemplate?: ProviderTemplateText | null;
  /** Where the provider may report delivery; a text the outbox does not track has none. */
  statusUrl?: string;
}

export function sendSms(s: SmsSettings, m: SmsText): Promise<SendOutcome> {
  if (s.provider === 'aliyun') return sendAliyunSms(s, m);
  if (s.provider === 'tencent') return sendTencentSms(s, m);
  if (s.provider === 'twilio') {
    const form = new URLSearchParams({ To: m.to, Body: m.body });
    if (m.statusUrl) form.set('StatusCallback', m.statusUrl);
    form.set(s.from.startsWith('MG') ? 'MessagingServiceSid' : 'From', s.from);
    return post(`${s.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${s.accountSid}/Messages.json`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken ?? ''}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
    });
  }
  return post(s.url, {
    headers: {
      'content-type': 'application/json',
      ...(s.token ? { authorization: `Bearer ${s.token}` } : {}),
    },
    body: JSON.stringify({
      to: m.to,
      text: m.body,
      from: s.from ?? null,
      messageId: m.messageId,
      template: m.providerTemplate ?? null,
    }),
  });
}

function smsSender(s: SmsSettings): Sender {
  return { send: (m) => sendSms(s, m), close: () => undefined };
}

/** The X-Regulars-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe signs. */
export function webhookSignature(secret: string, body: string, at = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function webhookSender(s: WebhookSettings, shopId: string): Sender {
  return {
    send(m) {
      let payload: unknown;
      try {
        payload = JSON.parse(m.body);
      } catch {
        payload = m.body;
      }
      const body = JSON.stringify({
        type: 'message',
        shopId,
        messageId: m.messageId,
        customerId: m.customerId,
        campaignId: m.campaignId,
        payload,
      });
      return post(s.url, {
        headers: {
          'content-type': 'application/json',
          'x-regulars-message-id': m.messageId,
          'x-regulars-signature': webhookSignature(s.secret ?? '', body),
        },
        body,
      });
    },
    close: () => undefined,
  };
}
