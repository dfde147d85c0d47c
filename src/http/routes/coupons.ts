// Coupons: offers, codes issued to a segment, and a customer's codes.
import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import {
  assertIssuable,
  CouponChange,
  CouponInput,
  couponTerms,
  createCoupon,
  getCoupon,
  listCoupons,
  updateCoupon,
} from '../../engage/coupons.js';
import { customerCoupons, issueCoupon } from '../../engage/couponCodes.js';
import { getSegment } from '../../segments/segments.js';
import { snapshotSegment } from '../../segments/snapshots.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerCode, CustomerParams, errors } from '../schemas.js';

const ts = z.iso.datetime();
const Coupon = z.object({
  couponId: z.uuid(),
  name: z.string(),
  kind: z.enum(['amount', 'percent']),
  amountCents: z.number().int().nullable(),
  percent: z.number().nullable(),
  minSpendCents: z.number().int(),
  validFrom: ts.nullable(),
  validUntil: ts.nullable(),
  validDays: z.number().int().nullable(),
  codePrefix: z.string(),
  pointsPrice: z.number().int().nullable(),
  membersOnly: z.boolean().describe('given only to members whose tier grants member-only offers'),
  retiredAt: ts.nullable().describe('when the shop stopped giving it out; codes given keep their worth'),
  issued: z.number().int(),
  redeemed: z.number().int(),
  createdAt: ts,
});
export const couponRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/coupons',
      {
        schema: {
          tags: ['coupons'],
          summary: 'Coupons with codes issued and redeemed',
          response: { 200: z.object({ items: z.array(Coupon) }), ...errors },
        },
      },
      async (request) => ({ items: await listCoupons(o.db, request.shopId) }),
    );
    app.post(
      '/api/coupons',
      {
        schema: {
          tags: ['coupons'],
          summary: 'Define a coupon: amount or percent off, minimum spend, validity',
          body: CouponInput,
          response: { 201: Coupon, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await createCoupon(o.db, request.shopId, request.body)),
    );
    const CouponParams = z.object({ couponId: z.string() });
    app.get(
      '/api/coupons/:couponId',
      {
        schema: {
          tags: ['coupons'],
          summary: 'One coupon',
          params: CouponParams,
          response: { 200: Coupon, ...errors },
        },
      },
      async (request) => getCoupon(o.db, request.shopId, request.params.couponId),
    );
    app.patch(
      '/api/coupons/:couponId',
      {
        schema: {
          tags: ['coupons'],
          summary:
            'Rename a coupon, set or drop its points price, or retire it (no new codes anywhere) and bring it back; the offer itself, what holders were given, stays',
          params: CouponParams,
          body: CouponChange,
          response: { 200: Coupon, ...errors },
        },
      },
      async (request) => updateCoupon(o.db, request.shopId, request.params.couponId, request.body),
    );
    app.post(
      '/api/coupons/:couponId/issue',
      {
        schema: {
          tags: ['coupons'],
          summary:
            "Issue a code to each of a segment's members now (frozen as a snapshot; a members-only coupon skips those whose tier grants no member-only offers, so issued may be fewer than members); 409 coupon_ended once its window has closed, coupon_retired once retired",
          params: CouponParams,
          body: z.strictObject({
            segmentId: z.uuid(),
            key: z
              .string()
              .min(1)
              .max(100)
              .optional()
              .describe('an idempotency key: issuing again under it gives nobody a second code'),
          }),
          response: {
            200: z.object({ snapshotId: z.uuid(), members: z.number().int(), issued: z.number().int() }),
            409: errors[400],
            ...errors,
          },
        },
      },
      async (request) => {
        const { shopId } = request;
        assertIssuable(await couponTerms(o.db, shopId, request.params.couponId), new Date());
        await getSegment(o.db, shopId, request.body.segmentId);
        const snapshot = await snapshotSegment(o.db, shopId, request.body.segmentId);
        const issued = await o.db.transaction((tx) =>
          issueCoupon(
            tx,
            shopId,
            request.params.couponId,
            { snapshotId: snapshot.snapshotId },
            `segment:${request.body.key ?? snapshot.snapshotId}`,
          ),
        );
        return { snapshotId: snapshot.snapshotId, members: snapshot.memberCount, issued };
      },
    );
    app.get(
      '/api/customers/:customerId/coupons',
      {
        schema: {
          tags: ['coupons'],
          summary: "A customer's coupon codes, newest first",
          params: CustomerParams,
          response: { 200: z.object({ items: z.array(CustomerCode) }), ...errors },
        },
      },
      async (request) => {
        await getCustomer(o.db, request.shopId, request.params.customerId);
        const items = await customerCoupons(o.db, request.shopId, request.params.customerId);
        return { items };
      },
    );
  };
