// How a sender calls a message provider over HTTP (an SMS provider's API, a webhook receiver): within a
// time limit, a dropped connection or a timeout being worth another try; and how a provider that answers
// with a code of its own (Aliyun, Tencent Cloud) is read when it refuses.
import type { SendOutcome } from './senders.js';

const HTTP_TIMEOUT_MS = 15_000;

export type Refusal = Extract<SendOutcome, { ok: false }>;

/** POSTs and reads the whole answer; a call that never got one is a refusal worth retrying. */
export async function postToProvider(
  url: string | URL,
  init: RequestInit,
): Promise<{ status: number; text: string } | Refusal> {
  try {
    const res = await fetch(url, { ...init, method: 'POST', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { ok: false, retry: true, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** An answer's JSON object, or an empty one: a proxy's or a load balancer's page says nothing more. */
export function answerJson<T extends object>(text: string): Partial<T> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Partial<T>) : {};
  } catch {
    return {};
  }
}

/**
 * A provider's refusal, named by its code (or the HTTP status when it gave none): worth another try when
 * the code is one that passes (throttling, a balance to top up, a fault of theirs) or the status says
 * throttled or faulted; any other will not change on its own.
 */
export function providerRefusal(
  provider: string,
  answer: { status: number; text: string },
  code: string | null,
  message: string | null,
  retryable: RegExp,
): Refusal {
  const said = message ?? answer.text.slice(0, 200);
  return {
    ok: false,
    retry: (code !== null && retryable.test(code)) || answer.status === 429 || answer.status >= 500,
    reason: `${provider} ${code ?? `HTTP ${answer.status}`}${said ? `: ${said}` : ''}`.slice(0, 500),
  };
}
