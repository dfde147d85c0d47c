// The delivery job: launches campaigns that fell due, then drains the shop's outbox batch by batch —
// render each message for its customer, send it through its channel at the channel's rate, record what
// happened. A worker killed mid-send leaves its unrecorded messages 'sending' and the next run sends them
// again; an email is recorded as sent before the relay is told to take it (senders.ts), so none of those
// had reached anyone, and nothing recorded as sent goes twice.
import type { Db } from '../db/db.js';
import { AppError } from '../errors.js';
import type { Progress } from '../jobs/runner.js';
import { getShop } from '../shops/shops.js';
import { finishCampaigns, launchDueCampaigns } from './campaigns.js';
import { getChannel, MESSAGE_CHANNELS, type MessageChannel } from './channels.js';
import { linkSettings, messageLinks, type LinkSettings } from './links.js';
import {
  claimMessages,
  deferMarketing,
  dueCount,
  reclaimInterrupted,
  OutcomeWriter,
  type ClaimedMessage,
} from './outbox.js';
import { contactPolicy, quietUntil } from './policy.js';
import { RecipientLoader } from './recipients.js';
import { senderFor, type Sender, type SendOutcome } from './senders.js';
import {
  compileTemplate,
  getTemplate,
  renderTemplate,
  smsLength,
  type CompiledTemplate,
} from './templates.js';
import { campaignCoupons, couponVarsByCode, expiredCodes, type CouponVars } from './couponCodes.js';

const BATCH = 500;
const MAX_ATTEMPTS = 6;

/** Spaces sends so a channel never takes more than its rate. */
class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}

  async take(): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

interface Route {
  sender: Sender;
  /** The channel's price of one message (one part of an SMS) when this delivery began. */
  unitCostCents: number;
  limiter: RateLimiter;
  /** Sends in flight at once: enough to keep every connection of the channel busy. */
  parallel: number;
}

function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
}

/** Email links become tracked (the unsubscribe link excepted) and an open pixel closes the body. */
function trackEmail(html: string, links: ReturnType<typeof messageLinks>): string {
  const tracked = html.replace(/href="(https?:\/\/[^"]+)"/g, (all, url: string) => {
    const plain = url.replace(/&amp;/g, '&');
    return plain === links.unsubscribe ? all : `href="${links.click(plain)}"`;
  });
  const pixel = `<img src="${links.open}" width="1" height="1" alt="" style="display:none">`;
  return /<\/body>/i.test(tracked) ? tracked.replace(/<\/body>/i, `${pixel}</body>`) : tracked + pixel;
}

export interface DeliveryResult extends Record<string, unknown> {
  launched: number;
  sent: number;
  failed: number;
  retrying: number;
  suppressed: number;
  resumed: number;
}

