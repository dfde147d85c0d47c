// Alibaba Cloud SMS (dysmsapi, API version 2017-05-25): SendSms over its RPC protocol, every request
// signed with the shop's AccessKey (signature version 1.0, HMAC-SHA1). Aliyun sends only templates it
// approved, so a message goes as a template code with its variables, under the shop's approved signature.
import { createHmac, randomUUID } from 'node:crypto';
import type { SmsSettings } from './channels.js';
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

export type AliyunOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

export async function sendAliyunSms(
  s: AliyunSettings,
  m: { messageId: string; to: string; providerTemplate?: ProviderTemplateText | null },
  timeoutMs: number,
): Promise<AliyunOutcome> {
  if (!m.providerTemplate) {
    return {
      ok: false,
      retry: false,
      reason: 'Aliyun sends only templates it approved: this template names no Aliyun template code',
    };
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
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${s.baseUrl.replace(/\/+$/, '')}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Object.entries(params)
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
        .join('&'),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    return { ok: false, retry: true, reason: err instanceof Error ? err.message : String(err) };
  }
  let answer: { Code?: unknown; Message?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // Not JSON: a proxy's or a load balancer's page; the status says the rest.
  }
  const code = typeof answer.Code === 'string' ? answer.Code : null;
  if (status < 300 && code === 'OK') return { ok: true };
  const message = typeof answer.Message === 'string' ? answer.Message : text.slice(0, 200);
  return {
    ok: false,
    retry: (code !== null && RETRYABLE.test(code)) || status === 429 || status >= 500,
    reason: `Aliyun ${code ?? `HTTP ${status}`}${message ? `: ${message}` : ''}`.slice(0, 500),
  };
}
