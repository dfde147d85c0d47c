// What the shop sent and what it cost, month by month (in the shop's time zone), per channel and kind:
// campaigns, flows, other messages (a test send), and the member-card codes texted at the counter — the
// figures a shop watches its SMS budget by. Counted as a campaign's cost is (report.ts): messages the
// provider took (sent or delivered), each at the parts it was billed as and the price of a part then.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';

export const USAGE_KINDS = ['campaign', 'flow', 'other', 'codes'] as const;

export const UsageQuery = z.object({
  months: z.coerce.number().int().min(1).max(24).default(6).describe('this month and the months before it'),
});

export interface UsageRow {
  /** YYYY-MM in the shop's time zone. */
  month: string;
  channel: 'email' | 'sms' | 'webhook';
  kind: (typeof USAGE_KINDS)[number];
  messages: number;
  parts: number;
  costCents: number;
}

/** Rows with something in them, newest month first, then by channel and kind. */
export async function sendingUsage(
  db: Queryable,
  shopId: string,
  timeZone: string,
  months: number,
  at = new Date(),
): Promise<UsageRow[]> {
  return db.query<UsageRow>(
    `with since as (
       select (date_trunc('month', $3::timestamptz at time zone $2) - make_interval(months => $4 - 1))
                at time zone $2 as at
     ), sent as (
       select m.sent_at as at, m.channel,
              case when m.campaign_id is not null then 'campaign' when m.flow_id is not null then 'flow'
                   else 'other' end as kind,
              m.parts, m.unit_cost_cents
         from messages m, since
        where m.shop_id = $1 and m.status in ('sent', 'delivered') and m.sent_at >= since.at
       union all
       select b.created_at, 'sms', 'codes', b.parts, b.unit_cost_cents
         from member_card_bindings b, since
        where b.shop_id = $1 and b.delivery = 'sms' and b.created_at >= since.at
     )
     select to_char(at at time zone $2, 'YYYY-MM') as month, channel, kind, count(*)::int as messages,
            coalesce(sum(parts), 0)::int as parts,
            round(coalesce(sum(parts * unit_cost_cents), 0), 2)::float8 as "costCents"
       from sent group by 1, 2, 3
      order by 1 desc, 2, array_position($5::text[], kind)`,
    [shopId, timeZone, at.toISOString(), months, USAGE_KINDS],
  );
}
