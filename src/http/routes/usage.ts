import { z } from 'zod';
import { sendingUsage, USAGE_KINDS, UsageQuery } from '../../engage/usage.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors } from '../schemas.js';

export const usageRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/messages/usage',
      {
        schema: {
          tags: ['campaigns'],
          summary:
            "What the shop sent and what it cost, by month (the shop's time zone), channel and kind — campaigns, flows, other messages, and the member-card codes texted — counting what the provider took, at the parts billed and the price of a part then",
          querystring: UsageQuery,
          response: {
            200: z.object({
              currency: z.string(),
              items: z.array(
                z.object({
                  month: z.string().describe('YYYY-MM'),
                  channel: z.enum(['email', 'sms', 'webhook']),
                  kind: z.enum(USAGE_KINDS),
                  messages: z.number().int(),
                  parts: z.number().int().describe('billed parts (an SMS longer than one part counts each)'),
                  costCents: z.number().describe("in the shop's currency's minor units, to a hundredth"),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        return {
          currency: shop.currency,
          items: await sendingUsage(o.db, shop.shopId, shop.timeZone, request.query.months),
        };
      },
    );
  };
