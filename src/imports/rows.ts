// Turns rows of text cells into orders through a format's column binding, reporting every problem with
// its row number, the file's own column name and the offending value. People (people.ts) and tickets
// (tickets.ts) are read from rows through the same binding and checks.
import type { CustomerRef } from '../customers/person.js';
import type { ErrorDetail } from '../errors.js';
import { normalizeOrder, type NormalizedOrder, type OrderInput } from '../orders/input.js';
import { parseAmount } from '../orders/money.js';
import { ORDER_STATUSES, type OrderStatus } from '../orders/status.js';
import type { Shop } from '../shops/shops.js';
import { parseDateTime } from './dates.js';
import { FIELDS, type Field, type Format } from './formats.js';

export interface RowError {
  rowNo: number;
  column: string | null;
  reason: string;
  value: string | null;
}

/**
 * Where each field comes from, overriding the format: a column's header ('订单编号'), a column's position
 * in a file without a header ('#3'), a fixed value for every row ('=completed'), or, for order_id only,
 * the row's own number ('#row', for files that list one purchase per line without an id).
 */
export type Mapping = Partial<Record<Field, string>>;

export const POSITION = /^#([1-9]\d{0,2})$/;
export const ROW_NUMBER = '#row';

/** A mapping that addresses columns by position describes a file without a header row. */
export function isHeaderless(mapping: Mapping | null | undefined): boolean {
  return Object.values(mapping ?? {}).some((v) => POSITION.test(v ?? ''));
}

export interface Binding {
  format: Format;
  header: string[];
  /** Column indexes feeding each field, in order of preference. */
  index: Map<Field, number[]>;
  headerIndex: Map<string, number>;
  /** Fields given one value for every row. */
  constants: Map<Field, string>;
  /** Order ids made from row numbers carry the file's fingerprint, so two files never share one. */
  rowIds: string | null;
}

/** The header of a file without one: each column named by its position, as the mapping names it. */
export function positionalHeader(cells: string[], mapping: Mapping): string[] {
  const widest = Math.max(
    cells.length,
    ...Object.values(mapping).map((v) => Number(POSITION.exec(v ?? '')?.[1] ?? 0)),
  );
  return Array.from({ length: widest }, (_, i) => `#${i + 1}`);
}

export function bindColumns(
  format: Format,
  rawHeader: string[],
  mapping: Mapping = {},
  fileId = '',
): Binding | { missing: string[]; header: string[]; index: Map<Field, number[]> } {
  const header = rawHeader.map((h) => h.replace(/^\uFEFF/, '').trim());
  const constants = new Map<Field, string>();
  let rowIds: string | null = null;
  const byColumn: Mapping = {};
  for (const [field, source] of Object.entries(mapping) as [Field, string][]) {
    if (source.startsWith('=')) constants.set(field, source.slice(1));
    else if (source === ROW_NUMBER && field === 'order_id') rowIds = fileId.slice(0, 12) || 'row';
    else byColumn[field] = source;
  }
  const headerIndex = new Map<string, number>();
  header.forEach((h, i) => {
    if (!headerIndex.has(h)) headerIndex.set(h, i);
    if (!headerIndex.has(h.toLowerCase())) headerIndex.set(h.toLowerCase(), i);
  });
  const find = (name: string) => headerIndex.get(name) ?? headerIndex.get(name.toLowerCase());
  const index = new Map<Field, number[]>();
  const missing: string[] = [];
  for (const field of FIELDS) {
    if (constants.has(field) || (field === 'order_id' && rowIds)) continue;
    const mapped = byColumn[field];
    const names = mapped !== undefined ? [mapped] : (format.columns[field] ?? []);
    const found = names.map(find).filter((i): i is number => i !== undefined);
    if (mapped !== undefined && found.length === 0) missing.push(`${mapped} (mapped to ${field})`);
    else if (found.length > 0) index.set(field, found);
    else if (format.required.includes(field)) missing.push(names.join(' or ') || field);
  }
  if (
    format.kind === 'customers' &&
    !['customer_id', 'phone', 'email', 'member_card'].some((f) => index.has(f as Field))
  ) {
    missing.push('an identity column (customer id, phone, email or member card)');
  }
  return missing.length > 0
    ? { missing, header, index }
    : { format, header, index, headerIndex, constants, rowIds };
}

/** Spreadsheet users keep digits as text with a leading apostrophe ('13812345678); it is not data. */
export function excelText(cell: string): string {
  const c = cell.trim();
  return c.startsWith("'") ? c.slice(1).trim() : c;
}

