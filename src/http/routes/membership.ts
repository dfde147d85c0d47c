import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import { AppError } from '../../errors.js';
import {
  BindingRequest,
  CODE_DELIVERIES,
  confirmBinding,
  listBindings,
  requestBinding,
  unbindCard,
} from '../../membership/cards.js';
import { listLedger, pointsSummary } from '../../membership/points.js';
import {
  adjustPoints,
  AdjustmentInput,
  redeemPoints,
  RedemptionInput,
} from '../../membership/redemptions.js';
import { getProgram, MemberProgram, saveProgram, TierBenefits } from '../../membership/program.js';
import { EXPIRE, holdUntilNextReview, nextReview, REGRADE, REVIEW } from '../../membership/schedule.js';
import { memberTiers, setTierByHand, tierDistribution } from '../../membership/tiers.js';
import { allows } from '../../shops/roles.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, ErrorBody, Job, LedgerEntry } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();
const CustomerParams = z.object({ customerId: z.string() });
const conflict = { 409: ErrorBody };

const StoredProgram = z.object({
  program: MemberProgram,
  version: z.number().int().describe('0 while the shop runs the default program'),
  nextReviewAt: ts.nullable(),
});

const PointsMove = z.object({
  entry: LedgerEntry,
  balance: z.number().int(),
  valueCents: z.number().int().nullable().describe('money off: what the points are worth, in minor units'),
  coupon: z
    .object({ code: z.string(), couponId: z.uuid(), name: z.string(), expiresAt: ts.nullable() })
    .nullable()
    .describe('a coupon bought with the points: the code issued to the member'),
  applied: z.boolean().describe('false when the idempotency key was seen before: the first outcome, again'),
});

