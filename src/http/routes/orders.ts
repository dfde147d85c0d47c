import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { isUuid } from '../../db/ids.js';
import type { Db } from '../../db/db.js';
import { AppError, type ErrorDetail } from '../../errors.js';
import { expireBuyersIfDue } from '../../membership/schedule.js';
import { ingestOrders, type IngestResult } from '../../orders/ingest.js';
import { normalizeOrder, OrderInput, type NormalizedOrder } from '../../orders/input.js';
import { boughtCatalog } from '../../orders/bought.js';
import { findOrder } from '../../orders/orders.js';
import { refundOrder } from '../../orders/refunds.js';
import { getShop, type Shop } from '../../shops/shops.js';
import { BODY_LIMIT, type AppOptions } from '../app.js';
import { callerOrigin } from '../auth.js';
import { errors, Order } from '../schemas.js';

const Ingested = z.object({
  orderId: z.uuid(),
  customerId: z.uuid(),
  outcome: z.enum(['created', 'updated', 'unchanged']),
});

const MAX_BATCH = 500;

const OrderBatch = z.object({
  orders: z.array(OrderInput).min(1).max(MAX_BATCH).describe('each as POST /api/orders takes it'),
});

const BatchIngested = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  orders: z.array(Ingested).describe('one for each order sent, in the same order'),
});

/**
 * Ingests orders sent through the API in one transaction. Their buyers' points already due (orders of
 * the past: a backfill, a store's late upload) expire with them, rather than stay spendable until the
 * nightly run.
 */
async function record(
  db: Db,
  shop: Shop,
  orders: NormalizedOrder[],
  origin: 'api' | 'console',
): Promise<IngestResult> {
  const at = new Date();
  return db.transaction(async (tx) => {
    const r = await ingestOrders(tx, shop.shopId, orders, origin, at);
    const moved = orders.flatMap((order, n) =>
      r.outcomes[n] === 'unchanged' ? [] : [{ order, customerId: r.customerIds[n]! }],
    );
    if (moved.length > 0) {
      const oldest = new Date(Math.min(...moved.map((m) => m.order.orderedAt.getTime())));
      await expireBuyersIfDue(tx, shop, [...new Set(moved.map((m) => m.customerId))], oldest, at);
    }
    return r;
  });
}

