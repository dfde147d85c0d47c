// A segment's members (as it matches now) or a snapshot's, as CSV or XLSX, read a page at a time so a
// segment of a million customers is streamed out, never held.
import { PassThrough, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Queryable } from '../db/db.js';
import { getProgram } from '../membership/program.js';
import { compileFor } from './segments.js';

export type Audience = { rule: unknown } | { snapshotId: string };

const PAGE = 10_000;

const EXPORT_COLUMNS = [
  'customerId',
  'name',
  'phone',
  'email',
  'memberCard',
  'tier',
  'pointsBalance',
  'orderCount',
  'spendCents',
  'refundedCents',
  'firstOrderAt',
  'lastOrderAt',
  'rfmSegment',
  'pAlive',
  'predictedValueCents',
  'tags',
] as const;

type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], unknown> & { tierRank: number };

/** What an export reads, prepared before the first byte goes out, so a bad rule is still a clean 400. */
export interface PreparedExport {
  shopId: string;
  where: string;
  params: unknown[];
  tiers: string[];
}

export async function prepareExport(
  db: Queryable,
  shopId: string,
  audience: Audience,
  field?: string,
): Promise<PreparedExport> {
  // The rule is compiled once, so every page judges against the same "now".
  const match =
    'rule' in audience
      ? await compileFor(db, shopId, audience.rule, { field })
      : {
          where: `c.customer_id in (select customer_id from segment_snapshot_members
                                     where shop_id = $1 and snapshot_id = $2::uuid)`,
          params: [audience.snapshotId],
        };
  const tiers = (await getProgram(db, shopId)).program.tiers.map((t) => t.name);
  return { shopId, ...match, tiers };
}

async function* memberPages(db: Queryable, match: PreparedExport): AsyncGenerator<ExportRow[]> {
  const { shopId } = match;
  const after = `$${match.params.length + 2}::uuid`;
  let last = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db.query<ExportRow>(
      `select c.customer_id as "customerId", c.name, c.phone, c.email, c.member_card as "memberCard",
              c.tier_rank as "tierRank", c.points_balance as "pointsBalance", c.order_count as "orderCount",
              c.spend_cents as "spendCents", c.refunded_cents as "refundedCents",
              c.first_order_at as "firstOrderAt", c.last_order_at as "lastOrderAt", c.rfm_segment as "rfmSegment",
              c.p_alive as "pAlive", c.predicted_value_cents as "predictedValueCents",
              (select string_agg(t.name, ', ' order by t.name) from customer_tags ct join tags t using (shop_id, tag_id)
                where ct.shop_id = c.shop_id and ct.customer_id = c.customer_id) as tags
         from customers c
        where c.shop_id = $1 and ${match.where} and c.customer_id > ${after}
        order by c.customer_id limit ${PAGE}`,
      [shopId, ...match.params, last],
    );
    if (page.length === 0) return;
    yield page;
    last = page[page.length - 1]!.customerId as string;
  }
}

function cells(row: ExportRow, tiers: string[]): unknown[] {
  return EXPORT_COLUMNS.map((key) => {
    if (key === 'tier') return tiers[row.tierRank] ?? row.tierRank;
    const v = row[key];
    return v instanceof Date ? v.toISOString() : (v ?? '');
  });
}

export async function* segmentCsv(db: Queryable, match: PreparedExport): AsyncGenerator<string> {
  // A BOM so that Excel opens Chinese names as UTF-8.
  yield '\uFEFF' + stringify([[...EXPORT_COLUMNS]]);
  for await (const page of memberPages(db, match)) {
    yield stringify(page.map((r) => cells(r, match.tiers)));
  }
}

export function segmentXlsx(db: Queryable, match: PreparedExport): Readable {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false });
  const sheet = book.addWorksheet('customers');
  void (async () => {
    sheet.addRow([...EXPORT_COLUMNS]).commit();
    for await (const page of memberPages(db, match)) {
      for (const r of page) sheet.addRow(cells(r, match.tiers)).commit();
    }
    sheet.commit();
    await book.commit();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
