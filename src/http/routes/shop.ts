import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { getShop, ShopChange, updateShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import { errors } from '../schemas.js';

export const ShopBody = z.object({
  shopId: z.uuid(),
  name: z.string(),
  currency: z.string().describe('ISO 4217; amounts are integers in its minor units'),
  timeZone: z.string().describe("IANA time zone: the shop's calendar"),
  phoneRegion: z.string().describe('ISO 3166 country of phone numbers written without a country code'),
});

/** The shop's own settings: every role reads them; admins change them, as they do the shop's other settings. */
export const shopRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/shop',
      {
        schema: {
          tags: ['shop'],
          summary: "The shop's name, currency, time zone and phone region",
          response: { 200: ShopBody, ...errors },
        },
      },
      async (request) => getShop(o.db, request.shopId),
    );
    app.patch(
      '/api/shop',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['shop'],
          summary:
            "Change the shop's name, currency (only while it has no orders), time zone (the dashboard's days are recomputed in a rollup.rebuild job) or phone region",
          body: ShopChange,
          response: { 200: ShopBody, 409: errors[400], ...errors },
        },
      },
      async (request) => updateShop(o.db, request.shopId, request.body),
    );
  };