export const orderRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.post(
      '/api/orders',
      {
        config: { activity: 'staff' },
        schema: {
          tags: ['orders'],
          summary: 'Record one order (webhook-friendly)',
          description:
            'Idempotent by (source, externalId): sending the same order again changes nothing (200, unchanged); ' +
            'sending it with a new status, payment time or refund updates it (200, updated). A new order answers 201. ' +
            "An order from the past earns its points as of its payment; those already due by the shop's expiry " +
            'rule expire with it, in the same transaction.',
          body: OrderInput,
          response: { 200: Ingested, 201: Ingested, 413: errors[400], ...errors },
        },
      },
      async (request, reply) => {
        const shop = await getShop(o.db, request.shopId);
        const normalized = normalizeOrder(request.body, shop);
        if (!normalized.ok) throw AppError.invalid('The order was not recorded', normalized.errors);
        // What the order sets off (points, a tier, tags) says it came from staff at the console.
        const r = await record(o.db, shop, [normalized.order], callerOrigin(request));
        const outcome = r.outcomes[0]!;
        request.activityParams = {
          externalId: request.body.externalId,
          totalCents: request.body.totalCents,
          outcome,
          customerId: r.customerIds[0]!,
        };
        return reply
          .code(outcome === 'created' ? 201 : 200)
          .send({ orderId: r.orderIds[0]!, customerId: r.customerIds[0]!, outcome });
      },
    );

    app.post(
      '/api/orders/batch',
      {
        config: { activity: false },
        // Room for a full batch of orders with many items; one order needs far less than the usual limit.
        bodyLimit: 8 * BODY_LIMIT,
        schema: {
          tags: ['orders'],
          summary: `Record up to ${MAX_BATCH} orders at once (a backfill or a sync)`,
          description:
            'Each order as POST /api/orders takes it, and idempotent the same way: sending a batch again changes ' +
            'nothing. All or nothing: if any order is not valid, none is recorded, and the answer names each ' +
            "problem by the order's place in the list (orders.3.refundedCents). The batch is one transaction, " +
            'about as fast per order as an import, where orders sent one at a time each pay for their own.',
          body: OrderBatch,
          response: { 200: BatchIngested, 413: errors[400], ...errors },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const problems: ErrorDetail[] = [];
        const places = new Map<string, number>();
        const orders = request.body.orders.flatMap((input, n) => {
          const key = `${input.source}\t${input.externalId}`;
          const first = places.get(key);
          if (first === undefined) places.set(key, n);
          else
            problems.push({ field: `orders.${n}.externalId`, message: `the same order as orders.${first}` });
          const normalized = normalizeOrder(input, shop);
          if (normalized.ok) return [normalized.order];
          problems.push(...normalized.errors.map((e) => ({ ...e, field: `orders.${n}.${e.field}` })));
          return [];
        });
        if (problems.length > 0) throw AppError.invalid('No order of the batch was recorded', problems);
        const r = await record(o.db, shop, orders, callerOrigin(request));
        return {
          created: r.created,
          updated: r.updated,
          unchanged: r.unchanged,
          orders: r.orderIds.map((orderId, n) => ({
            orderId,
            customerId: r.customerIds[n]!,
            outcome: r.outcomes[n]!,
          })),
        };
      },
    );

    app.get(
      '/api/orders/:orderId',
      {
        schema: {
          tags: ['orders'],
          summary: 'One order with its items',
          params: z.object({ orderId: z.string() }),
          response: { 200: Order, ...errors },
        },
      },
      async (request) => {
        const order = isUuid(request.params.orderId)
          ? await findOrder(o.db, request.shopId, { orderId: request.params.orderId })
          : null;
        if (!order) throw AppError.notFound('Order');
        return order;
      },
    );

    app.post(
      '/api/orders/:orderId/refund',
      {
        schema: {
          tags: ['orders'],
          summary: 'Record a refund of a known order (a return at the counter, a refund made by hand)',
          description:
            "`refundedCents` is the order's refunded amount in all after this refund, and each of `lines` " +
            "a line's units returned in all, so sending the same request again changes nothing (unchanged). " +
            'Both only add up: the amount to at most the total (then the order is refunded, else partially ' +
            'refunded), a line to at most its quantity. Lines returned without an amount are refunded what ' +
            'they were paid (their prices, less their share of the discount; shipping is not refunded). A ' +
            'line returned in full no longer counts as bought (categories, products, purchase cycles). An ' +
            'order never paid answers 409 `not_refundable`. The points the order earned are taken back in ' +
            'proportion to the amount, as when its source reports the refund.',
          params: z.object({ orderId: z.string() }),
          body: z
            .strictObject({
              refundedCents: z
                .number()
                .int()
                .min(0)
                .max(Number.MAX_SAFE_INTEGER)
                .optional()
                .describe('refunded in all, in minor units (0 for free things returned)'),
              lines: z
                .array(
                  z.strictObject({
                    lineNo: z
                      .number()
                      .int()
                      .min(1)
                      .describe("the line's number in the order (items[].lineNo)"),
                    refundedQuantity: z
                      .number()
                      .int()
                      .min(0)
                      .max(1_000_000)
                      .describe('units returned in all'),
                  }),
                )
                .min(1)
                .max(1000)
                .optional(),
            })
            .refine((b) => b.refundedCents !== undefined || b.lines !== undefined, {
              message: 'give refundedCents, lines, or both',
              path: ['refundedCents'],
            }),
          response: {
            200: z.object({ outcome: z.enum(['updated', 'unchanged']), order: Order }),
            ...errors,
          },
        },
      },
      async (request) => {
        if (!isUuid(request.params.orderId)) throw AppError.notFound('Order');
        const r = await refundOrder(
          o.db,
          request.shopId,
          request.params.orderId,
          request.body,
          callerOrigin(request),
        );
        request.activityParams = {
          refundedCents: r.order.refundedCents,
          ...(request.body.lines && { lines: request.body.lines }),
          outcome: r.outcome,
          customerId: r.order.customerId,
        };
        return r;
      },
    );

    app.get(
      '/api/catalog',
      {
        schema: {
          tags: ['orders'],
          summary: 'The categories, brands and stores customers bought, with how many customers each',
          description:
            'Most bought first, at most `limit` of each (default 500): what the console suggests where a ' +
            'category, a brand or a store is typed. Categories are lowercased, as segment conditions compare ' +
            'them; a brand is one per name whatever its case (as segment conditions compare them), spelled ' +
            'as most of its latest buyers last bought it.',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) }),
          response: {
            200: z.object({
              categories: z.array(z.object({ category: z.string(), buyers: z.number().int() })),
              stores: z.array(z.object({ storeId: z.string(), buyers: z.number().int() })),
              brands: z.array(z.object({ brand: z.string(), buyers: z.number().int() })),
            }),
            ...errors,
          },
        },
      },
      async (request) => boughtCatalog(o.db, request.shopId, request.query.limit),
    );

    app.get(
      '/api/orders',
      {
        schema: {
          tags: ['orders'],
          summary: 'Find an order by its source and external id',
          querystring: z.object({
            source: z.string().min(1).max(32),
            externalId: z.string().min(1).max(128),
          }),
          response: { 200: Order, ...errors },
        },
      },
      async (request) => {
        const order = await findOrder(o.db, request.shopId, request.query);
        if (!order) throw AppError.notFound('Order');
        return order;
      },
    );
  };
