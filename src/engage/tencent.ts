// Tencent Cloud SMS (API version 2021-01-11): SendSms as JSON, signed with the shop's SecretId and
// SecretKey (TC3-HMAC-SHA256). Like Aliyun it sends only templates it approved, but its variables are
// numbered ({1}, {2} …): an SMS template names its template ID and the variables 1, 2 … in order. Its
// delivery reports and replies come to one address set in its console: the shop's signed push address.
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { notApproved, type SmsSettings } from './channels.js';
import { answerJson, postToProvider, providerRefusal } from './providerCall.js';
import type { SendOutcome } from './senders.js';
import { receiveReplies, recordDeliveryEvent } from './responses.js';
import type { ProviderTemplateText } from './templates.js';

type TencentSettings = Extract<SmsSettings, { provider: 'tencent' }>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** The Authorization header of a JSON POST to `host`, signed at `timestamp` (seconds) as TC3 asks. */
export function tc3Authorization(p: {
  secretId: string;
  secretKey: string;
  service: string;
  host: string;
  timestamp: number;
  contentType: string;
  payload: string;
}): string {
  const canonical = [
    'POST',
    '/',
    '',
    `content-type:${p.contentType}\nhost:${p.host}\n`,
    'content-type;host',
    sha256(p.payload),
  ].join('\n');
  const date = new Date(p.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${p.service}/tc3_request`;
  const toSign = ['TC3-HMAC-SHA256', String(p.timestamp), scope, sha256(canonical)].join('\n');
  const signing = hmac(hmac(hmac(`TC3${p.secretKey}`, date), p.service), 'tc3_request');
  const signature = createHmac('sha256', signing).update(toSign).digest('hex');
  return `TC3-HMAC-SHA256 Credential=${p.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

/** The values of variables named 1, 2 … n in order, or null when they are named otherwise. */
export function numberedParams(params: Record<string, string>): string[] | null {
  const names = Object.keys(params);
  const values = names.map((_, i) => params[String(i + 1)]);
  return values.every((v) => v !== undefined) ? (values as string[]) : null;
}

/**
 * Codes after which the same text may pass later: a number's or the account's rate limits, an empty
 * package, a fault of theirs. Any other — a template or signature not approved, a number that cannot
 * take texts, a wrong key — will not change.
 */
const RETRYABLE =
  /^(LimitExceeded\..*|RequestLimitExceeded.*|InternalError.*|FailedOperation\.InsufficientBalanceInSmsPackage)$/;

export async function sendTencentSms(
  s: TencentSettings,
  m: { messageId: string; to: string; providerTemplate?: ProviderTemplateText | null },
): Promise<SendOutcome> {
  if (!m.providerTemplate) return { ok: false, retry: false, reason: notApproved('Tencent Cloud') };
  const params = numberedParams(m.providerTemplate.params);
  if (!params)
    return {
      ok: false,
      retry: false,
      reason: "Tencent Cloud numbers a template's variables: name them 1, 2 … in the template's order",
    };
  const url = new URL(s.baseUrl);
  const payload = JSON.stringify({
    PhoneNumberSet: [m.to],
    SmsSdkAppId: s.sdkAppId,
    SignName: s.signName,
    TemplateId: m.providerTemplate.code,
    TemplateParamSet: params,
    SessionContext: m.messageId,
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const contentType = 'application/json; charset=utf-8';
  const answer = await postToProvider(url, {
    headers: {
      authorization: tc3Authorization({
        secretId: s.secretId,
        secretKey: s.secretKey ?? '',
        service: 'sms',
        host: url.host,
        timestamp,
        contentType,
        payload,
      }),
      'content-type': contentType,
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': s.region,
      'x-tc-timestamp': String(timestamp),
    },
    body: payload,
  });
  if ('ok' in answer) return answer;
  const { Response: response } = answerJson<{
    Response: {
      Error?: { Code?: string; Message?: string };
      SendStatusSet?: { Code?: string; Message?: string; Fee?: number; SerialNo?: string }[];
    };
  }>(answer.text);
  const said = response?.Error ?? response?.SendStatusSet?.[0];
  const code = typeof said?.Code === 'string' ? said.Code : null;
  if (answer.status < 300 && code === 'Ok') {
    // Tencent answers with the parts it billed (Fee) and its SerialNo, which its reports name.
    const { Fee: fee, SerialNo: serial } = response!.SendStatusSet![0]!;
    return {
      ok: true,
      ...(Number.isInteger(fee) && fee! > 0 ? { parts: fee } : {}),
      ...(typeof serial === 'string' && serial ? { providerRef: serial } : {}),
    };
  }
  return providerRefusal(
    'Tencent Cloud',
    answer,
    code,
    typeof said?.Message === 'string' ? said.Message : null,
    RETRYABLE,
  );
}

/** One entry of a status callback; the SerialNo of the send names the message. */
export const TencentReport = z
  .object({
    report_status: z.string().max(20),
    errmsg: z.string().max(200).optional(),
    description: z.string().max(500).optional(),
    sid: z.string().max(128),
  })
  .loose();

/** One reply (a text sent back to the shop's signature). */
export const TencentReply = z
  .object({
    nationcode: z.string().max(8),
    mobile: z.string().max(32),
    text: z.string().max(2000),
    time: z.union([z.number(), z.string().max(32)]).optional(),
  })
  .loose();

/**
 * Marks each reported message delivered or failed. Reports on texts that are no message of this shop's
 * (member-card codes, other systems or shops on the same account) name no SerialNo it keeps, and are
 * passed over.
 */
export async function recordTencentReports(
  db: Db,
  shopId: string,
  reports: z.infer<typeof TencentReport>[],
): Promise<number> {
  let recorded = 0;
  for (const r of reports) {
    const [m] = await db.query<{ messageId: string }>(
      'select message_id as "messageId" from messages where shop_id = $1 and provider_ref = $2',
      [shopId, r.sid],
    );
    if (!m) continue;
    await recordDeliveryEvent(db, shopId, {
      messageId: m.messageId,
      event: r.report_status === 'SUCCESS' ? 'delivered' : 'failed',
      reason: `Tencent Cloud: ${[r.errmsg, r.description].filter(Boolean).join(' ') || r.report_status}`,
    });
    recorded++;
  }
  return recorded;
}

/**
 * Takes each reply as any SMS reply (退订, TD or STOP opts the customer out); the number and time name it,
 * so a callback Tencent repeats records nothing twice. A sender that is no phone number is passed over.
 */
export function receiveTencentReplies(
  db: Db,
  shopId: string,
  replies: z.infer<typeof TencentReply>[],
): Promise<number> {
  return receiveReplies(
    db,
    shopId,
    replies.map((r) => {
      const from = `+${r.nationcode}${r.mobile}`;
      return { from, text: r.text, id: r.time === undefined ? undefined : `tencent:${from}:${r.time}` };
    }),
  );
}
