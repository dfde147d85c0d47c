// The rfm area owns the shop's RFM settings and the rfm_* columns of the customer row. Recency is days
// since the last purchase (ever); frequency and monetary value count the purchases of the window (net of
// refunds). Scores run 1–5: by quantiles (percent rank among the shop's buyers, so equal values share a
// score) or by fixed thresholds the shop sets.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { PURCHASE_SQL } from '../orders/status.js';
import { segmentOf, segmentSql, type RfmSegment } from './segments.js';

const four = <T extends z.ZodNumber>(n: T) => z.tuple([n, n, n, n]);

export const RfmSettings = z
  .strictObject({
    /** Days of purchases that frequency and monetary value count. */
    windowDays: z.number().int().min(30).max(3650).default(365),
    method: z.enum(['quantiles', 'thresholds']).default('quantiles'),
    /** For 'thresholds': the cut points for scores 2, 3, 4 and 5. Recency in days (falling), the rest rising. */
    thresholds: z
      .strictObject({
        recencyDays: four(z.number().int().min(0)),
        orders: four(z.number().int().min(0)),
        spendCents: four(z.number().int().min(0)),
      })
      .default({
        recencyDays: [365, 180, 90, 30],
        orders: [2, 3, 5, 8],
        spendCents: [20_000, 50_000, 100_000, 300_000],
      }),
  })
  .superRefine((s, ctx) => {
    const t = s.thresholds;
    const rising = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
    if (!rising([...t.recencyDays].reverse())) {
      ctx.addIssue({
        code: 'custom',
        path: ['thresholds', 'recencyDays'],
        message: 'must fall: days for scores 2, 3, 4, 5',
      });
    }
    if (!rising(t.orders))
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'orders'], message: 'must rise' });
    if (!rising(t.spendCents))
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'spendCents'], message: 'must rise' });
  });
export type RfmSettings = z.infer<typeof RfmSettings>;

export async function getRfmSettings(db: Queryable, shopId: string): Promise<RfmSettings> {
  const [row] = await db.query<{ settings: unknown }>(
    'select settings from rfm_settings where shop_id = $1',
    [shopId],
  );
  return RfmSettings.parse(row?.settings ?? {});
}

export async function saveRfmSettings(db: Queryable, shopId: string, input: unknown): Promise<RfmSettings> {
  const parsed = RfmSettings.safeParse(input);
  if (!parsed.success) {
    throw AppError.invalid(
      'The RFM settings are not valid',
      parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
    );
  }
  await db.query(
    `insert into rfm_settings (shop_id, settings) values ($1, $2)
     on conflict (shop_id) do update set settings = excluded.settings`,
    [shopId, JSON.stringify(parsed.data)],
  );
  return parsed.data;
}

/** Score expressions (r, f, m) over the raw values, per method; cut points are bound parameters. */
const SCORES: Record<RfmSettings['method'], [string, string, string]> = {
  quantiles: [
    'least(5, floor(percent_rank() over (order by last_order_at) * 5) + 1)',
    'least(5, floor(percent_rank() over (order by frequency) * 5) + 1)',
    'least(5, floor(percent_rank() over (order by monetary) * 5) + 1)',
  ],
  thresholds: [
    '1 + (select count(*) from unnest($4::int[]) t where recency_days <= t)',
    '1 + (select count(*) from unnest($5::int[]) t where frequency >= t)',
    '1 + (select count(*) from unnest($6::int8[]) t where monetary >= t)',
  ],
};

