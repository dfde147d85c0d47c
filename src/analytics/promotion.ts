// The big-promotion report: a promotion's days (Double 11, 618…) against as many days before and after,
// for new and returning customers — did the promotion bring new buyers, pull purchases forward from the
// weeks before, and did those buyers come back after?
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { getShop } from '../shops/shops.js';
import { membersOf } from './members.js';
import { addDays, audienceOf, parsed, PeriodInput, periodOf } from './period.js';
import { salesFigures } from './sales.js';

export const PromotionInput = PeriodInput.and(
  z.object({
    days: z.coerce
      .number()
      .int()
      .min(1)
      .max(365)
      .optional()
      .describe('length of the windows before and after (default: as long as the promotion)'),
  }),
);
export type PromotionInput = z.input<typeof PromotionInput>;

export interface PromotionWindow {
  window: 'before' | 'during' | 'after';
  from: string;
  to: string;
  orders: number;
  customers: number;
  netCents: number;
  newCustomers: number;
  newNetCents: number;
  returningCustomers: number;
  returningNetCents: number;
  returningShare: number | null;
  aovCents: number | null;
  discountOrderShare: number | null;
}

export async function promotionReport(
  db: Queryable,
  shopId: string,
  input: PromotionInput,
  segmentField = 'segmentId',
): Promise<PromotionWindow[]> {
  const q = parsed(PromotionInput, input);
  const shop = await getShop(db, shopId);
  const length = q.days ?? Math.round((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000) + 1;
  const audienceAt = await audienceOf(db, shopId, q.segmentId, segmentField);
  const members = audienceAt(2).everyone ? null : await membersOf(db, shopId, audienceAt);
  const windows = [
    { window: 'before' as const, from: addDays(q.from, -length), to: addDays(q.from, -1) },
    { window: 'during' as const, from: q.from, to: q.to },
    { window: 'after' as const, from: addDays(q.to, 1), to: addDays(q.to, length) },
  ];
  const out: PromotionWindow[] = [];
  for (const w of windows) {
    const { sales: s } = await salesFigures(db, shopId, periodOf(w.from, w.to, shop.timeZone), members);
    out.push({
      ...w,
      orders: s.orders,
      customers: s.customers,
      netCents: s.netCents,
      newCustomers: s.newCustomers,
      newNetCents: s.newNetCents,
      returningCustomers: s.returningCustomers,
      returningNetCents: s.returningNetCents,
      returningShare: s.returningShare,
      aovCents: s.aovCents,
      discountOrderShare: s.discountOrderShare,
    });
  }
  return out;
}
