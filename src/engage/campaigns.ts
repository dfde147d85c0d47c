// Campaigns: one template to a segment's members as they were when it launched (a snapshot), minus a
// random held-out control group that lift is measured against. Launching writes each member's message to
// the outbox under an id derived from (campaign, customer), so however often a launch is retried, nobody
// is queued twice.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { derivedId, isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { getSegment } from '../segments/segments.js';
import { getSnapshot, snapshotSegment } from '../segments/snapshots.js';
import { assertIssuable, couponTerms } from './coupons.js';
import { ConversionDays, heldOut, HoldoutPercent } from './measure.js';
import { getTemplate, unsendableBecause, type Template } from './templates.js';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CampaignInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    templateId: z.uuid(),
    segmentId: z.uuid().optional().describe('the audience: this segment, frozen when the campaign launches'),
    snapshotId: z.uuid().optional().describe('or a snapshot already taken'),
    holdoutPercent: HoldoutPercent.describe('held out to measure lift'),
    conversionDays: ConversionDays.describe('an order within this many days converts'),
    couponId: z.uuid().optional().describe("a coupon: each recipient gets a code, the template's `coupon`"),
  })
  .refine((c) => (c.segmentId === undefined) !== (c.snapshotId === undefined), {
    message: 'Give a segment or a snapshot, not both',
    path: ['segmentId'],
  });
export type CampaignInput = z.input<typeof CampaignInput>;

