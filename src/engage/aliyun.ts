// Alibaba Cloud SMS (dysmsapi, API version 2017-05-25): SendSms over its RPC protocol, every request
// signed with the shop's AccessKey (signature version 1.0, HMAC-SHA1). Aliyun sends only templates it
// approved, so a message goes as a template code with its variables, under the shop's approved signature.
// What comes back — delivery reports (SmsReport) and replies (SmsUp) — Aliyun pushes for the whole
// account to one address set in its console: the shop's signed push address.
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { notApproved, type SmsSettings } from './channels.js';
import { answerJson, postToProvider, providerRefusal } from './providerCall.js';
import type { SendOutcome } from './senders.js';
import { receiveReplies, recordDeliveryEvent } from './responses.js';
import type { ProviderTemplateText } from './templates.js';

type AliyunSettings = Extract<SmsSettings, { provider: 'aliyun' }>;

/** RFC 3986 as Aliyun applies it: only A–Z, a–z, 0–9, '-', '_', '.' and '~' stay as they are. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Base64(HMAC-SHA1(secret + '&', METHOD&%2F&encode(sorted, encoded query))). */
export function aliyunSignature(
  method: 'GET' | 'POST',
  params: Record<string, string>,
  secret: string,
): string {
  const query = Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${percentEncode('/')}&${percentEncode(query)}`)
    .digest('base64');
}

/**
 * Aliyun's number format: a mainland number without its country code, any other with it (no '+').
 * Numbers are stored in E.164.
 */
export function aliyunPhone(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/**
 * Codes after which the same request may pass later: throttling (Aliyun also limits each number to a
 * few texts a minute, hour and day), a balance to be topped up, a fault of theirs. Any other code — a
 * template or signature not approved, a number that cannot take texts, a wrong key — will not change.
 */
const RETRYABLE =
  /^(isv\.BUSINESS_LIMIT_CONTROL|isv\.DAY_LIMIT_CONTROL|isv\.AMOUNT_NOT_ENOUGH|Throttling(\..*)?|ServiceUnavailable|InternalError|SignatureNonceUsed)$/;

export async function sendAliyunSms(
  s: AliyunSettings,
  m: { messageId: string; to: string; providerTemplate?: ProviderTemplateText | null },
): Promise<SendOutcome> {
  if (!m.providerTemplate) {
    return { ok: false, retry: false, reason: notApproved('Aliyun') };
  }
  const params: Record<string, string> = {
    AccessKeyId: s.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    OutId: m.messageId,
    PhoneNumbers: aliyunPhone(m.to),
    RegionId: s.regionId,
    SignName: s.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    TemplateCode: m.providerTemplate.code,
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
  };
  if (Object.keys(m.providerTemplate.params).length > 0)
    params.TemplateParam = JSON.stringify(m.providerTemplate.params);
  params.Signature = aliyunSignature('POST', params, s.accessKeySecret ?? '');
  const answer = await postToProvider(`${s.baseUrl.replace(/\/+$/, '')}/`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Object.entries(params)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&'),
  });
  if ('ok' in answer) return answer;
  const { Code, Message } = answerJson<{ Code: unknown; Message: unknown }>(answer.text);
  const code = typeof Code === 'string' ? Code : null;
  if (answer.status < 300 && code === 'OK') return { ok: true };
  return providerRefusal('Aliyun', answer, code, typeof Message === 'string' ? Message : null, RETRYABLE);
}

/** One SmsReport entry; Aliyun may add fields. */
export const AliyunReport = z
  .object({
    success: z.boolean(),
    err_code: z.string().max(100).optional(),
    err_msg: z.string().max(500).optional(),
    out_id: z.string().max(256).optional(),
    sms_size: z.union([z.string().max(10), z.number()]).optional(),
  })
  .loose();

/** One SmsUp entry: a reply to a text under the account's signatures. */
export const AliyunReply = z
  .object({
    phone_number: z.string().max(40),
    content: z.string().max(2000),
    sequence_id: z.union([z.string().max(64), z.number()]).optional(),
  })
  .loose();

/**
 * Marks each reported message delivered or failed. The account's reports include texts this shop did not
 * send through its outbox (member-card codes, other systems on the same account, other shops): their
 * out_id names no message of the shop's, and they are passed over. Answers how many were recorded.
 */
export async function recordAliyunReports(
  db: Db,
  shopId: string,
  reports: z.infer<typeof AliyunReport>[],
): Promise<number> {
  let recorded = 0;
  for (const r of reports) {
    if (!r.out_id || !isUuid(r.out_id)) continue;
    try {
      await recordDeliveryEvent(db, shopId, {
        messageId: r.out_id,
        event: r.success ? 'delivered' : 'failed',
        reason: `Aliyun: ${[r.err_code, r.err_msg].filter(Boolean).join(' ') || 'not delivered'}`,
        // The parts Aliyun billed, its signature counted in: what the message cost.
        ...(/^[1-9]\d?$/.test(String(r.sms_size ?? '')) ? { parts: Number(r.sms_size) } : {}),
      });
      recorded++;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'not_found')) throw err;
    }
  }
  return recorded;
}

/**
 * Takes each reply as any SMS reply (a STOP or 退订 opts the customer out); its sequence number names it,
 * so a push Aliyun repeats records nothing twice. A sender that is no phone number is passed over.
 */
export function receiveAliyunReplies(
  db: Db,
  shopId: string,
  replies: z.infer<typeof AliyunReply>[],
): Promise<number> {
  return receiveReplies(
    db,
    shopId,
    replies.map((r) => ({
      // Aliyun's domestic service gives a mainland number without its country code, whatever the region
      // the shop's own numbers default to.
      from: /^1\d{10}$/.test(r.phone_number) ? `+86${r.phone_number}` : r.phone_number,
      text: r.content,
      id: r.sequence_id === undefined ? undefined : `aliyun:${r.sequence_id}`,
    })),
  );
}
