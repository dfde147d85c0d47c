// The dashboard as a table (section, figure, value) for CSV or XLSX: what an operator pastes into a
// report. Money stays in minor units and rates as fractions, as the API gives them.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Dashboard } from './dashboard.js';
import type { LineSales } from './lineSales.js';

type Row = [section: string, figure: string, value: string | number | null];

/** The dashboard, then the sales by each grouping of lines given (by category, by brand). */
export function dashboardRows(d: Dashboard, byLine: LineSales[] = []): Row[] {
  const rows: Row[] = [
    ['period', 'from', d.from],
    ['period', 'to', d.to],
    ['period', 'timeZone', d.timeZone],
    ['period', 'currency', d.currency],
  ];
  for (const [k, v] of Object.entries(d.sales)) {
    if (typeof v === 'object' && v !== null)
      for (const [k2, v2] of Object.entries(v)) rows.push(['sales', `${k}.${k2}`, v2 as number]);
    else rows.push(['sales', k, v]);
  }
  for (const p of d.series) {
    rows.push(['series', `${p.bucket}.orders`, p.orders]);
    rows.push(['series', `${p.bucket}.newNetCents`, p.newNetCents]);
    rows.push(['series', `${p.bucket}.returningNetCents`, p.returningNetCents]);
  }
  for (const c of d.cohorts) c.active.forEach((n, k) => rows.push(['cohorts', `${c.month}.month${k}`, n]));
  for (const [k, v] of Object.entries(d.dormancy)) rows.push(['dormancy', k, v]);
  for (const m of d.acquisition.months) {
    rows.push(['acquisition', `${m.month}.spendCents`, m.spendCents]);
    rows.push(['acquisition', `${m.month}.newCustomers`, m.newCustomers]);
    rows.push(['acquisition', `${m.month}.cacCents`, m.cacCents]);
  }
  rows.push(['acquisition', 'cacCents', d.acquisition.cacCents]);
  for (const [k, v] of Object.entries(d.points)) rows.push(['points', k, v]);
  for (const t of d.tiers) rows.push(['tiers', t.name, t.customers]);
  for (const c of d.rfm) rows.push(['rfm', `R${c.r}F${c.f}.customers`, c.customers]);
  for (const [k, v] of Object.entries(d.service)) {
    if (typeof v === 'object' && v !== null)
      for (const [k2, v2] of Object.entries(v)) rows.push(['service', `${k}.${k2}`, v2 as number]);
    else rows.push(['service', k, v]);
  }
  for (const e of d.engagement) {
    for (const k of [
      'sent',
      'delivered',
      'opened',
      'clicked',
      'converted',
      'revenueCents',
      'lift',
      'costCents',
      'roi',
    ] as const)
      rows.push([`${e.kind}:${e.name}`, k, e[k]]);
  }
  for (const l of byLine) {
    const section = `sales by ${l.by}`;
    const named = [
      ...l.rows.map((r) => ({ ...r, name: r.name ?? `(no ${l.by})` })),
      ...(l.others ? [{ ...l.others, name: `(${l.others.names} more)` }] : []),
      { ...l.total, name: '(all lines)' },
    ];
    for (const r of named)
      for (const k of ['units', 'grossCents', 'returnedUnits', 'returnedCents', 'netCents'] as const)
        rows.push([section, `${r.name}.${k}`, r[k]]);
  }
  return rows;
}

export function dashboardCsv(d: Dashboard, byLine: LineSales[] = []): string {
  // A byte-order mark: Excel opens UTF-8 (Chinese names) correctly only with one.
  return '\ufeff' + stringify([['section', 'figure', 'value'], ...dashboardRows(d, byLine)]);
}

export async function dashboardXlsx(d: Dashboard, byLine: LineSales[] = []): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Dashboard');
  sheet.addRow(['section', 'figure', 'value']);
  for (const r of dashboardRows(d, byLine)) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}
