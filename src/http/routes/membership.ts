// The member program and tiers: the program's editor, the tier distribution, a member's tier card and a
// tier set by hand. A member's points are routes/points.ts, card bindings routes/memberCards.ts.
import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import { AppError } from '../../errors.js';
import { getProgram, MemberProgram, saveProgram, TierBenefits } from '../../membership/program.js';
import { EXPIRE, holdUntilNextReview, nextReview, REGRADE, REVIEW } from '../../membership/schedule.js';
import { tierDistribution } from '../../membership/distribution.js';
import { memberTiers } from '../../membership/standing.js';
import { setTierByHand } from '../../membership/tiers.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();

const StoredProgram = z.object({
  program: MemberProgram,
  version: z.number().int().describe('0 while the shop runs the default program'),
  nextReviewAt: ts.nullable(),
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
  };
