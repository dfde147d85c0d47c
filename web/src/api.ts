// The console talks only to the REST API. Errors come back in the API's one shape.
import type { CaseKind } from './pages/service/cases.js';

export interface ApiErrorBody {
  error: string;
  message: string;
  details: { field?: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body && typeof init.body === 'string') headers.set('content-type', 'application/json');
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const body = (await res
    .json()
    .catch(() => ({ error: 'bad_response', message: res.statusText, details: [] }))) as unknown;
  if (!res.ok) throw new ApiError(res.status, body as ApiErrorBody);
  return body as T;
}

export interface Shop {
  shopId: string;
  name: string;
  currency: string;
  timeZone: string;
  /** Where a phone written without a country code is from (ISO 3166). */
  phoneRegion: string;
}

export interface Me {
  staff: { staffId: string; email: string; name: string; role: string };
  /** What the role may do, as the API holds it to: 'read', 'operate', 'administer', 'own'. */
  access: string[];
  /** The roles staff can have, least first. */
  roles: string[];
  shop: Shop;
  /** The shops this sign-in opened, this one among them: the header switches between them. */
  shops: ShopChoice[];
}

/** A shop a sign-in could open (409 `choose_shop`), or opened. */
export interface ShopChoice {
  shopId: string;
  name: string;
  role: string;
}

export interface Customer {
  customerId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  memberCard: string | null;
  gender: string | null;
  birthday: string | null;
  country: string | null;
  province: string | null;
  city: string | null;
  address: string | null;
  company: string | null;
  jobTitle: string | null;
  firstSource: string;
  orderCount: number;
  onlineOrderCount: number;
  offlineOrderCount: number;
  spendCents: number;
  refundedCents: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  createdAt: string;
  tierRank: number;
  tierSince: string | null;
  tierHoldUntil: string | null;
  tierGraceUntil: string | null;
  pointsBalance: number;
  pAlive: number | null;
  expectedOrders12m: number | null;
  predictedValueCents: number | null;
  purchaseCycleDays: number | null;
  nextPurchaseAt: string | null;
  predictedAt: string | null;
  /** When the shop erased the person's personal data on their request. */
  erasedAt: string | null;
  rfmR: number | null;
  rfmF: number | null;
  rfmM: number | null;
  rfmSegment: string | null;
}

export interface Identity {
  kind: string;
  value: string;
  source: string;
  createdAt: string;
}

export interface Order {
  orderId: string;
  source: string;
  externalId: string;
  channel: 'online' | 'offline';
  storeId: string | null;
  status: string;
  currency: string;
  totalCents: number;
  shippingCents: number;
  refundedCents: number;
  orderedAt: string;
  items: {
    lineNo: number;
    title: string;
    sku: string | null;
    category: string | null;
    quantity: number;
    unitPriceCents: number;
    refundedQuantity: number;
  }[];
}

export interface TimelineEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
}

export interface ImportRecord {
  importId: string;
  format: string;
  fileName: string;
  fileBytes: number;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  rowsDone: number;
  bytesDone: number;
  ordersCreated: number;
  ordersUpdated: number;
  ordersUnchanged: number;
  customersCreated: number;
  customersUpdated: number;
  casesCreated: number;
  casesUpdated: number;
  casesUnchanged: number;
  errorRows: number;
  failure: string | null;
  expiryJobId: string | null;
  /** Staff asked it to stop; a running import does after its current batch. */
  cancelRequestedAt: string | null;
  createdAt: string;
}

export interface RowError {
  rowNo: number;
  column: string | null;
  reason: string;
  value: string | null;
}

export interface SavedMapping {
  mappingId: string;
  name: string;
  format: 'generic' | 'shopify-orders' | 'shopify-customers' | 'taobao' | 'service-cases';
  source: string;
  mapping: Record<string, string>;
}

interface PreviewPerson {
  identities: { kind: 'phone' | 'email' | 'member_card' | 'platform_id'; value: string }[];
  profile: Record<string, unknown>;
}

