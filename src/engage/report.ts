// What a campaign did: how many messages reached whom, who opened and clicked, and — the figure that
// matters — whether recipients bought more than the held-out control group in the conversion window.
import type { Queryable } from '../db/db.js';
import { PURCHASE_SQL } from '../orders/status.js';
import { getCampaign } from './campaigns.js';

export interface GroupOutcome {
  customers: number;
  converted: number;
  conversionRate: number | null;
  revenueCents: number;
}

export interface MessageOutcomes {
  messages: Record<'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'suppressed', number>;
  suppressedBecause: Record<string, number>;
  opened: number;
  clicked: number;
  unsubscribed: number;
  coupons: { issued: number; redeemed: number; revenueCents: number };
  /** The messages that went out, at their channel's cost per message. */
  costCents: number;
}

export interface CampaignReport extends MessageOutcomes {
  audience: number;
  holdout: number;
  recipients: GroupOutcome;
  control: GroupOutcome;
  /** Recipients' conversion rate minus the control group's (percentage points as a fraction); null without one. */
  lift: number | null;
  reactivation: { days: number; recipients: WakeUp; control: WakeUp };
}

/** Of a group, those dormant when the campaign reached them, and those of them who converted. */
export interface WakeUp {
  dormant: number;
  reactivated: number;
  rate: number | null;
}

/** Days without a purchase after which a customer counts as dormant (as on the dashboard by default). */
const DORMANT_DAYS = 180;

const rate = (converted: number, customers: number) => (customers > 0 ? converted / customers : null);

export async function campaignReport(
  db: Queryable,
  shopId: string,
  campaignId: string,
): Promise<CampaignReport> {
  const campaign = await getCampaign(db, shopId, campaignId);
  const sent = await messageOutcomes(db, shopId, { campaignId });
  // A recipient converts with an order in the window after the message reached them; a held-out member,
  // in the same window after the launch (when they would have got it). Orders are counted once each.
  // Reactivation: of those whose last purchase was more than DORMANT_DAYS before the message (or the
  // launch), how many converted — the campaign's wake-up rate, against the control group's.
  const groups = await db.query<{
    holdout: boolean;
    customers: number;
    converted: number;
    revenueCents: number;
    dormant: number;
    reactivated: number;
  }>(
    `with entered as (
       select cm.customer_id, cm.holdout,
              case when cm.holdout then c.started_at else msg.sent_at end as since
         from campaign_members cm
         join campaigns c on c.shop_id = cm.shop_id and c.campaign_id = cm.campaign_id
         left join messages msg on msg.shop_id = cm.shop_id and msg.campaign_id = cm.campaign_id
                              and msg.customer_id = cm.customer_id
        where cm.shop_id = $1 and cm.campaign_id = $2
          and (cm.holdout or msg.status in ('sent', 'delivered'))
     ), members as (
       select e.*, (select max(o.ordered_at) from orders o
                     where o.shop_id = $1 and o.customer_id = e.customer_id and o.${PURCHASE_SQL}
                       and o.ordered_at < e.since) < e.since - make_interval(days => $4) as dormant
         from entered e
     ), bought as (
       select m.customer_id, m.holdout, sum(o.total_cents - o.refunded_cents)::int8 as revenue
         from members m
         join orders o on o.shop_id = $1 and o.customer_id = m.customer_id
                      and o.ordered_at >= m.since and o.ordered_at < m.since + make_interval(days => $3)
                      and o.${PURCHASE_SQL}
        group by 1, 2
     )
     select m.holdout, count(*)::int as customers, count(b.customer_id)::int as converted,
            coalesce(sum(b.revenue), 0)::int8 as "revenueCents",
            count(*) filter (where m.dormant)::int as dormant,
            count(b.customer_id) filter (where m.dormant)::int as reactivated
       from members m left join bought b using (customer_id, holdout)
      group by m.holdout`,
    [shopId, campaignId, campaign.conversionDays, DORMANT_DAYS],
  );
  const wakeUp = (holdout: boolean) => {
    const g = groups.find((x) => x.holdout === holdout);
    const dormant = g?.dormant ?? 0;
    const reactivated = g?.reactivated ?? 0;
    return { dormant, reactivated, rate: rate(reactivated, dormant) };
  };
  const recipients = groupOutcome(groups, false);
  const control = groupOutcome(groups, true);
  const [sizes] = await db.query<{ audience: number; holdout: number }>(
    `select count(*)::int as audience, count(*) filter (where holdout)::int as holdout
       from campaign_members where shop_id = $1 and campaign_id = $2`,
    [shopId, campaignId],
  );
  return {
    audience: sizes!.audience,
    holdout: sizes!.holdout,
    ...sent,
    recipients,
    control,
    lift: lift(recipients, control),
    reactivation: { days: DORMANT_DAYS, recipients: wakeUp(false), control: wakeUp(true) },
  };
}

