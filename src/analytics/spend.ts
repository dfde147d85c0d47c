// Marketing spend by month and channel, as staff enter it, and customer acquisition cost: a month's spend
// divided by the customers whose first purchase fell in that month.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { monthList, type Period } from './period.js';

export const SpendInput = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM'),
  channel: z.string().trim().min(1).max(100).describe('e.g. Douyin ads, Taobao 直通车, SMS fees'),
  amountCents: z.number().int().min(0).max(1e13).describe('minor units; 0 removes the entry'),
});
export type SpendInput = z.infer<typeof SpendInput>;

export interface SpendEntry {
  month: string;
  channel: string;
  amountCents: number;
}

/** Sets (or, with 0, removes) one month's spend on one channel. */
export async function saveSpend(db: Queryable, shopId: string, input: SpendInput): Promise<void> {
  const month = `${input.month}-01`;
  if (input.amountCents === 0) {
    await db.query('delete from marketing_spend where shop_id = $1 and month = $2 and channel = $3', [
      shopId,
      month,
      input.channel,
    ]);
    return;
  }
  await db.query(
    `insert into marketing_spend (shop_id, month, channel, amount_cents) values ($1, $2, $3, $4)
     on conflict (shop_id, month, channel) do update set amount_cents = excluded.amount_cents, updated_at = now()`,
    [shopId, month, input.channel, input.amountCents],
  );
}

export async function listSpend(db: Queryable, shopId: string, fromMonth: string, toMonth: string) {
  return db.query<SpendEntry>(
    `select to_char(month, 'YYYY-MM') as month, channel, amount_cents as "amountCents"
       from marketing_spend where shop_id = $1 and month >= $2 and month <= $3 order by month, channel`,
    [shopId, `${fromMonth}-01`, `${toMonth}-01`],
  );
}

export interface MonthCost {
  month: string;
  spendCents: number;
  newCustomers: number;
  /** Spend over new customers; null without spend entered or without new customers. */
  cacCents: number | null;
}

/**
 * For each month the period touches (whole months): spend, new customers and their cost. `newByMonth`
 * counts the audience's customers by the month of their first purchase (analytics/standing.ts).
 */
export async function acquisitionCost(
  db: Queryable,
  shopId: string,
  period: Period,
  newByMonth: Map<string, number>,
): Promise<{ months: MonthCost[]; spendCents: number; newCustomers: number; cacCents: number | null }> {
  const fromMonth = period.fromDay.slice(0, 7);
  const toMonth = period.toDay.slice(0, 7);
  const spend = await listSpend(db, shopId, fromMonth, toMonth);
  const months: MonthCost[] = [];
  for (const m of monthList(period)) {
    const spendCents = spend.filter((s) => s.month === m).reduce((sum, s) => sum + Number(s.amountCents), 0);
    const newCustomers = newByMonth.get(m) ?? 0;
    months.push({
      month: m,
      spendCents,
      newCustomers,
      cacCents: costPer(spendCents, newCustomers),
    });
  }
  const spendCents = months.reduce((s, m) => s + m.spendCents, 0);
  const newCustomers = months.reduce((s, m) => s + m.newCustomers, 0);
  return { months, spendCents, newCustomers, cacCents: costPer(spendCents, newCustomers) };
}

/** Spend over new customers: unknown (null) without either — no spend entered is not a cost of zero. */
const costPer = (spendCents: number, newCustomers: number) =>
  spendCents > 0 && newCustomers > 0 ? Math.round(spendCents / newCustomers) : null;
