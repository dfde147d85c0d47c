// What a segment rule may say: a tree of AND / OR / NOT groups whose leaves are conditions on a field of
// the customer row (from an allow-list, each with its type and the operators that type takes), on tags,
// consent, or on the customer's order history, interactions and service cases. Rule tags use the same
// trees (tags/rules.ts).
import { z } from 'zod';
import { CHANNELS } from '../customers/consent.js';
import { RFM_SEGMENTS } from '../rfm/segments.js';
import { CASE_KINDS, CASE_STATUSES } from '../service/cases.js';

export const MAX_DEPTH = 8;
export const MAX_NODES = 200;

/** Field types; each names the operators it takes (compile.ts turns them into SQL). */
export const OPERATORS = {
  text: ['eq', 'neq', 'in', 'notIn', 'contains', 'startsWith', 'isSet', 'isNotSet'],
  choice: ['eq', 'neq', 'in', 'notIn', 'isSet', 'isNotSet'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'isSet', 'isNotSet'],
  time: [
    'before',
    'onOrAfter',
    'between',
    'withinLastDays',
    'moreThanDaysAgo',
    'withinNextDays',
    'isSet',
    'isNotSet',
  ],
  tier: ['eq', 'neq', 'in', 'notIn', 'gte', 'lte'],
  tags: ['hasAny', 'hasAll', 'hasNone'],
} as const;
export type FieldType = keyof typeof OPERATORS;
export type Operator = (typeof OPERATORS)[FieldType][number];

export interface FieldSpec {
  type: FieldType;
  /** The SQL expression over the customers row `c`; never built from input. */
  sql: string;
  /** The values a choice field takes. */
  choices?: readonly string[];
  /** Whole numbers only (counts, money in minor units, scores). */
  integer?: boolean;
}

export const FIELDS = {
  name: { type: 'text', sql: 'c.name' },
  email: { type: 'text', sql: 'c.email' },
  phone: { type: 'text', sql: 'c.phone' },
  memberCard: { type: 'text', sql: 'c.member_card' },
  gender: { type: 'choice', sql: 'c.gender', choices: ['female', 'male', 'other'] },
  birthdayMonth: { type: 'number', sql: 'extract(month from c.birthday)', integer: true },
  country: { type: 'text', sql: 'c.country' },
  province: { type: 'text', sql: 'c.province' },
  city: { type: 'text', sql: 'c.city' },
  firstSource: { type: 'text', sql: 'c.first_source' },
  createdAt: { type: 'time', sql: 'c.created_at' },
  orderCount: { type: 'number', sql: 'c.order_count', integer: true },
  onlineOrderCount: { type: 'number', sql: 'c.online_order_count', integer: true },
  offlineOrderCount: { type: 'number', sql: 'c.offline_order_count', integer: true },
  spendCents: { type: 'number', sql: 'c.spend_cents', integer: true },
  refundedCents: { type: 'number', sql: 'c.refunded_cents', integer: true },
  netSpendCents: { type: 'number', sql: '(c.spend_cents - c.refunded_cents)', integer: true },
  averageOrderCents: {
    type: 'number',
    sql: '(c.spend_cents / nullif(c.order_count, 0))',
    integer: true,
  },
  firstOrderAt: { type: 'time', sql: 'c.first_order_at' },
  lastOrderAt: { type: 'time', sql: 'c.last_order_at' },
  tier: { type: 'tier', sql: 'c.tier_rank' },
  tierSince: { type: 'time', sql: 'c.tier_since' },
  pointsBalance: { type: 'number', sql: 'c.points_balance', integer: true },
  tags: { type: 'tags', sql: 'c.tag_ids' },
  rfmR: { type: 'number', sql: 'c.rfm_r', integer: true },
  rfmF: { type: 'number', sql: 'c.rfm_f', integer: true },
  rfmM: { type: 'number', sql: 'c.rfm_m', integer: true },
  rfmSegment: { type: 'choice', sql: 'c.rfm_segment', choices: RFM_SEGMENTS },
  rfmRecencyDays: { type: 'number', sql: 'c.rfm_recency_days', integer: true },
  rfmFrequency: { type: 'number', sql: 'c.rfm_frequency', integer: true },
  rfmMonetaryCents: { type: 'number', sql: 'c.rfm_monetary_cents', integer: true },
  pAlive: { type: 'number', sql: 'c.p_alive' },
  expectedOrders12m: { type: 'number', sql: 'c.expected_orders_12m' },
  predictedValueCents: { type: 'number', sql: 'c.predicted_value_cents', integer: true },
  purchaseCycleDays: { type: 'number', sql: 'c.purchase_cycle_days' },
  nextPurchaseAt: { type: 'time', sql: 'c.next_purchase_at' },
} as const satisfies Record<string, FieldSpec>;
export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** Interactions recorded on the timeline as `message.<kind>` by the engage area. */
export const INTERACTIONS = ['opened', 'clicked', 'replied'] as const;