/** POST /api/imports/preview: how a file's first rows would import. */
export interface ImportPreview {
  format: string;
  kind: 'orders' | 'customers' | 'cases';
  encoding: 'utf-8' | 'utf-16le' | 'gb18030' | 'xlsx';
  header: string[];
  firstRow: string[];
  fields: { field: string; required: boolean; preset: string[]; columns: string[] }[];
  unfit: string | null;
  unreadable: string | null;
  items: {
    rows: number[];
    order?: {
      externalId: string;
      channel: 'online' | 'offline';
      storeId: string | null;
      status: 'pending' | 'paid' | 'shipped' | 'completed' | 'cancelled' | 'refunded' | 'partially_refunded';
      currency: string;
      totalCents: number;
      orderedAt: string;
      person: PreviewPerson;
      items: { title: string; quantity: number; unitPriceCents: number }[];
    };
    person?: {
      person: PreviewPerson;
      consents: { channel: 'email' | 'sms'; status: 'opted_in' | 'opted_out' }[];
    };
    /** A help desk's ticket, as it would open its service case. */
    ticket?: {
      person: PreviewPerson;
      ticket: {
        externalId: string;
        kind: CaseKind;
        channel: string;
        status: 'open' | 'resolved';
        subject: string;
        orderExternalId?: string;
        rating?: number;
        openedAt: string;
      };
    };
    errors: RowError[];
  }[];
  complete: boolean;
  /** The file as the server keeps it for the next preview and, when sent whole, the import. */
  fileId: string;
}

export interface Tier {
  name: string;
  minSpendCents: number | null;
  minOrders: number | null;
  keepSpendCents: number | null;
  keepOrders: number | null;
  benefits: {
    discountPercent: number;
    pointsMultiplier: number;
    freeShipping: boolean;
    birthdayGift: string | null;
    memberOffers: boolean;
    priorityService: boolean;
  };
}

export interface PointsBonus {
  name: string;
  multiplier: number;
  from: string;
  to: string;
  category: string | null;
  channel: 'online' | 'offline' | null;
}

export interface MemberProgram {
  tiers: Tier[];
  window: 'lifetime' | 'rolling_12_months';
  match: 'any' | 'all';
  review: { every: 'month' | 'quarter' | 'year'; graceDays: number };
  points: {
    awardOn: 'paid' | 'completed';
    perUnit: { online: number; offline: number };
    bonuses: PointsBonus[];
    expiry: { kind: 'never' } | { kind: 'end_of_next_year' } | { kind: 'after_days'; days: number };
    pointsPerUnitOff: number;
  };
}

export interface StoredProgram {
  program: MemberProgram;
  version: number;
  nextReviewAt: string | null;
}

export interface Job {
  jobId: string;
  kind: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  done: number;
  total: number | null;
  result: Record<string, unknown> | null;
  failure: string | null;
  createdAt: string;
}

export interface LedgerEntry {
  entryId: string;
  kind: 'earn' | 'reverse' | 'redeem' | 'expire' | 'adjust';
  points: number;
  orderId: string | null;
  expiresAt: string | null;
  reason: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
}

/** What a threshold still wants: null where the tier sets none. */
interface Shortfall {
  spendCents: number | null;
  orders: number | null;
}

export interface MemberTier {
  rank: number;
  name: string;
  benefits: Tier['benefits'];
  window: 'lifetime' | 'rolling_12_months';
  match: 'any' | 'all';
  standing: { spendCents: number; orders: number };
  next: (Shortfall & { rank: number; name: string; reached: boolean }) | null;
  keep: (Shortfall & { kept: boolean; atReview: { spendCents: number; orders: number } }) | null;
  nextReviewAt: string;
}

export interface PointsSummary {
  balance: number;
  earned: number;
  redeemed: number;
  expired: number;
  expiring: { expiresAt: string; points: number }[];
}

/** The API's message with each detail, for showing under a form. */
export function problemText(err: unknown): string {
  if (err instanceof ApiError && err.body.details.length > 0) {
    return `${err.message} (${err.body.details.map((d) => `${d.field ?? ''} ${d.message}`.trim()).join('; ')})`;
  }
  return err instanceof Error ? err.message : String(err);
}