export const membershipRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const queue = (shopId: string, kind: string) => startJob(o, shopId, kind);

    app.get(
      '/api/membership/program',
      {
        schema: {
          tags: ['membership'],
          summary: "The shop's member program: tiers with thresholds and benefits, and points rules",
          response: { 200: StoredProgram, ...errors },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const stored = await getProgram(o.db, shop.shopId);
        // Before the scheduler's first pass the date is not stored yet; it will be this one.
        return {
          ...stored,
          nextReviewAt:
            stored.nextReviewAt ?? nextReview(stored.program.review.every, new Date(), shop.timeZone),
        };
      },
    );

    app.put(
      '/api/membership/program',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['membership'],
          summary:
            'Replace the member program; when tiers or thresholds change, every customer is re-graded by a job',
          body: MemberProgram,
          response: { 200: StoredProgram.extend({ regrade: Job.nullable() }), ...errors },
        },
      },
      async (request) => {
        const { stored, tiersChanged } = await o.db.transaction((tx) =>
          saveProgram(tx, request.shopId, request.body),
        );
        return { ...stored, regrade: tiersChanged ? await queue(request.shopId, REGRADE) : null };
      },
    );

    app.get(
      '/api/membership/tiers',
      {
        schema: {
          tags: ['membership'],
          summary: 'How many customers hold each tier, and their net spend',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  rank: z.number().int(),
                  name: z.string(),
                  customers: z.number().int(),
                  spendCents: z.number().int(),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { program } = await getProgram(o.db, request.shopId);
        return { items: await tierDistribution(o.db, request.shopId, program) };
      },
    );

    for (const [path, kind, summary] of [
      ['/api/membership/regrade', REGRADE, 'Re-grade every customer against the current thresholds now'],
      ['/api/membership/review', REVIEW, 'Run the periodic tier review now (grace periods apply)'],
      ['/api/membership/expire-points', EXPIRE, 'Expire every points lot that is due now'],
    ] as const) {
      app.post(
        path,
        { schema: { tags: ['membership'], summary, response: { 202: Job, ...errors } } },
        async (request, reply) => reply.code(202).send(await queue(request.shopId, kind)),
      );
    }

    const Shortfall = {
      spendCents: z
        .number()
        .int()
        .nullable()
        .describe('net spend still wanted, minor units; null: no such threshold'),
      orders: z.number().int().nullable().describe('purchases still wanted; null: no such threshold'),
    };
    const Standing = z.object({ spendCents: z.number().int(), orders: z.number().int() });
    app.get(
      '/api/customers/:customerId/tier',
      {
        schema: {
          tags: ['membership'],
          summary:
            "A member's tier with its benefits, where they stand, and how far from the next tier and from keeping theirs",
          description:
            "`standing` is the net spend and purchases the program's window counts now; `next` what the tier " +
            'above still wants (either threshold under match `any`, every one under `all`); `keep` the ' +
            "member's own tier's keep thresholds against what the next review will read — in a rolling " +
            'window, the purchases of the year before the review, so that older ones have dropped out. ' +
            "`benefits` are the tier's (a till or checkout reads the member's discount and free shipping here).",
          params: CustomerParams,
          response: {
            200: z.object({
              rank: z.number().int(),
              name: z.string(),
              benefits: TierBenefits,
              since: ts.nullable(),
              holdUntil: ts.nullable(),
              graceUntil: ts.nullable(),
              window: MemberProgram.shape.window.unwrap(),
              match: MemberProgram.shape.match.unwrap(),
              standing: Standing,
              next: z
                .object({ rank: z.number().int(), name: z.string(), ...Shortfall, reached: z.boolean() })
                .nullable()
                .describe(
                  'null at the top tier; reached: the thresholds are met (a hand-set tier holds it down)',
                ),
              keep: z
                .object({ ...Shortfall, kept: z.boolean(), atReview: Standing })
                .nullable()
                .describe('null on the entry tier'),
              nextReviewAt: ts,
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const stored = await getProgram(o.db, shop.shopId);
        const { program } = stored;
        const at = new Date();
        const nextReviewAt = holdUntilNextReview(stored, shop.timeZone, at);
        const { customerId } = request.params;
        const m = (await memberTiers(o.db, shop.shopId, program, [customerId], at, nextReviewAt)).get(
          customerId,
        );
        if (!m) throw AppError.notFound('Customer');
        const tier = (rank: number) => program.tiers[Math.min(rank, program.tiers.length - 1)]!;
        const name = (rank: number) => tier(rank).name;
        return {
          rank: m.rank,
          name: name(m.rank),
          benefits: tier(m.rank).benefits,
          since: m.since,
          holdUntil: m.holdUntil,
          graceUntil: m.graceUntil,
          window: program.window,
          match: program.match,
          standing: m.standing,
          next: m.next && {
            rank: m.next.rank,
            name: name(m.next.rank),
            spendCents: m.next.spendCents,
            orders: m.next.orders,
            reached: m.next.met,
          },
          keep: m.keep && {
            spendCents: m.keep.spendCents,
            orders: m.keep.orders,
            kept: m.keep.met,
            atReview: m.atReview,
          },
          nextReviewAt,
        };
      },
    );

    app.post(
      '/api/customers/:customerId/tier',
      {
        schema: {
          tags: ['membership'],
          summary: 'Set a tier by hand, with a reason; it holds until the given time or the next review',
          params: CustomerParams,
          body: z.strictObject({
            rank: z.number().int().min(0).max(9),
            reason: z.string().trim().min(1).max(500),
            until: z.iso.datetime({ offset: true }).optional(),
          }),
          response: { 200: z.object({ rank: z.number().int(), holdUntil: ts }), ...errors },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const { customerId } = await getCustomer(o.db, shop.shopId, request.params.customerId);
        const stored = await getProgram(o.db, shop.shopId);
        const at = new Date();
        return setTierByHand(
          o.db,
          shop.shopId,
          stored.program,
          holdUntilNextReview(stored, shop.timeZone, at),
          customerId,
          {
            rank: request.body.rank,
            reason: request.body.reason,
            until: request.body.until ? new Date(request.body.until) : null,
            staffId: request.staff?.staffId ?? null,
          },
          at,
        );
      },
    );

    app.get(
      '/api/customers/:customerId/points',
      {
        schema: {
          tags: ['points'],
          summary: "The customer's balance, totals and upcoming expirations (lots spent oldest first)",
          params: CustomerParams,
          response: {
            200: z.object({
              balance: z.number().int(),
              earned: z.number().int().describe('earned less refunds taken back'),
              redeemed: z.number().int(),
              expired: z.number().int(),
              expiring: z.array(z.object({ expiresAt: ts, points: z.number().int() })),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return pointsSummary(o.db, request.shopId, customerId);
      },
    );

    app.get(
      '/api/customers/:customerId/points/ledger',
      {
        schema: {
          tags: ['points'],
          summary: "The customer's ledger, newest first; page with `before` (an entry id)",
          params: CustomerParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(500).default(50),
            before: z.uuid().optional(),
          }),
          response: { 200: z.object({ items: z.array(LedgerEntry) }), ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return { items: await listLedger(o.db, request.shopId, customerId, request.query) };
      },
    );

    app.post(
      '/api/customers/:customerId/points/adjustments',
      {
        schema: {
          tags: ['points'],
          summary: 'Add or take back points by hand, with a reason (never below zero)',
          params: CustomerParams,
          body: AdjustmentInput,
          response: { 200: PointsMove, ...errors, ...conflict },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const { customerId } = await getCustomer(o.db, shop.shopId, request.params.customerId);
        return adjustPoints(o.db, shop, customerId, request.body, request.staff?.staffId ?? null);
      },
    );

    app.post(
      '/api/customers/:customerId/points/redemptions',
      {
        schema: {
          tags: ['points'],
          summary:
            "Spend points on a coupon (one of the shop's, issued now), a gift or money off; idempotent by key, never overdraws",
          params: CustomerParams,
          body: RedemptionInput,
          response: { 200: PointsMove, ...errors, ...conflict },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const { customerId } = await getCustomer(o.db, shop.shopId, request.params.customerId);
        return redeemPoints(o.db, shop, customerId, request.body, request.staff?.staffId ?? null);
      },
    );

    app.get(
      '/api/member-cards/bindings',
      {
        schema: {
          tags: ['member cards'],
          summary: "The shop's card bindings, newest first: how each code went and how the binding ended",
          querystring: z.object({
            card: z.string().max(64).optional().describe("one card's bindings"),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  bindingId: z.uuid(),
                  memberCard: z.string(),
                  phone: z.string(),
                  delivery: z.enum(CODE_DELIVERIES),
                  status: z.enum(['pending', 'confirmed', 'failed', 'expired']),
                  attempts: z.number().int().describe('wrong codes tried'),
                  createdAt: ts,
                  expiresAt: ts,
                  confirmedAt: ts.nullable(),
                  customerId: z.uuid().nullable().describe('the profile the card joined, once confirmed'),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({
        items: await listBindings(o.db, request.shopId, {
          memberCard: request.query.card,
          limit: request.query.limit,
        }),
      }),
    );

    app.post(
      '/api/member-cards/bindings',
      {
        schema: {
          tags: ['member cards'],
          summary:
            "Start binding a member card to a phone: a one-time code (valid 10 minutes) is texted to that phone through the shop's SMS channel, or answered for the caller to deliver",
          description:
            "Staff may ask for the code in the answer ('caller') only if they administer the shop: whoever can point the SMS channel elsewhere could read it anyway. API keys may.",
          body: BindingRequest,
          response: {
            201: z.object({
              bindingId: z.uuid(),
              memberCard: z.string(),
              phone: z.string(),
              expiresAt: ts,
              delivery: z.enum(CODE_DELIVERIES),
              code: z
                .string()
                .optional()
                .describe(
                  "six digits, only when delivery is 'caller'; shown only in this answer, stored as a hash",
                ),
            }),
            ...errors,
            ...conflict,
            429: ErrorBody,
            502: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const staff = request.staff;
        // A code shown to whoever asked proves nothing about the phone; only those who could read it
        // another way (by pointing the SMS channel at themselves) may have it.
        if (request.body.delivery === 'caller' && staff && !allows(staff.role, 'administer'))
          throw new AppError(
            'forbidden',
            403,
            `Your role (${staff.role}) cannot have the code shown: it is texted to the member; an admin or the owner can deliver it themselves`,
          );
        return reply
          .code(201)
          .send(await requestBinding(o.db, await getShop(o.db, request.shopId), request.body));
      },
    );

    app.post(
      '/api/member-cards/bindings/:bindingId/confirm',
      {
        schema: {
          tags: ['member cards'],
          summary:
            "Confirm with the code the member received: the card's and the phone's histories become one profile",
          params: z.object({ bindingId: z.string() }),
          body: z.strictObject({ code: z.string().trim().max(12) }),
          response: {
            200: z.object({
              customerId: z.uuid(),
              memberCard: z.string(),
              phone: z.string(),
              merged: z.boolean(),
            }),
            ...errors,
            ...conflict,
            410: ErrorBody,
          },
        },
      },
      async (request) =>
        confirmBinding(
          o.db,
          await getShop(o.db, request.shopId),
          request.params.bindingId,
          request.body.code,
        ),
    );

    app.post(
      '/api/member-cards/:memberCard/unbind',
      {
        schema: {
          tags: ['member cards'],
          summary: 'Detach a card from its member (history and points stay with the member)',
          params: z.object({ memberCard: z.string().max(64) }),
          body: z.strictObject({ reason: z.string().trim().min(1).max(500) }),
          response: { 200: z.object({ customerId: z.uuid(), memberCard: z.string() }), ...errors },
        },
      },
      async (request) =>
        unbindCard(
          o.db,
          await getShop(o.db, request.shopId),
          request.params.memberCard,
          request.body.reason,
          request.staff?.staffId ?? null,
        ),
    );
  };