const days = z.number().int().min(1).max(36500);
const names = z.array(z.string().trim().min(1).max(200)).min(1).max(500);

export const FieldCondition = z.strictObject({
  type: z.literal('field'),
  field: z.string(),
  op: z.string(),
  value: z.unknown().optional(),
});

export const Purchased = z
  .strictObject({
    type: z.literal('purchased'),
    categories: names.optional(),
    brands: names.optional().describe("a line's brand, whatever its case"),
    skus: names.optional(),
    productIds: names.optional(),
    titleContains: names.optional().describe('any of these words in an item title'),
    channel: z.enum(['online', 'offline']).optional(),
    storeIds: names.optional(),
    withinDays: days.optional().describe('ordered in the last N days'),
    minOrders: z.number().int().min(1).max(100000).optional().describe('at least this many such orders'),
  })
  .describe('bought, in orders that were paid and not wholly refunded, with every filter given');

export const DiscountShare = z
  .strictObject({
    type: z.literal('discountShare'),
    atLeast: z.number().min(0).max(1),
    minOrders: z
      .number()
      .int()
      .min(1)
      .max(100000)
      .optional()
      .describe('purchases needed to judge; 2 if not given'),
  })
  .describe('price sensitivity: share of purchases with a discount or a coupon');

export const ConsentCondition = z
  .strictObject({
    type: z.literal('consent'),
    channel: z.enum(CHANNELS),
    status: z.enum(['opted_in', 'opted_out', 'none']).describe("'none': never said either way"),
  })
  .describe("the customer's last word on marketing over a channel");

export const Interacted = z.strictObject({
  type: z.literal('interacted'),
  kinds: z.array(z.enum(INTERACTIONS)).min(1),
  withinDays: days.optional(),
});

export const ServiceCondition = z
  .strictObject({
    type: z.literal('service'),
    kinds: z.array(z.enum(CASE_KINDS)).min(1).optional().describe('cases of these kinds only'),
    status: z.enum(CASE_STATUSES).optional().describe('left out: open or resolved'),
    withinDays: days.optional().describe('opened in the last N days'),
    maxRating: z.number().int().min(1).max(5).optional().describe('reviews of at most this many stars'),
    minCases: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe('at least this many such cases (1 if not given)'),
  })
  .describe('brought service cases to the shop (inquiries, after-sale, complaints, disputes, reviews)');

export const NearNextTier = z
  .strictObject({
    type: z.literal('nearNextTier'),
    spendWithinCents: z
      .number()
      .int()
      .min(1)
      .max(1e15)
      .optional()
      .describe("at most this much net spend (minor units) short of the next tier's spend threshold"),
    ordersWithin: z
      .number()
      .int()
      .min(1)
      .max(1e6)
      .optional()
      .describe('at most this many purchases short of its order threshold'),
  })
  .describe(
    "within reach of the tier above their own, by the program's thresholds over its window (all purchases ever, or the last 12 months, as the tier card counts them): under match 'any' one threshold in reach is enough, under 'all' every one not yet met must be; members at the top, or already meeting the next tier (a tier set by hand holds them), are not near it",
  );

export type Rule =
  | { type: 'and' | 'or'; rules: Rule[] }
  | { type: 'not'; rule: Rule }
  | z.infer<typeof FieldCondition>
  | z.infer<typeof Purchased>
  | z.infer<typeof DiscountShare>
  | z.infer<typeof Interacted>
  | z.infer<typeof ConsentCondition>
  | z.infer<typeof ServiceCondition>
  | z.infer<typeof NearNextTier>;

// Registered by name: the OpenAPI document describes the recursive tree once, as a component.
export const Rule: z.ZodType<Rule> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.enum(['and', 'or']), rules: z.array(Rule).max(MAX_NODES) }),
    z.strictObject({ type: z.literal('not'), rule: Rule }),
    FieldCondition,
    Purchased,
    DiscountShare,
    Interacted,
    ConsentCondition,
    ServiceCondition,
    NearNextTier,
  ]),
);
z.globalRegistry.add(Rule, { id: 'SegmentRule' });