export interface Campaign {
  campaignId: string;
  name: string;
  templateId: string;
  channel: string;
  segmentId: string | null;
  snapshotId: string | null;
  holdoutPercent: number;
  conversionDays: number;
  couponId: string | null;
  status: CampaignStatus;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

const columns = `c.campaign_id as "campaignId", c.name, c.template_id as "templateId", t.channel,
  c.segment_id as "segmentId", c.snapshot_id as "snapshotId", c.holdout_percent::float8 as "holdoutPercent",
  c.conversion_days as "conversionDays", c.coupon_id as "couponId", c.status, c.scheduled_at as "scheduledAt", c.started_at as "startedAt",
  c.finished_at as "finishedAt", c.created_at as "createdAt"`;
const from = `campaigns c join templates t on t.shop_id = c.shop_id and t.template_id = c.template_id`;

export async function createCampaign(db: Queryable, shopId: string, input: CampaignInput): Promise<Campaign> {
  const c = CampaignInput.parse(input);
  await assertSendable(db, shopId, await getTemplate(db, shopId, c.templateId), 'body.templateId');
  if (c.segmentId) await getSegment(db, shopId, c.segmentId);
  if (c.snapshotId) await getSnapshot(db, shopId, c.snapshotId);
  if (c.couponId) assertIssuable(await couponTerms(db, shopId, c.couponId), new Date());
  const campaignId = uuidv7();
  await db.query(
    `insert into campaigns (shop_id, campaign_id, name, template_id, segment_id, snapshot_id, holdout_percent,
                            conversion_days, coupon_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      shopId,
      campaignId,
      c.name,
      c.templateId,
      c.segmentId ?? null,
      c.snapshotId ?? null,
      c.holdoutPercent,
      c.conversionDays,
      c.couponId ?? null,
    ],
  );
  return getCampaign(db, shopId, campaignId);
}

/** Refuses a campaign whose every message the channel would refuse; `field` names the template. */
async function assertSendable(
  db: Queryable,
  shopId: string,
  template: Template,
  field: string,
): Promise<void> {
  const why = await unsendableBecause(db, shopId, template);
  if (why)
    throw new AppError('template_not_sendable', 409, `'${template.name}' cannot be sent: ${why}`, [
      { field, message: why },
    ]);
}

export async function getCampaign(db: Queryable, shopId: string, campaignId: string): Promise<Campaign> {
  if (!isUuid(campaignId)) throw AppError.notFound('Campaign');
  const [row] = await db.query<Campaign>(
    `select ${columns} from ${from} where c.shop_id = $1 and c.campaign_id = $2`,
    [shopId, campaignId],
  );
  if (!row) throw AppError.notFound('Campaign');
  return row;
}

export async function listCampaigns(db: Queryable, shopId: string): Promise<Campaign[]> {
  return db.query<Campaign>(
    `select ${columns} from ${from} where c.shop_id = $1 order by c.created_at desc limit 500`,
    [shopId],
  );
}

/**
 * Schedules a draft (or moves a scheduled campaign): at a time, or now. A campaign whose coupon's window
 * has closed by then would give every recipient a code already expired: refused.
 */
export async function scheduleCampaign(
  db: Queryable,
  shopId: string,
  campaignId: string,
  at: Date,
): Promise<Campaign> {
  const campaign = await getCampaign(db, shopId, campaignId);
  if (campaign.status !== 'draft' && campaign.status !== 'scheduled')
    throw new AppError('conflict', 409, `The campaign is ${campaign.status}; only a draft can be scheduled`);
  if (campaign.couponId)
    assertIssuable(await couponTerms(db, shopId, campaign.couponId), at, 'this campaign would send');
  // The template, or the shop's SMS provider, may have changed since the draft was made.
  await assertSendable(db, shopId, await getTemplate(db, shopId, campaign.templateId), 'templateId');
  await db.query(
    `update campaigns set status = 'scheduled', scheduled_at = $3
      where shop_id = $1 and campaign_id = $2 and status in ('draft', 'scheduled')`,
    [shopId, campaignId, at.toISOString()],
  );
  return getCampaign(db, shopId, campaignId);
}

/** Stops a campaign: nothing more of it is sent (messages already sent stay sent). */
export async function cancelCampaign(db: Db, shopId: string, campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(db, shopId, campaignId);
  if (campaign.status === 'sent' || campaign.status === 'cancelled')
    throw new AppError('conflict', 409, `The campaign is already ${campaign.status}`);
  await db.transaction(async (tx) => {
    await tx.query(
      `update campaigns set status = 'cancelled', finished_at = now() where shop_id = $1 and campaign_id = $2`,
      [shopId, campaignId],
    );
    await tx.query(
      `update messages set status = 'suppressed', reason = 'campaign cancelled'
        where shop_id = $1 and campaign_id = $2 and status = 'queued'`,
      [shopId, campaignId],
    );
  });
  return getCampaign(db, shopId, campaignId);
}

export async function deleteCampaign(db: Queryable, shopId: string, campaignId: string): Promise<void> {
  const campaign = await getCampaign(db, shopId, campaignId);
  if (campaign.status !== 'draft')
    throw new AppError('conflict', 409, `The campaign is ${campaign.status}; only a draft can be deleted`);
  await db.query(`delete from campaigns where shop_id = $1 and campaign_id = $2 and status = 'draft'`, [
    shopId,
    campaignId,
  ]);
}

/**
 * Launches the shop's campaigns that are due: freezes the audience, splits off the holdout (by a hash of
 * campaign and customer, so a retried launch draws the same split) and queues one message per member.
 */
export async function launchDueCampaigns(db: Db, shopId: string, now: Date): Promise<number> {
  const due = await db.query<{ campaignId: string; segmentId: string | null; snapshotId: string | null }>(
    `select campaign_id as "campaignId", segment_id as "segmentId", snapshot_id as "snapshotId" from campaigns
      where shop_id = $1 and status = 'scheduled' and scheduled_at <= $2 order by scheduled_at`,
    [shopId, now.toISOString()],
  );
  for (const c of due) {
    const snapshotId = c.snapshotId ?? (await snapshotSegment(db, shopId, c.segmentId!)).snapshotId;
    await db.transaction(async (tx) => {
      const [campaign] = await tx.query<{ holdout: number }>(
        `update campaigns set status = 'sending', snapshot_id = $3, started_at = $4
          where shop_id = $1 and campaign_id = $2 and status = 'scheduled'
          returning holdout_percent::float8 as holdout`,
        [shopId, c.campaignId, snapshotId, now.toISOString()],
      );
      if (!campaign) return;
      await tx.query(
        `insert into campaign_members (shop_id, campaign_id, customer_id, holdout)
         select shop_id, $2::uuid, customer_id, ${heldOut('$2::uuid::text || customer_id::text', '$4')}
           from segment_snapshot_members where shop_id = $1 and snapshot_id = $3
         on conflict do nothing`,
        [shopId, c.campaignId, snapshotId, campaign.holdout],
      );
      await tx.query(
        `insert into messages (shop_id, message_id, customer_id, channel, template_id, campaign_id, transactional, not_before, queued_at)
         select m.shop_id, ${derivedId('m.campaign_id::text || m.customer_id::text')}, m.customer_id, t.channel, t.template_id,
                m.campaign_id, t.transactional, $3, $3
           from campaign_members m
           join campaigns c on c.shop_id = m.shop_id and c.campaign_id = m.campaign_id
           join templates t on t.shop_id = c.shop_id and t.template_id = c.template_id
          where m.shop_id = $1 and m.campaign_id = $2 and not m.holdout
         on conflict do nothing`,
        [shopId, c.campaignId, now.toISOString()],
      );
    });
  }
  // A launch can add a million rows to a table the delivery job then reads batch by batch: the planner
  // must know of them at once (PGlite has no autovacuum to tell it later).
  if (due.length > 0) await db.query('analyze messages');
  return due.length;
}

/** Campaigns with nothing left to send are sent. */
export async function finishCampaigns(db: Queryable, shopId: string): Promise<void> {
  await db.query(
    `update campaigns c set status = 'sent', finished_at = now()
      where c.shop_id = $1 and c.status = 'sending'
        and not exists (select 1 from messages m where m.shop_id = c.shop_id and m.campaign_id = c.campaign_id
                           and m.status in ('queued', 'sending'))`,
    [shopId],
  );
}

/** Shops with campaigns due or messages waiting: the scheduler starts their delivery. */
export async function shopsWithDeliveryDue(db: Queryable, now: Date): Promise<string[]> {
  const rows = await db.query<{ shopId: string }>(
    `select shop_id as "shopId" from campaigns where status = 'scheduled' and scheduled_at <= $1
     union
     select distinct shop_id from messages where status = 'queued' and not_before <= $1`,
    [now.toISOString()],
  );
  return rows.map((r) => r.shopId);
}

/** The shop's campaigns that carry a members-only coupon: their messages go to members with offers only. */
export async function membersOnlyCampaigns(db: Queryable, shopId: string): Promise<string[]> {
  const rows = await db.query<{ campaignId: string }>(
    `select cp.campaign_id as "campaignId" from campaigns cp
       join coupons c on c.shop_id = cp.shop_id and c.coupon_id = cp.coupon_id
      where cp.shop_id = $1 and c.members_only`,
    [shopId],
  );
  return rows.map((r) => r.campaignId);
}
