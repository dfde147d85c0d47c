// Reading customer profiles: one profile, its identities, and search by name, phone, email, card or nick.
import type { Queryable } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { normalizeEmail, normalizeMemberCard, normalizePhone } from './identity.js';
import { PROFILE_COLUMNS, PROFILE_FIELDS, type Profile } from './profile.js';

export interface Customer extends Profile {
  customerId: string;
  firstSource: string;
  orderCount: number;
  onlineOrderCount: number;
  offlineOrderCount: number;
  spendCents: number;
  refundedCents: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  tierRank: number;
  tierSince: Date | null;
  tierHoldUntil: Date | null;
  tierGraceUntil: Date | null;
  pointsBalance: number;
  pAlive: number | null;
  expectedOrders12m: number | null;
  predictedValueCents: number | null;
  purchaseCycleDays: number | null;
  nextPurchaseAt: Date | null;
  predictedAt: Date | null;
  rfmR: number | null;
  rfmF: number | null;
  rfmM: number | null;
  rfmSegment: string | null;
  rfmRecencyDays: number | null;
  rfmFrequency: number | null;
  rfmMonetaryCents: number | null;
  rfmAt: Date | null;
  /** When the shop erased the person's personal data on their request (erasure.ts). */
  erasedAt: Date | null;
}

export const customerColumns = (alias: string) =>
  [
    `${alias}.customer_id as "customerId"`,
    ...PROFILE_FIELDS.map((f) => `${alias}.${PROFILE_COLUMNS[f]} as "${f}"`),
    `${alias}.first_source as "firstSource"`,
    `${alias}.order_count as "orderCount"`,
    `${alias}.online_order_count as "onlineOrderCount"`,
    `${alias}.offline_order_count as "offlineOrderCount"`,
    `${alias}.spend_cents as "spendCents"`,
    `${alias}.refunded_cents as "refundedCents"`,
    `${alias}.first_order_at as "firstOrderAt"`,
    `${alias}.last_order_at as "lastOrderAt"`,
    `${alias}.created_at as "createdAt"`,
    `${alias}.updated_at as "updatedAt"`,
    `${alias}.tier_rank as "tierRank"`,
    `${alias}.tier_since as "tierSince"`,
    `${alias}.tier_hold_until as "tierHoldUntil"`,
    `${alias}.tier_grace_until as "tierGraceUntil"`,
    `${alias}.points_balance as "pointsBalance"`,
    `${alias}.p_alive as "pAlive"`,
    `${alias}.expected_orders_12m as "expectedOrders12m"`,
    `${alias}.predicted_value_cents as "predictedValueCents"`,
    `${alias}.purchase_cycle_days as "purchaseCycleDays"`,
    `${alias}.next_purchase_at as "nextPurchaseAt"`,
    `${alias}.predicted_at as "predictedAt"`,
    `${alias}.rfm_r as "rfmR"`,
    `${alias}.rfm_f as "rfmF"`,
    `${alias}.rfm_m as "rfmM"`,
    `${alias}.rfm_segment as "rfmSegment"`,
    `${alias}.rfm_recency_days as "rfmRecencyDays"`,
    `${alias}.rfm_frequency as "rfmFrequency"`,
    `${alias}.rfm_monetary_cents as "rfmMonetaryCents"`,
    `${alias}.rfm_at as "rfmAt"`,
    `${alias}.erased_at as "erasedAt"`,
  ].join(', ');

/** A customer by id; an id merged into another profile answers with the surviving profile. */
export async function getCustomer(db: Queryable, shopId: string, customerId: string): Promise<Customer> {
  if (!isUuid(customerId)) throw AppError.notFound('Customer');
  const [row] = await db.query<Customer>(
    `select ${customerColumns('c')} from customers c
      where c.shop_id = $1 and c.customer_id = coalesce(
        (select into_id from customer_merges where shop_id = $1 and merged_id = $2), $2)`,
    [shopId, customerId],
  );
  if (!row) throw AppError.notFound('Customer');
  return row;
}

export interface IdentityRow {
  kind: string;
  value: string;
  source: string;
  createdAt: Date;
}

