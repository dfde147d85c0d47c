// What comes back from a message: opens and clicks on its tracked links, unsubscribes (from the link or a
// mail client's one-click), delivery receipts, bounces and complaints from the provider, and STOP replies
// to an SMS. Whatever withdraws consent goes through setConsent, so it shows on the timeline and every
// later send respects it.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { setConsent, type Channel } from '../customers/consent.js';
import { normalizePhone } from '../customers/identity.js';
import { getShop } from '../shops/shops.js';
import { derivedId } from '../db/ids.js';
import { AppError } from '../errors.js';
import type { LinkClaim } from './links.js';

interface MessageRef {
  customerId: string;
  channel: string;
}

async function messageOf(db: Queryable, claim: LinkClaim): Promise<MessageRef> {
  const [m] = await db.query<MessageRef>(
    `select customer_id as "customerId", channel from messages where shop_id = $1 and message_id = $2`,
    [claim.shopId, claim.messageId],
  );
  if (!m) throw new AppError('invalid_link', 404, 'This link is not valid');
  return m;
}

/**
 * The first open (or click) of a message stamps it and becomes a 'message.opened' ('message.clicked')
 * event, which segments ask for as an interaction; later ones change nothing.
 */
async function firstTime(db: Queryable, claim: LinkClaim, what: 'opened' | 'clicked'): Promise<void> {
  const stamp = what === 'opened' ? 'opened_at' : 'clicked_at';
  await db.query(
    `with first as (
       update messages set ${stamp} = now() where shop_id = $1 and message_id = $2 and ${stamp} is null
       returning customer_id, channel, campaign_id
     )
     insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
     select $1, gen_random_uuid(), customer_id, $3, now(), channel,
            jsonb_build_object('messageId', $2::uuid, 'campaignId', campaign_id, 'url', $4::text)
       from first`,
    [claim.shopId, claim.messageId, `message.${what}`, claim.url ?? null],
  );
}

export async function recordOpen(db: Queryable, claim: LinkClaim): Promise<void> {
  await firstTime(db, claim, 'opened');
}

/** A click also proves the message was opened (images are often blocked). Returns where to go. */
export async function recordClick(db: Db, claim: LinkClaim): Promise<string> {
  if (!claim.url) throw new AppError('invalid_link', 404, 'This link is not valid');
  await db.transaction(async (tx) => {
    await firstTime(tx, claim, 'opened');
    await firstTime(tx, claim, 'clicked');
  });
  return claim.url;
}

/** The unsubscribe link: the customer opts out of the message's channel. Saying it twice changes nothing. */
export async function unsubscribe(db: Db, claim: LinkClaim): Promise<{ channel: string; shopName: string }> {
  const m = await messageOf(db, claim);
  const shop = await getShop(db, claim.shopId);
  await db.transaction(async (tx) => {
    if (m.channel === 'email' || m.channel === 'sms')
      await setConsent(tx, claim.shopId, m.customerId, m.channel, {
        status: 'opted_out',
        source: 'unsubscribe link',
      });
    await tx.query(
      `update messages set unsubscribed_at = coalesce(unsubscribed_at, now()) where shop_id = $1 and message_id = $2`,
      [claim.shopId, claim.messageId],
    );
  });
  return { channel: m.channel, shopName: shop.name };
}

export const DeliveryEvent = z.object({
  messageId: z.uuid(),
  event: z
    .enum(['delivered', 'bounced', 'complained', 'failed'])
    .describe('bounced (hard) and complained (marked as spam) also opt the customer out of the channel'),
  reason: z.string().max(500).optional(),
  parts: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .describe("the parts the provider billed the message as, when it says: the message's cost follows it"),
});
export type DeliveryEvent = z.infer<typeof DeliveryEvent>;

