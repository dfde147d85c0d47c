// What the engage screens read from the API.
export type MessageChannel = 'email' | 'sms' | 'webhook';

export interface ChannelView {
  channel: MessageChannel;
  settings: Record<string, unknown>;
  ratePerSecond: number;
  secretsSet: string[];
}

export interface ContactPolicy {
  maxMessages: number;
  perDays: number;
  quietHours: { start: string; end: string } | null;
}

export interface Template {
  templateId: string;
  name: string;
  channel: MessageChannel;
  subject: string | null;
  body: string;
  transactional: boolean;
}

export interface Preview {
  to: string | null;
  subject: string | null;
  body: string;
  sms: { encoding: 'GSM-7' | 'UCS-2'; units: number; parts: number } | null;
}

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled';

export interface Campaign {
  campaignId: string;
  name: string;
  templateId: string;
  channel: MessageChannel;
  segmentId: string | null;
  snapshotId: string | null;
  holdoutPercent: number;
  conversionDays: number;
  status: CampaignStatus;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

export interface GroupOutcome {
  customers: number;
  converted: number;
  conversionRate: number | null;
  revenueCents: number;
}

export interface CampaignReport {
  audience: number;
  holdout: number;
  messages: Record<'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'suppressed', number>;
  suppressedBecause: Record<string, number>;
  opened: number;
  clicked: number;
  unsubscribed: number;
  coupons: { issued: number; redeemed: number; revenueCents: number };
  recipients: GroupOutcome;
  control: GroupOutcome;
  lift: number | null;
}

export interface Message {
  messageId: string;
  customerId: string;
  customerName: string | null;
  channel: MessageChannel;
  status: string;
  reason: string | null;
  recipient: string | null;
  subject: string | null;
  attempts: number;
  queuedAt: string;
  sentAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
}

export interface Coupon {
  couponId: string;
  name: string;
  kind: 'amount' | 'percent';
  amountCents: number | null;
  percent: number | null;
  minSpendCents: number;
  validFrom: string | null;
  validUntil: string | null;
  validDays: number | null;
  codePrefix: string;
  issued: number;
  redeemed: number;
}
