// Response shapes for the OpenAPI document. Requests are validated by the areas' own zod schemas.
import { z } from 'zod';
import { DAYPARTS } from '../orders/habits.js';
import { ORDER_STATUSES } from '../orders/status.js';
import { RFM_SEGMENTS } from '../rfm/segments.js';
import { CHANNELS } from '../customers/consent.js';
import { TIMELINE_EVENT_TYPES } from '../customers/timeline.js';

const ts = z.iso.datetime();

export const ErrorBody = z.object({
  error: z.string().describe('machine-readable code'),
  message: z.string(),
  details: z.array(
    z.object({
      field: z.string().optional(),
      row: z.number().optional(),
      column: z.string().optional(),
      message: z.string(),
    }),
  ),
});

export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody } as const;

/** A route under /api/customers/{customerId}: any text, so that an id not in the shop is a 404, not a 400. */
export const CustomerParams = z.object({ customerId: z.string() });

export const Customer = z.object({
  customerId: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable().describe('E.164'),
  memberCard: z.string().nullable(),
  gender: z.enum(['female', 'male', 'other']).nullable(),
  birthday: z.iso.date().nullable(),
  country: z.string().nullable(),
  province: z.string().nullable(),
  city: z.string().nullable(),
  address: z.string().nullable(),
  company: z.string().nullable(),
  jobTitle: z.string().nullable(),
  firstSource: z.string(),
  orderCount: z
    .number()
    .int()
    .describe('paid orders, refunded ones included; pending and cancelled excluded'),
  onlineOrderCount: z.number().int(),
  offlineOrderCount: z.number().int(),
  spendCents: z.number().int().describe('gross spend of counted orders, minor units'),
  refundedCents: z.number().int(),
  firstOrderAt: ts.nullable(),
  lastOrderAt: ts.nullable(),
  createdAt: ts,
  updatedAt: ts,
  tierRank: z.number().int().describe("position in the shop's tier list, 0 = entry tier"),
  tierSince: ts.nullable(),
  tierHoldUntil: ts.nullable().describe('set by hand: no order or re-grade moves the tier before this time'),
  tierGraceUntil: ts.nullable().describe('below the keep threshold: a review after this time downgrades'),
  pointsBalance: z.number().int(),
  pAlive: z
    .number()
    .nullable()
    .describe('MBG/NBD probability the customer is still active (churn risk = 1 - pAlive)'),
  expectedOrders12m: z.number().nullable().describe('expected purchase days in the next 12 months'),
  predictedValueCents: z
    .number()
    .int()
    .nullable()
    .describe('expected orders × expected order value (Gamma-Gamma)'),
  purchaseCycleDays: z.number().nullable().describe('median days between purchase days'),
  nextPurchaseAt: ts.nullable().describe('last purchase day + purchase cycle'),
  predictedAt: ts.nullable(),
  rfmR: z.number().int().nullable().describe('recency score 1-5 (5 = most recent)'),
  rfmF: z.number().int().nullable(),
  rfmM: z.number().int().nullable(),
  rfmSegment: z.enum(RFM_SEGMENTS).nullable(),
  rfmRecencyDays: z.number().int().nullable(),
  rfmFrequency: z.number().int().nullable().describe("purchases in the shop's RFM window"),
  rfmMonetaryCents: z.number().int().nullable().describe("net spend in the shop's RFM window"),
  rfmAt: ts.nullable(),
  erasedAt: ts
    .nullable()
    .describe(
      "when the shop erased the person's personal data on their request: the row keeps no name or contact",
    ),
});

export const Identity = z.object({
  kind: z.enum(['phone', 'email', 'member_card', 'platform_id']),
  value: z.string(),
  source: z.string(),
  createdAt: ts,
});