export async function deliverMessages(
  db: Db,
  shopId: string,
  progress: Progress,
  /** The server's address, for a shop that set none (Config.publicUrl). */
  serverUrl: string,
): Promise<DeliveryResult> {
  const now = () => new Date();
  const launched = await launchDueCampaigns(db, shopId, now());
  const resumed = await reclaimInterrupted(db, shopId);
  const shop = await getShop(db, shopId);
  const policy = await contactPolicy(db, shopId);
  const links: LinkSettings = await linkSettings(db, shopId, serverUrl);
  const loader = await RecipientLoader.forShop(db, shopId);
  const templates = new Map<string, CompiledTemplate>();
  const routes = new Map<MessageChannel, Route | null>();
  const writer = new OutcomeWriter(db, shopId);
  const result: DeliveryResult = { launched, sent: 0, failed: 0, retrying: 0, suppressed: 0, resumed };

  const routeFor = async (channel: MessageChannel): Promise<Route | null> => {
    if (!routes.has(channel)) {
      const settings = await getChannel(db, shopId, channel);
      routes.set(
        channel,
        settings && {
          sender: senderFor(settings, shopId),
          unitCostCents: settings.costPerMessageCents,
          limiter: new RateLimiter(settings.ratePerSecond),
          parallel: settings.channel === 'email' ? settings.settings.maxConnections * 4 : 16,
        },
      );
    }
    return routes.get(channel)!;
  };
  const templateFor = async (templateId: string): Promise<CompiledTemplate> => {
    let t = templates.get(templateId);
    if (!t) {
      t = compileTemplate(await getTemplate(db, shopId, templateId));
      templates.set(templateId, t);
    }
    return t;
  };

  const settle = (m: ClaimedMessage, outcome: SendOutcome) => {
    if (outcome.ok) result.sent++;
    else if (outcome.retry && m.attempts < MAX_ATTEMPTS) {
      result.retrying++;
      writer.add({
        messageId: m.messageId,
        result: 'retry',
        reason: outcome.reason,
        retryAt: new Date(Date.now() + retryDelayMs(m.attempts)),
      });
    } else {
      result.failed++;
      writer.add({ messageId: m.messageId, result: 'failed', reason: outcome.reason });
    }
  };

  const sendOne = async (m: ClaimedMessage, vars: Record<string, unknown>) => {
    const route = await routeFor(m.channel);
    if (!route) return settle(m, { ok: false, retry: false, reason: `no ${m.channel} channel set up` });
    const template = await templateFor(m.templateId);
    const l = messageLinks(links, shopId, m.messageId);
    let rendered: ReturnType<typeof renderTemplate>;
    try {
      rendered = renderTemplate(template, { ...vars, unsubscribe_url: l.unsubscribe });
    } catch (err) {
      return settle(m, { ok: false, retry: false, reason: `template: ${(err as Error).message}` });
    }
    await route.limiter.take();
    let committed: Promise<void> | null = null;
    const commit = (provider: { parts?: number; providerRef?: string } = {}) =>
      (committed ??= writer.write({
        messageId: m.messageId,
        result: 'sent',
        subject: rendered.subject,
        // A carrier bills a long text per part: the provider's own count when it gives one (at once, or
        // later with its report), else the text's.
        parts: provider.parts ?? (m.channel === 'sms' ? smsLength(rendered.body).parts : 1),
        unitCostCents: route.unitCostCents,
        providerRef: provider.providerRef,
      }));
    const outcome = await route.sender.send({
      messageId: m.messageId,
      customerId: m.customerId,
      campaignId: m.campaignId,
      to: m.recipient,
      subject: rendered.subject,
      body: m.channel === 'email' ? trackEmail(rendered.body, l) : rendered.body,
      providerTemplate: rendered.providerTemplate,
      transactional: m.transactional,
      unsubscribeUrl: l.unsubscribe,
      statusUrl: l.status,
      commit,
    });
    if (outcome.ok) await commit(outcome);
    settle(m, outcome);
  };

  // Messages flow through a queue: lanes send from it while the next batch is claimed and loaded, so
  // the connections never wait for the database.
  const queue: { m: ClaimedMessage; vars: Record<string, unknown>; refusal?: string }[] = [];
  let exhausted = false;
  let fetchFailure: unknown = null;
  let fetching: Promise<void> | null = null;
  let total = await dueCount(db, shopId, now());
  let taken = 0;
  const fetchBatch = async () => {
    const quietEnd = quietUntil(policy, now(), shop.timeZone);
    if (quietEnd) await deferMarketing(db, shopId, quietEnd);
    const { claimed, suppressed } = await db.transaction((tx) =>
      claimMessages(tx, shopId, policy, { now: now(), quiet: quietEnd !== null, limit: BATCH }),
    );
    result.suppressed += suppressed;
    if (claimed.length === 0 && suppressed === 0) {
      exhausted = true;
      return;
    }
    const uses = new Set<string>();
    for (const id of new Set(claimed.map((m) => m.templateId)))
      for (const v of (await templateFor(id)).uses) uses.add(v);
    const recipients = await loader.load(db, [...new Set(claimed.map((m) => m.customerId))], uses);
    // A campaign with a coupon gives each recipient's message that recipient's code, issued now; if the
    // coupon has ended or was retired, its messages fail with why rather than carry a dead code.
    const coupons = new Map<string, Map<string, CouponVars>>();
    // Why a campaign's messages (by campaign) or a flow's (by code) cannot go.
    const refused = new Map<string, string>();
    for (const campaignId of new Set(claimed.flatMap((m) => (m.campaignId ? [m.campaignId] : []))))
      try {
        coupons.set(
          campaignId,
          await campaignCoupons(
            db,
            shopId,
            campaignId,
            claimed.filter((m) => m.campaignId === campaignId).map((m) => m.customerId),
            shop.currency,
          ),
        );
      } catch (err) {
        if (!(err instanceof AppError && ['coupon_ended', 'coupon_retired'].includes(err.code))) throw err;
        refused.set(campaignId, err.message);
      }
    // A flow's message shows the code its customer was given by an earlier step; one that expired while
    // the message waited (the coupon's window closed during a wait, quiet hours) fails with why.
    const codes = claimed.flatMap((m) => (m.couponCode ? [m.couponCode] : []));
    const flowCodes =
      codes.length > 0
        ? await couponVarsByCode(db, shopId, codes, shop.currency)
        : new Map<string, CouponVars>();
    const expired = codes.length > 0 ? await expiredCodes(db, shopId, codes, now()) : new Map<string, Date>();
    for (const [code, at] of expired)
      refused.set(code, `The coupon code ${code} expired at ${at.toISOString()}, before this message went`);
    for (const m of claimed) {
      const vars = recipients.get(m.customerId)?.vars ?? {};
      const coupon = m.campaignId
        ? coupons.get(m.campaignId)?.get(m.customerId)
        : m.couponCode
          ? flowCodes.get(m.couponCode)
          : undefined;
      const refusal = refused.get(m.campaignId ?? m.couponCode ?? '');
      queue.push({ m, vars: coupon ? { ...vars, coupon } : vars, refusal });
    }
    taken += claimed.length + suppressed;
    total = Math.max(total, taken);
    await progress(taken, total);
  };
  const fetchMore = () =>
    (fetching ??= fetchBatch()
      .catch((err: unknown) => {
        fetchFailure = err;
        exhausted = true;
      })
      .finally(() => {
        fetching = null;
      }));
  const lane = async () => {
    for (;;) {
      if (queue.length < BATCH / 2 && !exhausted) void fetchMore();
      const next = queue.shift();
      if (next?.refusal) settle(next.m, { ok: false, retry: false, reason: next.refusal });
      else if (next) await sendOne(next.m, next.vars);
      else if (exhausted) return;
      else await fetchMore();
    }
  };
  try {
    await progress(0, total);
    for (const channel of MESSAGE_CHANNELS) await routeFor(channel);
    const lanes = Math.max(1, ...[...routes.values()].map((r) => r?.parallel ?? 1));
    await Promise.all(Array.from({ length: lanes }, lane));
    if (fetchFailure) throw fetchFailure;
  } finally {
    await writer.flush();
    for (const r of routes.values()) r?.sender.close();
  }
  await finishCampaigns(db, shopId);
  return result;
}
