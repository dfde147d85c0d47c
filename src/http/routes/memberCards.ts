// Member cards: binding a store's card to a profile with a one-time code, the bindings, and unbinding.
import { z } from 'zod';
import { AppError } from '../../errors.js';
import {
  BindingRequest,
  CODE_DELIVERIES,
  confirmBinding,
  listBindings,
  requestBinding,
  unbindCard,
} from '../../membership/cards.js';
import { allows } from '../../shops/roles.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, ErrorBody } from '../schemas.js';

const ts = z.iso.datetime();
const conflict = { 409: ErrorBody };

export const memberCardRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
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