/** Reads one row through the binding: each field's value, the column it came from, derived fields applied. */
export class Row {
  private readonly values = new Map<Field, { value: string; column: string }>();
  /** A cell held bytes the file's encoding could not decode (shown as U+FFFD). */
  readonly encodingBroken: boolean;

  constructor(
    readonly binding: Binding,
    readonly rowNo: number,
    cells: string[],
  ) {
    const clean = binding.format.clean ?? excelText;
    for (const [field, value] of binding.constants) this.values.set(field, { value, column: `=${value}` });
    if (binding.rowIds)
      this.values.set('order_id', { value: `${binding.rowIds}-${rowNo}`, column: ROW_NUMBER });
    for (const [field, idxs] of binding.index) {
      for (const i of idxs) {
        const v = clean(cells[i] ?? '');
        if (v !== '') {
          this.values.set(field, { value: v, column: binding.header[i]! });
          break;
        }
      }
    }
    const derived = binding.format.derive?.(
      (f) => this.get(f),
      (name) => {
        const i = binding.headerIndex.get(name);
        return i === undefined ? '' : clean(cells[i] ?? '');
      },
    );
    for (const [field, value] of Object.entries(derived ?? {}) as [Field, string][]) {
      this.values.set(field, { value, column: this.columnOf(field) });
    }
    this.encodingBroken = cells.some((c) => c.includes('\uFFFD'));
  }

  get(field: Field): string {
    return this.values.get(field)?.value ?? '';
  }

  columnOf(field: Field): string {
    const v = this.values.get(field);
    if (v) return v.column;
    const i = this.binding.index.get(field)?.[0];
    return i === undefined ? field : this.binding.header[i]!;
  }
}

const PATH_FIELD: Record<string, Field> = {
  externalId: 'order_id',
  orderedAt: 'ordered_at',
  paidAt: 'paid_at',
  storeId: 'store_id',
  refundedCents: 'refunded',
  totalCents: 'total',
  'customer.phone': 'phone',
  'customer.email': 'email',
  'customer.memberCard': 'member_card',
  'customer.platformId': 'customer_id',
};

export class Problems {
  readonly list: RowError[] = [];
  add(row: Row, field: Field | null, reason: string): void {
    this.list.push({
      rowNo: row.rowNo,
      column: field ? row.columnOf(field) : null,
      reason,
      value: field ? row.get(field) || null : null,
    });
  }
}

export function customerRef(row: Row, format: Format, source: string, problems: Problems): CustomerRef {
  const opt = (f: Field) => row.get(f) || undefined;
  const gender = row.get('gender').toLowerCase();
  const genders: Record<string, 'female' | 'male' | 'other'> = {
    f: 'female',
    female: 'female',
    女: 'female',
    m: 'male',
    male: 'male',
    男: 'male',
    other: 'other',
  };
  if (gender && !genders[gender]) problems.add(row, 'gender', 'unknown gender (female, male or other)');
  let birthday: string | undefined;
  if (row.get('birthday')) {
    const d = parseDateTime(row.get('birthday'), 'UTC');
    if (d.ok) birthday = d.date.toISOString().slice(0, 10);
    else problems.add(row, 'birthday', d.reason);
  }
  const name =
    opt('name') ?? ([row.get('first_name'), row.get('last_name')].filter(Boolean).join(' ') || undefined);
  const customerId = opt('customer_id');
  return {
    phone: opt('phone'),
    email: opt('email'),
    memberCard: opt('member_card'),
    platform: customerId ? (format.platform ?? source) : undefined,
    platformId: customerId,
    name,
    gender: genders[gender],
    birthday,
    country: opt('country'),
    province: opt('province'),
    city: opt('city'),
    address: opt('address'),
    company: opt('company'),
    jobTitle: opt('job_title'),
  };
}

export function reportNormalizeErrors(row: Row, errors: ErrorDetail[], problems: Problems): void {
  for (const e of errors) {
    const field = e.field ? PATH_FIELD[e.field] : undefined;
    if (e.field === 'customer' && !field) {
      problems.list.push({
        rowNo: row.rowNo,
        column: null,
        reason: `missing identity: ${e.message}`,
        value: null,
      });
    } else {
      problems.add(row, field ?? null, e.message);
    }
  }
}

/** A date cell as ISO 8601 (a wall-clock time read in the shop's time zone); empty: undefined. */
export function dateOf(row: Row, field: Field, timeZone: string, problems: Problems): string | undefined {
  const raw = row.get(field);
  if (!raw) return undefined;
  const d = parseDateTime(raw, timeZone);
  if (d.ok) return d.date.toISOString();
  problems.add(row, field, d.reason);
  return undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: RowError[] };