/** A provider's report on a message (a delivery receipt, a bounce, a spam complaint). */
export async function recordDeliveryEvent(db: Db, shopId: string, e: DeliveryEvent): Promise<void> {
  await db.transaction(async (tx) => {
    const [m] = await tx.query<MessageRef & { status: string }>(
      `select customer_id as "customerId", channel, status from messages where shop_id = $1 and message_id = $2 for update`,
      [shopId, e.messageId],
    );
    if (!m) throw AppError.notFound('Message');
    if (e.parts !== undefined)
      await tx.query(
        'update messages set parts = $3 where shop_id = $1 and message_id = $2 and parts is not null',
        [shopId, e.messageId, e.parts],
      );
    if (e.event === 'delivered') {
      await tx.query(
        `update messages set status = 'delivered', delivered_at = coalesce(delivered_at, now())
          where shop_id = $1 and message_id = $2 and status in ('sending', 'sent')`,
        [shopId, e.messageId],
      );
      return;
    }
    // A complaint means the message arrived (and was marked as spam): it stays delivered, and the
    // customer is opted out below. A bounce or failure means it never arrived.
    if (e.event !== 'complained')
      await tx.query(
        `update messages set status = 'failed', reason = $3 where shop_id = $1 and message_id = $2`,
        [shopId, e.messageId, e.reason ?? e.event],
      );
    if (e.event !== 'failed' && (m.channel === 'email' || m.channel === 'sms'))
      await setConsent(tx, shopId, m.customerId, m.channel as Channel, {
        status: 'opted_out',
        source: e.event === 'bounced' ? 'bounce' : 'complaint',
      });
  });
}

/** Replies carriers and Chinese shops treat as "stop sending": STOP and its kin, 退订 and its short forms. */
const STOP_WORDS = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'T',
  'TD',
  'N',
  '退订',
  '退',
]);

export function isStopReply(text: string): boolean {
  return STOP_WORDS.has(
    text
      .trim()
      .toUpperCase()
      .replace(/[.!。！]+$/, ''),
  );
}

export const InboundSms = z.object({
  from: z.string().trim().min(3).max(40).describe('the sender, as the provider gives it'),
  text: z.string().max(2000),
  id: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("the provider's id of the reply: one delivered twice is recorded once"),
});
export type InboundSms = z.infer<typeof InboundSms>;

/**
 * An SMS reply. A STOP opts every profile with that phone out of SMS; other replies are only counted as an
 * interaction (the 'replied' a segment can ask for). Returns the profiles it concerned.
 */
/**
 * Replies a provider pushes in a batch, each taken as `receiveSms` takes one; a sender that is no phone
 * number is passed over rather than failing the rest. Answers how many were taken.
 */
export async function receiveReplies(db: Db, shopId: string, replies: InboundSms[]): Promise<number> {
  let received = 0;
  for (const reply of replies) {
    try {
      await receiveSms(db, shopId, reply);
      received++;
    } catch (err) {
      if (!(err instanceof AppError && err.status === 400)) throw err;
    }
  }
  return received;
}

export async function receiveSms(
  db: Db,
  shopId: string,
  sms: InboundSms,
): Promise<{ customers: number; stop: boolean }> {
  const shop = await getShop(db, shopId);
  const phone = normalizePhone(sms.from, shop.phoneRegion);
  if (!phone.ok)
    throw AppError.invalid('Not a phone number', [
      { field: 'body.from', message: `'${sms.from}': ${phone.reason}` },
    ]);
  const stop = isStopReply(sms.text);
  const customers = await db.query<{ customerId: string }>(
    `select customer_id as "customerId" from customer_identities where shop_id = $1 and kind = 'phone' and value = $2`,
    [shopId, phone.value],
  );
  await db.transaction(async (tx) => {
    for (const c of customers) {
      if (stop)
        await setConsent(tx, shopId, c.customerId, 'sms', { status: 'opted_out', source: 'SMS reply' });
      // A provider that retries a webhook sends the same reply again: its id names the event, so the
      // second delivery meets the first.
      await tx.query(
        `insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
         values ($1, coalesce(${derivedId(`'sms-reply:' || $5::text || $2::uuid::text`)}, gen_random_uuid()), $2,
                 'message.replied', now(), 'sms', jsonb_build_object('text', $3::text, 'stop', $4::boolean, 'id', $5::text))
         on conflict do nothing`,
        [shopId, c.customerId, sms.text.slice(0, 500), stop, sms.id ?? null],
      );
    }
  });
  return { customers: customers.length, stop };
}