export const Order = z.object({
  orderId: z.uuid(),
  customerId: z.uuid(),
  source: z.string(),
  externalId: z.string(),
  channel: z.enum(['online', 'offline']),
  storeId: z.string().nullable(),
  memberCard: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
  currency: z.string(),
  totalCents: z.number().int(),
  discountCents: z.number().int(),
  shippingCents: z.number().int(),
  refundedCents: z.number().int(),
  couponCode: z.string().nullable(),
  orderedAt: ts,
  paidAt: ts.nullable(),
  items: z.array(
    z.object({
      lineNo: z.number().int(),
      productId: z.string().nullable(),
      sku: z.string().nullable(),
      title: z.string(),
      category: z.string().nullable(),
      brand: z.string().nullable(),
      quantity: z.number().int(),
      unitPriceCents: z.number().int(),
      refundedQuantity: z.number().int().describe('units returned'),
    }),
  ),
});

/** What a customer spent on a category or a brand: in how many orders and units, how much, and when last. */
const Spending = z.object({
  orders: z.number().int(),
  units: z.number().int(),
  spendCents: z.number().int(),
  lastAt: ts,
});

export const BuyingHabits = z.object({
  purchases: z.number().int().describe('purchases kept: not cancelled, not wholly refunded'),
  averageOrderCents: z.number().int().nullable().describe('their average net value, after refunds'),
  discounted: z.number().int().describe('of them, with a discount or a coupon'),
  averageDiscount: z
    .number()
    .nullable()
    .describe('how deep the discounts went on average, 0–1 of the price before the discount'),
  usualWeekday: z
    .number()
    .int()
    .min(1)
    .max(7)
    .nullable()
    .describe(
      "the day they usually buy on, 1 Monday … 7 Sunday, in the shop's time zone: shared by at least two purchases and two in five, and by more than any other day; else null",
    ),
  usualDaypart: z
    .enum(DAYPARTS)
    .nullable()
    .describe(
      'the part of the day they usually buy in (night 0–6 h, morning 6–12, afternoon 12–18, evening 18–24), by the same rule',
    ),
  categories: z
    .array(Spending.extend({ category: z.string() }))
    .describe('the five categories they spend most on'),
  brands: z
    .array(Spending.extend({ brand: z.string() }))
    .describe(
      "the five brands they spend most on (a line's brand: Shopify's Vendor, the generic item_brand)",
    ),
  products: z
    .array(z.object({ title: z.string(), orders: z.number().int(), units: z.number().int(), lastAt: ts }))
    .describe('the five products they buy most units of, by SKU, else product id, else title'),
  stores: z
    .array(z.object({ storeId: z.string(), orders: z.number().int(), lastAt: ts }))
    .describe('the five stores they buy in most'),
});

export const TimelineEvent = z.object({
  eventId: z.uuid(),
  customerId: z.uuid(),
  type: z.enum(TIMELINE_EVENT_TYPES),
  occurredAt: ts,
  source: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const Page = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const Job = z.object({
  jobId: z.uuid(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  done: z.number().int(),
  total: z.number().int().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  failure: z.string().nullable(),
  createdAt: ts,
  startedAt: ts.nullable(),
  finishedAt: ts.nullable(),
});

export const LedgerEntry = z.object({
  entryId: z.uuid(),
  customerId: z.uuid(),
  kind: z.enum(['earn', 'reverse', 'redeem', 'expire', 'adjust']),
  points: z.number().int().describe('signed: positive adds to the balance'),
  idempotencyKey: z.string(),
  orderId: z.uuid().nullable(),
  expiresAt: ts.nullable().describe('for earned points: when this lot expires'),
  lotId: z.uuid().nullable().describe('for a reversal: the earning it takes back from'),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  staffId: z.uuid().nullable(),
  createdAt: ts,
});

export const CustomerCode = z.object({
  code: z.string(),
  couponId: z.uuid(),
  name: z.string(),
  campaignId: z.uuid().nullable(),
  issuedAt: ts,
  expiresAt: ts.nullable(),
  redeemedAt: ts.nullable(),
  orderId: z.uuid().nullable(),
});

export const Consent = z.object({
  channel: z.enum(CHANNELS),
  status: z.enum(['opted_in', 'opted_out']),
  source: z.string(),
  changedAt: ts,
});

export const CustomerTag = z.object({
  tagId: z.uuid(),
  name: z.string(),
  group: z.string().nullable(),
  manual: z.boolean(),
  source: z.string(),
  taggedAt: ts,
});
