// The membership area owns a shop's member program (tiers and points rules), the points ledger, member
// card binding, and the tier and points columns of the customer row (tier_*, points_balance), which it
// keeps current in the same transaction as the order, refund or request that moves them.
//
// This file: the program document, one zod schema for API, storage and console alike.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { AppError } from '../errors.js';

const cents = z.number().int().nonnegative().max(1e15);
const count = z.number().int().nonnegative().max(1e6);

export const TierBenefits = z.strictObject({
  /** Percent off the member price, 0–100. */
  discountPercent: z.number().min(0).max(100).default(0),
  pointsMultiplier: z.number().min(0).max(100).default(1),
  freeShipping: z.boolean().default(false),
  /** What the member gets on their birthday, or null. */
  birthdayGift: z.string().trim().max(200).nullable().default(null),
  memberOffers: z.boolean().default(false),
  priorityService: z.boolean().default(false),
});

export const Tier = z.strictObject({
  name: z.string().trim().min(1).max(60),
  /** Entry thresholds over the program's window: net spend (minor units) and purchases; null = not used. */
  minSpendCents: cents.nullable().default(null),
  minOrders: count.nullable().default(null),
  /** Keep thresholds checked at reviews, usually below the entry ones; null = the entry threshold. */
  keepSpendCents: cents.nullable().default(null),
  keepOrders: count.nullable().default(null),
  benefits: TierBenefits.prefault({}),
});
export type Tier = z.infer<typeof Tier>;

export const PointsBonus = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    /** Multiplies the points of what it applies to (2 = double points). The highest applicable bonus wins. */
    multiplier: z.number().gt(1).max(20),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    /** Only items of this product category; null = the whole order. */
    category: z.string().trim().min(1).max(200).nullable().default(null),
    channel: z.enum(['online', 'offline']).nullable().default(null),
  })
  .refine((b) => Date.parse(b.to) > Date.parse(b.from), {
    message: 'must end after it starts',
    path: ['to'],
  });
export type PointsBonus = z.infer<typeof PointsBonus>;

/** No rule expires points sooner after they were earned than this (schedule.ts relies on it). */
export const SHORTEST_EXPIRY_DAYS = 1;

export const PointsExpiry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('never') }),
  /** Points earned in a year expire at the end of the following year (in the shop's time zone). */
  z.strictObject({ kind: z.literal('end_of_next_year') }),
  z.strictObject({
    kind: z.literal('after_days'),
    days: z.number().int().min(SHORTEST_EXPIRY_DAYS).max(3650),
  }),
]);
export type PointsExpiry = z.infer<typeof PointsExpiry>;

export const PointsRules = z.strictObject({
  /** When an order earns: once paid, or only once completed (after the return window). */
  awardOn: z.enum(['paid', 'completed']).default('paid'),
  /** Points per unit of currency paid (goods, not shipping), by channel. */
  perUnit: z
    .strictObject({ online: z.number().min(0).max(1000), offline: z.number().min(0).max(1000) })
    .default({ online: 1, offline: 1 }),
  bonuses: z.array(PointsBonus).max(50).default([]),
  expiry: PointsExpiry.default({ kind: 'end_of_next_year' }),
  /** How many points make one unit of currency off when redeemed as money off. */
  pointsPerUnitOff: z.number().int().min(1).max(1e6).default(100),
});
export type PointsRules = z.infer<typeof PointsRules>;

export const MemberProgram = z
  .strictObject({
    tiers: z.array(Tier).min(1).max(10),
    /** Which purchases count towards thresholds. */
    window: z.enum(['lifetime', 'rolling_12_months']).default('lifetime'),
    /** 'any': meeting either threshold qualifies; 'all': every threshold a tier sets must be met. */
    match: z.enum(['any', 'all']).default('any'),
    review: z
      .strictObject({
        every: z.enum(['month', 'quarter', 'year']).default('quarter'),
        /** Days a member below their tier's keep threshold keeps the tier before a review downgrades them. */
        graceDays: z.number().int().min(0).max(365).default(30),
      })
      .default({ every: 'quarter', graceDays: 30 }),
    points: PointsRules.prefault({}),
  })
  .superRefine((p, ctx) => {
    const [entry, ...upper] = p.tiers;
    if (entry && (entry.minSpendCents || entry.minOrders)) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', 0],
        message: 'the first tier is the entry tier: no thresholds',
      });
    }
    upper.forEach((t, i) => {
      const path = ['tiers', i + 1];
      if (t.minSpendCents === null && t.minOrders === null) {
        ctx.addIssue({ code: 'custom', path, message: 'needs a spend or order threshold' });
      }
      if (
        (t.keepSpendCents ?? 0) > (t.minSpendCents ?? Infinity) ||
        (t.keepOrders ?? 0) > (t.minOrders ?? Infinity)
      ) {
        ctx.addIssue({ code: 'custom', path, message: 'keep thresholds cannot exceed entry thresholds' });
      }
      const below = p.tiers[i]!;
      if (
        (t.minSpendCents ?? Infinity) < (below.minSpendCents ?? 0) ||
        (t.minOrders ?? Infinity) < (below.minOrders ?? 0)
      ) {
        ctx.addIssue({ code: 'custom', path, message: 'thresholds must not fall below the tier beneath' });
      }
    });
    const names = p.tiers.map((t) => t.name.toLowerCase());
    if (new Set(names).size !== names.length) {
      ctx.addIssue({ code: 'custom', path: ['tiers'], message: 'tier names must differ' });
    }
  });
