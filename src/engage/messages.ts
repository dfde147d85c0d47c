// Reading the outbox: messages of a campaign, of a customer, or in a status, for the delivery report.
import type { Queryable } from '../db/db.js';

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'suppressed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface MessageRow {
  messageId: string;
  customerId: string;
  customerName: string | null;
  channel: string;
  campaignId: string | null;
  transactional: boolean;
  status: MessageStatus;
  reason: string | null;
  recipient: string | null;
  subject: string | null;
  attempts: number;
  /** Once sent: the parts it was billed as, and what it cost (parts at the price of a part then). */
  parts: number | null;
  costCents: number | null;
  queuedAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
}

export async function listMessages(
  db: Queryable,
  shopId: string,
  filter: { campaignId?: string; customerId?: string; status?: MessageStatus; limit: number },
): Promise<MessageRow[]> {
  return db.query<MessageRow>(
    `select m.message_id as "messageId", m.customer_id as "customerId", c.name as "customerName", m.channel,
            m.campaign_id as "campaignId", m.transactional, m.status, m.reason, m.recipient, m.subject, m.attempts,
            m.parts, (m.parts * m.unit_cost_cents)::float8 as "costCents",
            m.queued_at as "queuedAt", m.sent_at as "sentAt", m.delivered_at as "deliveredAt",
            m.opened_at as "openedAt", m.clicked_at as "clickedAt"
       from messages m left join customers c on c.shop_id = m.shop_id and c.customer_id = m.customer_id
      where m.shop_id = $1 and ($2::uuid is null or m.campaign_id = $2) and ($3::uuid is null or m.customer_id = $3)
        and ($4::text is null or m.status = $4)
      order by m.queued_at desc, m.message_id limit $5`,
    [shopId, filter.campaignId ?? null, filter.customerId ?? null, filter.status ?? null, filter.limit],
  );
}