/** Builds one order from its rows: order fields from the first row, one item per row that names one. */
export function orderFromRows(rows: Row[], shop: Shop, source: string): Parsed<NormalizedOrder> {
  const problems = new Problems();
  const first = rows[0]!;
  const format = first.binding.format;
  for (const r of rows) {
    if (r.encodingBroken) problems.add(r, null, 'bad encoding: the row has bytes that are not valid text');
  }
  const currency = (first.get('currency') || shop.currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) problems.add(first, 'currency', 'not an ISO 4217 currency code');
  const money = (row: Row, f: Field, fallback = 0): number => {
    const raw = row.get(f);
    if (!raw) return fallback;
    const m = parseAmount(raw, /^[A-Z]{3}$/.test(currency) ? currency : shop.currency);
    if (m.ok) return m.minor;
    problems.add(row, f, m.reason);
    return fallback;
  };
  const date = (f: Field) => dateOf(first, f, shop.timeZone, problems);
  const rawStatus = first.get('status');
  // Derived statuses (a refunded Taobao order) are already canonical names.
  const status: OrderStatus | undefined =
    format.statuses[rawStatus.toLowerCase()] ??
    format.statuses[rawStatus] ??
    ((ORDER_STATUSES as readonly string[]).find((s) => s === rawStatus) as OrderStatus | undefined);
  if (!rawStatus) problems.add(first, 'status', 'missing status');
  else if (!status) problems.add(first, 'status', 'unknown status');
  const channelText = first.get('channel').toLowerCase();
  const channel =
    !channelText || channelText === 'online'
      ? 'online'
      : channelText === 'offline' || channelText === 'store'
        ? 'offline'
        : undefined;
  if (!channel) problems.add(first, 'channel', 'channel is online or offline');
  const orderedAt = date('ordered_at');
  if (!first.get('ordered_at')) problems.add(first, 'ordered_at', 'missing order date');
  const paidAt = date('paid_at');
  const total = money(first, 'total', -1);
  if (!first.get('total')) problems.add(first, 'total', 'missing total');

  const items: OrderInput['items'] = [];
  const lines = rows.filter((r) => r.get('item_title'));
  for (const r of lines) {
    const qtyText = r.get('item_quantity') || '1';
    const quantity = /^\d+$/.test(qtyText) ? Number(qtyText) : NaN;
    if (!(quantity >= 1 && quantity <= 1_000_000))
      problems.add(r, 'item_quantity', 'quantity must be a whole number from 1');
    let unitPriceCents = money(r, 'item_price', -1);
    if (!r.get('item_price')) {
      // Exports with one line per order (Taobao) carry no line price: the line is the whole order.
      if (lines.length === 1 && total >= 0 && quantity >= 1) unitPriceCents = Math.round(total / quantity);
      else problems.add(r, 'item_price', 'item price is required when an order has several lines');
    }
    // Left empty, the file says nothing of returns: a known order's line keeps what it has.
    const returnedText = r.get('item_refunded_quantity');
    const refundedQuantity =
      returnedText === '' ? undefined : /^\d+$/.test(returnedText) ? Number(returnedText) : NaN;
    if (refundedQuantity !== undefined && !(refundedQuantity <= quantity))
      problems.add(
        r,
        'item_refunded_quantity',
        'units returned must be a whole number from 0 to the quantity',
      );
    items.push({
      title: r.get('item_title').slice(0, 500),
      sku: r.get('item_sku') || undefined,
      productId: r.get('item_product_id') || undefined,
      category: r.get('item_category') || undefined,
      brand: r.get('item_brand').slice(0, 200) || undefined,
      quantity,
      unitPriceCents,
      refundedQuantity,
    });
  }
  const customer = customerRef(first, format, source, problems);
  if (problems.list.length > 0 || !status || !channel || !orderedAt || total < 0) {
    return { ok: false, errors: problems.list };
  }
  const result = normalizeOrder(
    {
      source: format.platform ?? source,
      externalId: first.get('order_id').slice(0, 128),
      channel,
      storeId: first.get('store_id') || undefined,
      status,
      currency,
      totalCents: total,
      discountCents: money(first, 'discount'),
      shippingCents: money(first, 'shipping'),
      refundedCents: money(first, 'refunded'),
      couponCode: first.get('coupon_code') || undefined,
      orderedAt,
      paidAt,
      customer,
      items,
    },
    shop,
  );
  if (!result.ok) {
    reportNormalizeErrors(first, result.errors, problems);
    return { ok: false, errors: problems.list };
  }
  if (problems.list.length > 0) return { ok: false, errors: problems.list };
  return { ok: true, value: result.order };
}
