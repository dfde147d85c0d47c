// The customer's timeline. Every change to a customer is written here in the same transaction as the
// change itself, so the timeline can never disagree with the data (flows start from it: engage/flows).
// A profile's creation, an order's placement, a points entry, a message, a pass through a flow, a note
// staff wrote and a service case's opening and resolution are read from their own rows instead of being
// copied: at a million orders an import would otherwise write every order twice.
import { textArray, timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';

/** Events written to customer_events. */
export const EVENT_TYPES = [
  'customer.merged',
  'customer.erased',
  'identity.added',
  'profile.updated',
  'order.updated',
  'tier.changed',
  'tier.grace_started',
  'card.bound',
  'card.unbound',
  'consent.changed',
  'tag.added',
  'tag.removed',
  'message.opened',
  'message.clicked',
  'message.replied',
  'service.reopened',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What the timeline shows: the written events plus those read from their own rows. */
export const TIMELINE_EVENT_TYPES = [
  ...EVENT_TYPES,
  'customer.created',
  'order.placed',
  'points.earn',
  'points.reverse',
  'points.redeem',
  'points.expire',
  'points.adjust',
  'message.queued',
  'message.sending',
  'message.sent',
  'message.delivered',
  'message.failed',
  'message.suppressed',
  'flow.entered',
  'note.added',
  'service.opened',
  'service.resolved',
] as const;
export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

export interface NewEvent {
  customerId: string;
  type: EventType;
  occurredAt: Date;
  source: string;
  data: Record<string, unknown>;
}

export interface TimelineEvent extends Omit<NewEvent, 'type'> {
  eventId: string;
  type: TimelineEventType;
}

export async function recordEvents(tx: Queryable, shopId: string, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Each event's data travel as JSON text in a binary text[] (db/arrays.ts): nothing to escape. (As
  // array text, a jsonb[] had cost 2.5 times one JSON array of them, with 20,000 tier changes.)
  await tx.query(
    `insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
     select $1, e.id, e.customer_id, e.type, e.at, e.source, e.data::jsonb
       from unnest($2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[], $6::text[], $7::text[])
              as e(id, customer_id, type, at, source, data)`,
    [
      shopId,
      uuidArray(events.map(() => uuidv7())),
      uuidArray(events.map((e) => e.customerId)),
      textArray(events.map((e) => e.type)),
      timestamptzArray(events.map((e) => e.occurredAt)),
      textArray(events.map((e) => e.source)),
      textArray(events.map((e) => JSON.stringify(e.data))),
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
    `select * from (
       select event_id as "eventId", customer_id as "customerId", type, occurred_at as "occurredAt", source, data
         from customer_events
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or occurred_at < $3)
       union all
       select order_id, customer_id, 'order.placed', ordered_at, source,
              jsonb_build_object('orderId', order_id, 'externalId', external_id, 'channel', channel, 'storeId', store_id,
                                 'status', status, 'totalCents', total_cents, 'currency', currency)
         from orders
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or ordered_at < $3)
       union all
       select entry_id, customer_id, 'points.' || kind, created_at, 'points',
              detail || jsonb_build_object('points', points, 'orderId', order_id, 'reason', reason, 'expiresAt', expires_at)
         from points_ledger
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or created_at < $3)
       union all
       select message_id, customer_id, 'message.' || status, coalesce(sent_at, queued_at), channel,
              jsonb_build_object('messageId', message_id, 'campaignId', campaign_id, 'templateId', template_id,
                                 'subject', subject, 'recipient', recipient, 'reason', reason)
         from messages
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or coalesce(sent_at, queued_at) < $3)
       union all
       select e.enrollment_id, e.customer_id, 'flow.entered', e.entered_at, 'flow',
              jsonb_build_object('flowId', e.flow_id, 'flow', f.name, 'occurrence', e.occurrence, 'status', e.status,
                                 'holdout', e.holdout, 'exitReason', e.exit_reason)
         from flow_enrollments e join flows f on f.shop_id = e.shop_id and f.flow_id = e.flow_id
        where e.shop_id = $1 and e.customer_id = $2 and ($3::timestamptz is null or e.entered_at < $3)
       union all
       select note_id, customer_id, 'note.added', created_at, case when staff_id is null then 'api' else 'console' end,
              jsonb_build_object('noteId', note_id, 'body', body, 'author', author, 'editedAt', edited_at)
         from customer_notes
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or created_at < $3)
       union all
       select case_id, customer_id, 'service.opened', opened_at, source,
              jsonb_build_object('caseId', case_id, 'kind', kind, 'channel', channel, 'subject', subject,
                                 'orderId', order_id, 'rating', rating, 'by', opened_by)
         from service_cases
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or opened_at < $3)
       union all
       select case_id, customer_id, 'service.resolved', resolved_at, source,
              jsonb_build_object('caseId', case_id, 'kind', kind, 'subject', subject, 'resolution', resolution,
                                 'by', resolved_by)
         from service_cases
        where shop_id = $1 and customer_id = $2 and resolved_at is not null
          and ($3::timestamptz is null or resolved_at < $3)
       union all
       select customer_id, customer_id, 'customer.created', created_at, first_source, '{}'::jsonb
         from customers
        where shop_id = $1 and customer_id = $2 and ($3::timestamptz is null or created_at < $3)
     ) t
     order by "occurredAt" desc, "eventId" desc limit $4`,
    [shopId, customerId, options.before ?? null, options.limit],
  );
}
