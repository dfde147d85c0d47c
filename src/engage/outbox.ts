// The outbox: every message waits here until the delivery job takes it. Taking a batch judges each
// message in one statement — address, consent, an open complaint, a members-only coupon for someone
// whose tier grants no member-only offers, the contact cap (counting what was already sent and what
// this batch sends first) — so every campaign and flow of a shop shares one count, never exceeded.
import type { Db, Queryable } from '../db/db.js';
import type { MessageChannel } from './channels.js';
import { anyOpenGrievance, openGrievanceSql } from '../service/cases.js';
import { membersOnlyCampaigns } from './campaigns.js';
import { offerRanks } from './coupons.js';
import type { ContactPolicy } from './policy.js';

export interface ClaimedMessage {
  messageId: string;
  customerId: string;
  channel: MessageChannel;
  templateId: string;
  campaignId: string | null;
  /** The code a flow issued before this message, for its template's `coupon`. */
  couponCode: string | null;
  transactional: boolean;
  recipient: string;
  attempts: number;
}

/**
 * Takes up to `limit` due messages: those that may go become 'sending' with their recipient's address,
 * the rest 'suppressed' with the reason. During quiet hours only transactional messages are due.
 */
export async function claimMessages(
  tx: Queryable,
  shopId: string,
  policy: ContactPolicy,
  options: { now: Date; quiet: boolean; limit: number },
): Promise<{ claimed: ClaimedMessage[]; suppressed: number }> {
  // A campaign with a members-only coupon gives its code, and so its message, to members with offers;
  // most shops have none, and then the program need not be read for each batch.
  const membersOnly = await membersOnlyCampaigns(tx, shopId);
  const rows = await tx.query<ClaimedMessage & { status: string }>(
    `with due as (
       select m.message_id, m.customer_id, m.channel, m.transactional, m.campaign_id
         from messages m
        where m.shop_id = $1 and m.status = 'queued' and m.not_before <= $2 and (m.transactional or not $3)
        order by m.not_before, m.message_id
        limit $4 for update skip locked
     ), judged as (
       select d.*, case d.channel when 'email' then c.email when 'sms' then c.phone end as address,
              case
                when c.customer_id is null then 'customer no longer exists'
                when d.channel = 'email' and c.email is null then 'no email address'
                when d.channel = 'sms' and c.phone is null then 'no phone number'
                when not d.transactional and d.channel in ('email', 'sms') and cs.status = 'opted_out' then 'opted out'
                when not d.transactional and d.channel in ('email', 'sms') and cs.status is null then 'no opt-in'
                when not d.transactional and $7 and ${openGrievanceSql('$1', 'd.customer_id')} then 'open complaint'
                when d.campaign_id = any($8::uuid[]) and not coalesce(c.tier_rank = any($9::int[]), false)
                  then 'members-only coupon'
              end as blocked,
              coalesce(cc.max_messages, $5) as cap, coalesce(cc.per_days, $6) as per_days
         from due d
         -- One key lookup per message whatever the statistics say: a shop imported minutes ago looks
         -- empty to the planner, which then hashed all its customers for each batch (300 ms at 200,000).
         left join lateral (select c.customer_id, c.email, c.phone, c.tier_rank from customers c
                             where c.shop_id = $1 and c.customer_id = d.customer_id limit 1) c on true
         left join lateral (select cs.status from customer_consents cs
                             where cs.shop_id = $1 and cs.customer_id = d.customer_id and cs.channel = d.channel
                             limit 1) cs on true
         left join lateral (select cc.max_messages, cc.per_days from customer_contact_caps cc
                             where cc.shop_id = $1 and cc.customer_id = d.customer_id limit 1) cc on true
     ), counted as (
       select j.*,
              case when j.transactional or j.blocked is not null then 0
                   else (select count(*) from messages p
                          where p.shop_id = $1 and p.customer_id = j.customer_id and not p.transactional
                            and p.status in ('sending', 'sent', 'delivered')
                            and coalesce(p.sent_at, $2) > $2::timestamptz - make_interval(days => j.per_days))
                        + row_number() over (partition by j.customer_id, j.transactional or j.blocked is not null
                                             order by j.message_id)
              end as nth
         from judged j
     )
     update messages m
        set status = case when k.blocked is null and k.nth <= k.cap then 'sending' else 'suppressed' end,
            reason = coalesce(k.blocked, case when k.nth > k.cap then 'contact cap' end),
            recipient = k.address,
            attempts = m.attempts + case when k.blocked is null and k.nth <= k.cap then 1 else 0 end
       from counted k
      where m.shop_id = $1 and m.message_id = k.message_id
     returning m.message_id as "messageId", m.customer_id as "customerId", m.channel, m.template_id as "templateId",
               m.campaign_id as "campaignId", m.coupon_code as "couponCode", m.transactional, m.recipient,
               m.attempts, m.status`,
    [
      shopId,
      options.now.toISOString(),
      options.quiet,
      options.limit,
      policy.maxMessages,
      policy.perDays,
      // Most batches find no grievance open in the whole shop: one probe then spares one per message.
      policy.holdOpenComplaints && (await anyOpenGrievance(tx, shopId)),
      membersOnly,
      membersOnly.length > 0 ? await offerRanks(tx, shopId) : [],
    ],
  );
  const claimed = rows.filter((r) => r.status === 'sending').map(({ status: _, ...m }) => m);
  return { claimed, suppressed: rows.length - claimed.length };
}

