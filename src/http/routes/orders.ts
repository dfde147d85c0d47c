import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { isUuid } from '../../db/ids.js';
import { AppError } from '../../errors.js';
import { expireBuyersIfDue } from '../../membership/schedule.js';
import { ingestOrders } from '../../orders/ingest.js';
import { normalizeOrder, OrderInput } from '../../orders/input.js';
import { findOrder } from '../../orders/orders.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import { errors, Order } from '../schemas.js';

const Ingested = z.object({
  orderId: z.uuid(),
  customerId: z.uuid(),
  outcome: z.enum(['created', 'updated', 'unchanged']),
});

export const orderRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.post(
      '/api/orders',
      {
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
        const order = normalized.order;
        const at = new Date();
        const r = await o.db.transaction(async (tx) => {
          const ingested = await ingestOrders(tx, shop.shopId, [order], 'api', at);
          if (ingested.outcomes[0] !== 'unchanged')
            await expireBuyersIfDue(tx, shop, ingested.customerIds, order.orderedAt, at);
          return ingested;
        });
        const outcome = r.outcomes[0]!;
        return reply
          .code(outcome === 'created' ? 201 : 200)
          .send({ orderId: r.orderIds[0]!, customerId: r.customerIds[0]!, outcome });
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
