// The customer's timeline. Every change to a customer is written here in the same transaction as the
// change itself, so the timeline can never disagree with the data (and flows can start from it later).
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';

export type EventType =
  | 'customer.created'
  | 'customer.merged'
  | 'identity.added'
  | 'profile.updated'
  | 'order.placed'
  | 'order.updated';

export interface NewEvent {
  customerId: string;
  type: EventType;
  occurredAt: Date;
  source: string;
  data: Record<string, unknown>;
}

export interface TimelineEvent extends NewEvent {
  eventId: string;
}

export async function recordEvents(tx: Queryable, shopId: string, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
     select $1, * from unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::jsonb[])`,
    [
      shopId,
      events.map(() => uuidv7()),
      events.map((e) => e.customerId),
      events.map((e) => e.type),
      events.map((e) => e.occurredAt.toISOString()),
      events.map((e) => e.source),
      events.map((e) => JSON.stringify(e.data)),
    ],
  );
}

export async function listEvents(
  db: Queryable,
  shopId: string,
  customerId: string,
  options: { limit: number; before?: Date },
): Promise<TimelineEvent[]> {
  return db.query<TimelineEvent>(
    `select event_id as "eventId", customer_id as "customerId", type, occurred_at as "occurredAt", source, data
       from customer_events
      where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or occurred_at < $3)
      order by occurred_at desc, event_id desc limit $4`,
    [shopId, customerId, options.before ?? null, options.limit],
  );
}
