// Marketing consent: per channel, the customer's last word (opted in or out), where it was given and
// when. Each change is a 'consent.changed' event on the timeline; saying the same again changes nothing.
// Segments read it (a 'consent' condition); the engage area will send only within it.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

export const ConsentInput = z.strictObject({
  status: z.enum(['opted_in', 'opted_out']),
  source: z.string().trim().min(1).max(100).describe('where the customer said so: checkout, store, staff…'),
  at: z.iso.datetime({ offset: true }).optional().describe('when; now if not given'),
});
export type ConsentInput = z.input<typeof ConsentInput>;

export interface Consent {
  channel: Channel;
  status: 'opted_in' | 'opted_out';
  source: string;
  changedAt: Date;
}

export async function consentsOf(db: Queryable, shopId: string, customerId: string): Promise<Consent[]> {
  return db.query<Consent>(
    `select channel, status, source, changed_at as "changedAt" from customer_consents
      where shop_id = $1 and customer_id = $2 order by channel`,
    [shopId, customerId],
  );
}

/** Records the customer's word for a channel; returns whether it changed anything. */
export async function setConsent(
  tx: Queryable,
  shopId: string,
  customerId: string,
  channel: Channel,
  input: ConsentInput,
): Promise<boolean> {
  const c = ConsentInput.parse(input);
  const at = c.at ? new Date(c.at) : new Date();
  const changed = await recordConsents(tx, shopId, [
    { customerId, channel, status: c.status, source: c.source, at },
  ]);
  return changed > 0;
}

/**
 * Customers' word per channel (one, or a customers export's thousands), each change with its
 * 'consent.changed' event, in one statement; saying the same again changes nothing. Returns how many
 * changed. `keepOptOuts`: an opt-in does not override an opt-out already recorded — an export that says
 * "yes" cannot undo an unsubscribe (nor can replaying it).
 */
export async function recordConsents(
  tx: Queryable,
  shopId: string,
  entries: {
    customerId: string;
    channel: Channel;
    status: 'opted_in' | 'opted_out';
    source: string;
    at: Date;
  }[],
  options: { keepOptOuts?: boolean } = {},
): Promise<number> {
  if (entries.length === 0) return 0;
  const events = await tx.query(
    `with given as (
       select * from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                  as g(customer_id, channel, status, source, changed_at)
     ), before as (
       select c.customer_id, c.channel, c.status from customer_consents c
         join given g on g.customer_id = c.customer_id and g.channel = c.channel
        where c.shop_id = $1
     ), changed as (
       insert into customer_consents (shop_id, customer_id, channel, status, source, changed_at)
       select $1, customer_id, channel, status, source, changed_at from given
       on conflict (shop_id, customer_id, channel) do update
         set status = excluded.status, source = excluded.source, changed_at = excluded.changed_at
         where customer_consents.status <> excluded.status
           and not ($7 and customer_consents.status = 'opted_out')
       returning customer_id, channel, status, source, changed_at
     )
     insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
     select $1, gen_random_uuid(), n.customer_id, 'consent.changed', n.changed_at, n.source,
            jsonb_build_object('channel', n.channel, 'from', coalesce(b.status, 'none'), 'to', n.status)
       from changed n left join before b on b.customer_id = n.customer_id and b.channel = n.channel
     returning 1`,
    [
      shopId,
      entries.map((e) => e.customerId),
      entries.map((e) => e.channel),
      entries.map((e) => e.status),
      entries.map((e) => e.source),
      entries.map((e) => e.at.toISOString()),
      options.keepOptOuts ?? false,
    ],
  );
  return events.length;
}

/** Two profiles became one: per channel, the survivor keeps whichever word was given last. */
export async function carryConsents(tx: Queryable, shopId: string, survivorId: string, otherIds: string[]) {
  await tx.query(
    `with gone as (
       delete from customer_consents where shop_id = $1 and customer_id = any($3::uuid[])
       returning channel, status, source, changed_at
     )
     insert into customer_consents (shop_id, customer_id, channel, status, source, changed_at)
     select distinct on (channel) $1, $2, channel, status, source, changed_at from gone
      order by channel, changed_at desc
     on conflict (shop_id, customer_id, channel) do update
       set status = excluded.status, source = excluded.source, changed_at = excluded.changed_at
       where customer_consents.changed_at < excluded.changed_at`,
    [shopId, survivorId, otherIds],
  );
}