/** Scores every customer who has bought, in one transaction; answers how many. */
export async function computeRfm(db: Db, shopId: string, at: Date): Promise<{ customers: number }> {
  const settings = await getRfmSettings(db, shopId);
  const windowStart = new Date(at.getTime() - settings.windowDays * 86_400_000);
  const [r, f, m] = SCORES[settings.method];
  const t = settings.thresholds;
  return db.transaction(async (tx) => {
    // The three quantile ranks each sort every buyer; within the server's default 4 MB each sort spilled
    // to disk, a quarter of the run at a million customers. PGlite keeps its default: its memory is the
    // process's own, in a 32-bit address space.
    if (db.kind === 'postgres') await tx.query("set local work_mem = '128MB'");
    const [row] = await tx.query<{ customers: number }>(
      `with raw as (
       select c.customer_id, c.last_order_at,
              floor(extract(epoch from ($2::timestamptz - c.last_order_at)) / 86400)::int as recency_days,
              coalesce(w.orders, 0)::int as frequency, coalesce(w.spend, 0)::int8 as monetary
         from customers c
         left join (select customer_id, count(*) as orders, sum(total_cents - refunded_cents) as spend
                      from orders
                     where shop_id = $1 and ${PURCHASE_SQL} and ordered_at >= $3 and ordered_at <= $2
                     group by customer_id) w using (customer_id)
        where c.shop_id = $1 and c.last_order_at is not null
     ), scored as (
       select customer_id, recency_days, frequency, monetary, ${r} as r, ${f} as f, ${m} as m from raw
     ), updated as (
       update customers c set rfm_recency_days = s.recency_days, rfm_frequency = s.frequency,
              rfm_monetary_cents = s.monetary, rfm_r = s.r, rfm_f = s.f, rfm_m = s.m,
              rfm_segment = ${segmentSql('s.r', 's.f')}, rfm_at = $2
         from scored s
        where c.shop_id = $1 and c.customer_id = s.customer_id
       returning 1
     )
     select count(*)::int as customers from updated`,
      [
        shopId,
        at.toISOString(),
        windowStart.toISOString(),
        ...(settings.method === 'thresholds' ? [t.recencyDays, t.orders, t.spendCents] : []),
      ],
    );
    // Customers whose every purchase was cancelled since the last run lose their scores.
    await tx.query(
      `update customers set rfm_recency_days = null, rfm_frequency = null, rfm_monetary_cents = null,
            rfm_r = null, rfm_f = null, rfm_m = null, rfm_segment = null, rfm_at = null
      where shop_id = $1 and rfm_at < $2`,
      [shopId, at.toISOString()],
    );
    return row!;
  });
}

export interface RfmCell {
  r: number;
  f: number;
  segment: RfmSegment;
  customers: number;
  monetaryCents: number;
}

/**
 * The whole R×F grid, R5 to R1 and F1 to F5: each cell's segment, customers and their window spend.
 * `audience` (a predicate over `customers c`, its parameters after $1) narrows it to some customers.
 */
export async function rfmGrid(
  db: Queryable,
  shopId: string,
  audience: { where: string; params: unknown[] } = { where: 'true', params: [] },
): Promise<RfmCell[]> {
  const rows = await db.query<{ r: number; f: number; customers: number; monetaryCents: number }>(
    `select c.rfm_r as r, c.rfm_f as f, count(*)::int as customers, coalesce(sum(c.rfm_monetary_cents), 0)::int8 as "monetaryCents"
       from customers c where c.shop_id = $1 and c.rfm_r is not null and ${audience.where} group by 1, 2`,
    [shopId, ...audience.params],
  );
  return rfmCells(rows);
}

/** The whole 5 × 5 grid, recency 5 first, from the cells that have customers. */
export function rfmCells(
  rows: { r: number; f: number; customers: number; monetaryCents: number }[],
): RfmCell[] {
  const cells: RfmCell[] = [];
  for (let r = 5; r >= 1; r--) {
    for (let f = 1; f <= 5; f++) {
      const row = rows.find((x) => x.r === r && x.f === f);
      cells.push({
        r,
        f,
        segment: segmentOf(r, f),
        customers: row?.customers ?? 0,
        monetaryCents: row?.monetaryCents ?? 0,
      });
    }
  }
  return cells;
}

export async function rfmSegmentCounts(
  db: Queryable,
  shopId: string,
): Promise<{ segment: string; customers: number; monetaryCents: number }[]> {
  return db.query(
    `select rfm_segment as segment, count(*)::int as customers, coalesce(sum(rfm_monetary_cents), 0)::int8 as "monetaryCents"
       from customers where shop_id = $1 and rfm_segment is not null group by 1 order by 2 desc`,
    [shopId],
  );
}
