// Shops are the tenants: every other table is keyed by shop_id, and every request acts for one shop.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';

export const ShopInput = z.object({
  name: z.string().trim().min(1).max(200),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'ISO 4217 code such as CNY')
    .default('CNY'),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  phoneRegion: z
    .string()
    .regex(/^[A-Z]{2}$/, 'ISO 3166 country code such as CN')
    .default('CN'),
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
