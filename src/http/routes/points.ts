// A member's points: the balance and what expires when, the ledger, staff corrections and redemptions.
import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import { listLedger, pointsSummary } from '../../membership/points.js';
import {
  adjustPoints,
  AdjustmentInput,
  redeemPoints,
  RedemptionInput,
} from '../../membership/redemptions.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors, ErrorBody, LedgerEntry } from '../schemas.js';

const ts = z.iso.datetime();
const conflict = { 409: ErrorBody };

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

export const pointsRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
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
  };
