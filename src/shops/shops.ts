// Shops are the tenants: every other table is keyed by shop_id, and every request acts for one shop.
import { z } from 'zod';
import { REBUILD_ROLLUP } from '../analytics/jobs.js';
import { lockShopIngest } from '../customers/resolve.js';
import type { Db, Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { enqueueJob } from '../jobs/jobs.js';

const name = z.string().trim().min(1).max(200);
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as CNY');
const timeZone = z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai');
const phoneRegion = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 country code such as CN');

export const ShopInput = z.object({
  name,
  currency: currency.default('CNY'),
  timeZone: timeZone.default('Asia/Shanghai'),
  phoneRegion: phoneRegion.default('CN'),
});
export type ShopInput = z.input<typeof ShopInput>;

export interface Shop {
  shopId: string;
  name: string;
  currency: string;
  timeZone: string;
  phoneRegion: string;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const columns = `shop_id as "shopId", name, currency, time_zone as "timeZone", phone_region as "phoneRegion"`;

export async function createShop(db: Queryable, input: ShopInput): Promise<Shop> {
  const s = ShopInput.parse(input);
  const [shop] = await db.query<Shop>(
    `insert into shops (shop_id, name, currency, time_zone, phone_region) values ($1, $2, $3, $4, $5)
     returning ${columns}`,
    [uuidv7(), s.name, s.currency, s.timeZone, s.phoneRegion],
  );
  return shop!;
}

export async function getShop(db: Queryable, shopId: string): Promise<Shop> {
  const [shop] = await db.query<Shop>(`select ${columns} from shops where shop_id = $1`, [shopId]);
  if (!shop) throw AppError.notFound('Shop');
  return shop;
}

export async function listShops(db: Queryable): Promise<Shop[]> {
  return db.query<Shop>(`select ${columns} from shops order by created_at`);
}

export const ShopChange = z
  .strictObject({
    name: name
      .optional()
      .describe('shown in the console and signs the texts Regulars writes itself (【name】)'),
    currency: currency
      .optional()
      .describe(
        "every amount is in this currency's minor units: it can change only while the shop has no orders",
      ),
    timeZone: timeZone
      .optional()
      .describe(
        "the shop's calendar: its days, midnights, quiet hours and periods; the dashboard's days are recomputed",
      ),
    phoneRegion: phoneRegion
      .optional()
      .describe('the country of phone numbers written without a country code, from now on'),
  })
  .refine((c) => Object.keys(c).length > 0, { message: 'name at least one setting to change' });
export type ShopChange = z.infer<typeof ShopChange>;

/**
 * Changes the shop's settings. A new time zone queues the rebuild of the dashboard's purchase days (kept by
 * calendar day); what is already scheduled at a past zone's midnight runs once more at that hour, and
 * points already earned keep the expiry they were given. Under the ingest lock, so that no order slips in
 * between the check that there are none and a new currency.
 */
export async function updateShop(db: Db, shopId: string, change: ShopChange): Promise<Shop> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const before = await getShop(tx, shopId);
    if (change.currency && change.currency !== before.currency) {
      const [orders] = await tx.query('select 1 from orders where shop_id = $1 limit 1', [shopId]);
      if (orders)
        throw new AppError(
          'currency_in_use',
          409,
          `The shop's orders, thresholds and coupons are in ${before.currency}: its currency cannot change once it has orders`,
          [{ field: 'currency', message: `the shop has orders in ${before.currency}` }],
        );
    }
    const [shop] = await tx.query<Shop>(
      `update shops set name = coalesce($2, name), currency = coalesce($3, currency),
              time_zone = coalesce($4, time_zone), phone_region = coalesce($5, phone_region)
        where shop_id = $1 returning ${columns}`,
      [
        shopId,
        change.name ?? null,
        change.currency ?? null,
        change.timeZone ?? null,
        change.phoneRegion ?? null,
      ],
    );
    if (shop!.timeZone !== before.timeZone) await enqueueJob(tx, shopId, REBUILD_ROLLUP);
    return shop!;
  });
}
