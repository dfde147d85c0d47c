// What the engage screens read from the API.
import type { CaseKind } from '../service/cases.js';

export type MessageChannel = 'email' | 'sms' | 'webhook';

export interface ChannelView {
  channel: MessageChannel;
  settings: Record<string, unknown>;
  ratePerSecond: number;
  costPerMessageCents: number;
  secretsSet: string[];
  /** Aliyun only: where its console is to push delivery reports and replies. */
  pushUrls?: { reports: string; replies: string };
}

export interface ContactPolicy {
  maxMessages: number;
  perDays: number;
  quietHours: { start: string; end: string } | null;
  holdOpenComplaints: boolean;
}

export interface Template {
  templateId: string;
  name: string;
  channel: MessageChannel;
  subject: string | null;
  body: string;
  transactional: boolean;
  providerTemplate: ProviderTemplate | null;
}

/** An SMS template's approved template at the provider: its code and each variable (Liquid, or as sent). */
export interface ProviderTemplate {
  code: string;
  params: Record<string, string>;
}

export interface Preview {
  to: string | null;
  subject: string | null;
  body: string;
  providerTemplate: ProviderTemplate | null;
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
  reactivation: {
    days: number;
    recipients: { dormant: number; reactivated: number; rate: number | null };
    control: { dormant: number; reactivated: number; rate: number | null };
  };
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
  pointsPrice: number | null;
  /** Given only to members whose tier grants member-only offers. */
  membersOnly: boolean;
  retiredAt: string | null;
  issued: number;
  redeemed: number;
}

export type Trigger =
  | { type: 'order_paid' }
  | { type: 'purchase_cycle'; category?: string; daysBefore: number }
  | { type: 'birthday'; daysBefore: number; hour: number }
  | { type: 'no_order'; days: number }
  | { type: 'tier_upgraded'; tier?: string }
  | { type: 'points_expiring'; daysBefore: number }
  | { type: 'service_resolved'; kind?: CaseKind }
  | { type: 'joined' }
  | { type: 'date'; month: number; day: number; hour: number; year?: number };

export type FlowStep = { id?: string } & (
  | { type: 'wait'; days: number; hours: number }
  | { type: 'send'; templateId: string }
  | { type: 'coupon'; couponId: string }
  | { type: 'tag'; tagId: string; action: 'add' | 'remove' }
  | { type: 'points'; points: number; reason: string }
  | { type: 'branch'; condition: unknown; yes: FlowStep[]; no: FlowStep[] }
);

export interface Flow {
  flowId: string;
  name: string;
  trigger: Trigger;
  steps: FlowStep[];
  segmentId: string | null;
  holdoutPercent: number;
  conversionDays: number;
  status: 'draft' | 'active' | 'paused';
  enterFrom: string | null;
  lastError: string | null;
}

export interface StepCounts {
  passed: number;
  yes: number;
  no: number;
  here: number;
}

export interface FlowReport {
  entered: number;
  holdout: number;
  active: number;
  completed: number;
  exited: number;
  exitedBecause: Record<string, number>;
  steps: Record<string, StepCounts>;
  messages: CampaignReport['messages'];
  opened: number;
  clicked: number;
  coupons: CampaignReport['coupons'];
  walked: GroupOutcome;
  control: GroupOutcome;
  lift: number | null;
}

export interface Enrollment {
  enrollmentId: string;
  customerId: string;
  customerName: string | null;
  occurrence: string;
  occurredAt: string;
  holdout: boolean;
  status: 'active' | 'completed' | 'exited';
  stepId: string | null;
  nextAt: string | null;
  exitReason: string | null;
}