export type MemberProgram = z.infer<typeof MemberProgram>;
export type MemberProgramInput = z.input<typeof MemberProgram>;

const yuan = (n: number) => n * 100;

/** Taobao's four grades, by spend or purchases over the customer's lifetime. */
export const DEFAULT_PROGRAM: MemberProgram = MemberProgram.parse({
  tiers: [
    { name: 'Regular' },
    { name: 'Senior', minSpendCents: yuan(500), minOrders: 2, benefits: { discountPercent: 2 } },
    {
      name: 'VIP',
      minSpendCents: yuan(2000),
      minOrders: 5,
      benefits: { discountPercent: 5, freeShipping: true, birthdayGift: 'Birthday gift set' },
    },
    {
      name: 'Supreme VIP',
      minSpendCents: yuan(5000),
      minOrders: 10,
      benefits: {
        discountPercent: 10,
        pointsMultiplier: 1.5,
        freeShipping: true,
        birthdayGift: 'Birthday gift set',
        memberOffers: true,
        priorityService: true,
      },
    },
  ],
});

/**
 * The ranks of the tiers that grant a benefit Regulars acts on: the priority service channel (the service
 * desk's line) or member-only offers (the coupons kept for them).
 */
export const benefitRanks = (program: MemberProgram, benefit: 'priorityService' | 'memberOffers'): number[] =>
  program.tiers.flatMap((t, rank) => (t.benefits[benefit] ? [rank] : []));

export interface StoredProgram {
  program: MemberProgram;
  version: number;
  nextReviewAt: Date | null;
  nextExpiryAt: Date | null;
}

export async function getProgram(db: Queryable, shopId: string): Promise<StoredProgram> {
  const [row] = await db.query<{
    program: unknown;
    version: number;
    nextReviewAt: Date | null;
    nextExpiryAt: Date | null;
  }>(
    `select program, version, next_review_at as "nextReviewAt", next_expiry_at as "nextExpiryAt"
       from membership_programs where shop_id = $1`,
    [shopId],
  );
  if (!row) return { program: DEFAULT_PROGRAM, version: 0, nextReviewAt: null, nextExpiryAt: null };
  return { ...row, program: MemberProgram.parse(row.program) };
}

/** Validates and stores a program; answers the stored program and whether its tiers changed. */
export async function saveProgram(
  tx: Queryable,
  shopId: string,
  input: unknown,
): Promise<{ stored: StoredProgram; tiersChanged: boolean }> {
  const parsed = MemberProgram.safeParse(input);
  if (!parsed.success) {
    throw AppError.invalid(
      'The member program is not valid',
      parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  }
  const before = await getProgram(tx, shopId);
  const program = parsed.data;
  const grading = (p: MemberProgram) =>
    JSON.stringify([p.tiers.map(({ benefits: _, ...t }) => t), p.window, p.match]);
  const [row] = await tx.query<{ version: number; nextReviewAt: Date | null; nextExpiryAt: Date | null }>(
    `insert into membership_programs (shop_id, program, version) values ($1, $2, 1)
     on conflict (shop_id) do update set program = excluded.program,
       version = membership_programs.version + 1, updated_at = now(),
       -- A new review period starts counting afresh (the scheduler sets the next date).
       next_review_at = case when $3 then null else membership_programs.next_review_at end,
       -- A lifetime program keeps no member year (membership/year.ts); a rolling one keeps what it has.
       year_from = case when $4 then membership_programs.year_from end
     returning version, next_review_at as "nextReviewAt", next_expiry_at as "nextExpiryAt"`,
    [
      shopId,
      JSON.stringify(program),
      program.review.every !== before.program.review.every,
      program.window === 'rolling_12_months',
    ],
  );
  return {
    stored: { program, ...row! },
    tiersChanged:
      before.version === 0
        ? grading(program) !== grading(DEFAULT_PROGRAM)
        : grading(program) !== grading(before.program),
  };
}