/** Quiet hours began: marketing already waiting is put off until they end, in one pass. */
export async function deferMarketing(db: Queryable, shopId: string, until: Date): Promise<void> {
  await db.query(
    `update messages set not_before = $2
      where shop_id = $1 and status = 'queued' and not transactional and not_before < $2`,
    [shopId, until.toISOString()],
  );
}

/** Messages a dead worker left 'sending': back in the queue, to go again under the same Message-ID. */
export async function reclaimInterrupted(db: Queryable, shopId: string): Promise<number> {
  const rows = await db.query(
    `update messages set status = 'queued' where shop_id = $1 and status = 'sending' returning 1`,
    [shopId],
  );
  return rows.length;
}

export async function dueCount(db: Queryable, shopId: string, now: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `select count(*)::int as n from messages where shop_id = $1 and status in ('queued', 'sending') and not_before <= $2`,
    [shopId, now.toISOString()],
  );
  return row!.n;
}

export interface Outcome {
  messageId: string;
  /** sent; failed for good; or back in the queue until `retryAt`. */
  result: 'sent' | 'failed' | 'retry';
  reason?: string;
  retryAt?: Date;
  /** An email's subject as sent, for the timeline and the delivery report. */
  subject?: string | null;
  /** A sent message's billed parts (an SMS's by its length; one elsewhere) and the price of each. */
  parts?: number;
  unitCostCents?: number;
  /** The provider's own id of a sent message, where its reports name it so. */
  providerRef?: string;
}

/** Writes outcomes of a batch of sends in one statement. */
export async function recordOutcomes(db: Queryable, shopId: string, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `update messages m
        set status = case o.result when 'sent' then 'sent' when 'failed' then 'failed' else 'queued' end,
            sent_at = case when o.result = 'sent' then now() else m.sent_at end,
            reason = o.reason,
            subject = coalesce(o.subject, m.subject),
            not_before = coalesce(o.retry_at, m.not_before),
            parts = coalesce(o.parts, m.parts),
            unit_cost_cents = coalesce(o.unit_cost_cents, m.unit_cost_cents),
            provider_ref = coalesce(o.provider_ref, m.provider_ref)
       from unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::int2[], $8::numeric[],
                   $9::text[])
              as o(message_id, result, reason, retry_at, subject, parts, unit_cost_cents, provider_ref)
      where m.shop_id = $1 and m.message_id = o.message_id
        -- a message recorded as sent may still fail at the relay's final answer
        and (m.status = 'sending' or (m.status = 'sent' and o.result <> 'sent'))`,
    [
      shopId,
      outcomes.map((o) => o.messageId),
      outcomes.map((o) => o.result),
      outcomes.map((o) => o.reason ?? null),
      outcomes.map((o) => o.retryAt?.toISOString() ?? null),
      outcomes.map((o) => o.subject ?? null),
      outcomes.map((o) => o.parts ?? null),
      outcomes.map((o) => o.unitCostCents ?? null),
      outcomes.map((o) => o.providerRef ?? null),
    ],
  );
}

/**
 * Outcomes go to the outbox as sends finish: a write takes everything that arrived in the few
 * milliseconds since the last, so a busy delivery writes a few hundred rows per statement while a message
 * stays unrecorded (and so would go again after a crash) only for those milliseconds.
 */
export class OutcomeWriter {
  private pending: { outcome: Outcome; written?: () => void; failed?: (err: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    private readonly db: Db,
    private readonly shopId: string,
    private readonly gatherMs = 5,
  ) {}

  add(outcome: Outcome): void {
    this.pending.push({ outcome });
    this.writing ??= this.drain();
  }

  /** Adds an outcome and resolves once it is written. */
  write(outcome: Outcome): Promise<void> {
    return new Promise((written, failed) => {
      this.pending.push({ outcome, written, failed });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
        const batch = this.pending;
        this.pending = [];
        try {
          await recordOutcomes(
            this.db,
            this.shopId,
            batch.map((b) => b.outcome),
          );
        } catch (err) {
          for (const b of batch) b.failed?.(err);
          throw err;
        }
        for (const b of batch) b.written?.();
      }
    } catch (err) {
      this.failure ??= err;
      for (const b of this.pending.splice(0)) b.failed?.(err);
    } finally {
      this.writing = null;
    }
  }

  /** Resolves once every outcome added is written; throws what a write threw. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure;
  }
}