/** What became of the messages a campaign or a flow sent, and of the codes it gave. */
export async function messageOutcomes(
  db: Queryable,
  shopId: string,
  of: { campaignId: string } | { flowId: string },
): Promise<MessageOutcomes> {
  const [column, id] = 'campaignId' in of ? ['campaign_id', of.campaignId] : ['flow_id', of.flowId];
  const statuses = await db.query<{ status: string; reason: string | null; n: number }>(
    `select status, case when status = 'suppressed' then reason end as reason, count(*)::int as n
       from messages where shop_id = $1 and ${column} = $2 group by 1, 2`,
    [shopId, id],
  );
  const messages = { queued: 0, sending: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0 };
  const suppressedBecause: Record<string, number> = {};
  for (const s of statuses) {
    messages[s.status as keyof typeof messages] += s.n;
    if (s.reason) suppressedBecause[s.reason] = s.n;
  }
  // Engagement and cost in the same pass over the messages: a message costs its billed parts at the
  // price of a part when it went.
  const [engagement] = await db.query<{
    opened: number;
    clicked: number;
    unsubscribed: number;
    cents: number;
  }>(
    `select count(m.opened_at)::int as opened, count(m.clicked_at)::int as clicked,
            count(m.unsubscribed_at)::int as unsubscribed,
            coalesce(sum(m.parts * m.unit_cost_cents) filter (where m.status in ('sent', 'delivered')), 0)::float8
              as cents
       from messages m
      where m.shop_id = $1 and m.${column} = $2`,
    [shopId, id],
  );
  const [coupons] = await db.query<{ issued: number; redeemed: number; revenueCents: number }>(
    `select count(*)::int as issued, count(k.redeemed_at)::int as redeemed,
            coalesce(sum(o.total_cents - o.refunded_cents), 0)::int8 as "revenueCents"
       from coupon_codes k left join orders o on o.shop_id = k.shop_id and o.order_id = k.order_id
      where k.shop_id = $1 and k.${column} = $2`,
    [shopId, id],
  );
  return {
    messages,
    suppressedBecause,
    costCents: Math.round(engagement!.cents),
    opened: engagement!.opened,
    clicked: engagement!.clicked,
    unsubscribed: engagement!.unsubscribed,
    coupons: coupons!,
  };
}

/** One side of a split (those messaged, the held out) from rows counted per side. */
export function groupOutcome(
  groups: { holdout: boolean; customers: number; converted: number; revenueCents: number }[],
  holdout: boolean,
): GroupOutcome {
  const g = groups.find((x) => x.holdout === holdout);
  const customers = g?.customers ?? 0;
  const converted = g?.converted ?? 0;
  return {
    customers,
    converted,
    conversionRate: rate(converted, customers),
    revenueCents: g?.revenueCents ?? 0,
  };
}

/** The messaged group's conversion rate minus the control group's; null without both. */
export const lift = (treated: GroupOutcome, control: GroupOutcome) =>
  treated.conversionRate !== null && control.conversionRate !== null
    ? treated.conversionRate - control.conversionRate
    : null;