export async function listIdentities(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<IdentityRow[]> {
  return db.query<IdentityRow>(
    `select kind, value, source, created_at as "createdAt" from customer_identities
      where shop_id = $1 and customer_id = $2 order by kind, created_at`,
    [shopId, customerId],
  );
}

export interface CustomerPage {
  items: Customer[];
  hasMore: boolean;
}

/**
 * Without a query: newest profiles first, in primary-key order (ids are time-ordered), which pages in
 * milliseconds at a million customers; an order by last purchase would need an index on a column every
 * order rewrites. With a query: exact phone, email, member card, platform nickname or order number, or a
 * name starting with it, most recent buyers first. Every branch is an index lookup.
 */
export async function searchCustomers(
  db: Queryable,
  shop: { shopId: string; phoneRegion: string },
  options: { q?: string; limit: number; offset: number },
): Promise<CustomerPage> {
  const q = options.q?.trim() ?? '';
  const limit = options.limit + 1;
  let rows: Customer[];
  if (!q) {
    rows = await db.query<Customer>(
      `select ${customerColumns('c')} from customers c where c.shop_id = $1
        order by c.customer_id desc limit $2 offset $3`,
      [shop.shopId, limit, options.offset],
    );
  } else {
    const phone = /^[+\d\s()-]{6,}$/.test(q) ? normalizePhone(q, shop.phoneRegion) : undefined;
    const email = q.includes('@') ? normalizeEmail(q) : undefined;
    const card = normalizeMemberCard(q);
    const keys: [string, string][] = [];
    if (phone?.ok) keys.push(['phone', phone.value]);
    if (email?.ok) keys.push(['email', email.value]);
    if (card.ok) keys.push(['member_card', card.value]);
    const escaped = q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    // Four to ten digits may be the end of a phone number, as staff ask a member for at the counter.
    const tail = /^\d{4,10}$/.test(q) ? q : null;
    // Words (not a phone, an email or digits) may be in what staff noted of someone ("allergic to
    // fragrance", "过敏"): the shop's notes are read through, a few per customer noted at most.
    const inNotes = q.length >= 2 && !phone?.ok && !email?.ok && !/^\d+$/.test(q);
    rows = await db.query<Customer>(
      // An order number finds its buyer. Orders are keyed by (source, number): the shop's few sources are
      // walked through that index one probe each (a loose index scan), then each is probed for the
      // number, where an index on the number alone would cost every order of every import an entry. (The
      // offset keeps the probe per source: flattened into a join, PostgreSQL before 18, which cannot
      // skip through an index, would read all of the shop's orders for the number.)
      `with recursive sources(source) as (
         select min(source) from orders where shop_id = $1
         union all
         select (select min(o.source) from orders o where o.shop_id = $1 and o.source > s.source)
           from sources s where s.source is not null
       ), hits as (
         select customer_id from customer_identities
          where shop_id = $1 and (kind, value) in (select * from unnest($2::text[], $3::text[]))
         union
         select customer_id from customer_identities
          where shop_id = $1 and kind = 'phone' and right(value, 4) = right($8, 4) and value like '%' || $8
         union
         select customer_id from customer_identities
          where shop_id = $1 and kind = 'platform_id' and substr(value, strpos(value, ':') + 1) = $4
         union
         select customer_id from customers where shop_id = $1 and lower(name) like $5 || '%'
         union
         select customer_id from customer_notes where $9 and shop_id = $1 and lower(body) like '%' || $5 || '%'
         union
         select o.customer_id from sources s
           cross join lateral (select customer_id from orders
                                where shop_id = $1 and source = s.source and external_id = $4
                                offset 0) o
       )
       select ${customerColumns('c')} from customers c join hits using (customer_id)
        where c.shop_id = $1
        order by c.last_order_at desc nulls last, c.customer_id limit $6 offset $7`,
      [
        shop.shopId,
        keys.map((k) => k[0]),
        keys.map((k) => k[1]),
        q,
        escaped,
        limit,
        options.offset,
        tail,
        inNotes,
      ],
    );
  }
  return { items: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
}
