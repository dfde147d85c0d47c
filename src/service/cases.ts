// The service area owns a customer's service history (migration 0045): inquiries, after-sale requests,
// complaints, platform disputes and reviews, each open until staff resolve it. This file says what a case
// is and reads cases; desk.ts writes them. A case's opening and resolution are read onto the timeline
// from its own row (customers/timeline.ts); segments test them (segments/compile.ts) and flows start
// when one is resolved (engage/flows/triggers.ts).
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { getCustomer } from '../customers/customers.js';
import { benefitRanks, getProgram } from '../membership/program.js';
import { dueSql } from './hours.js';

export const CASE_KINDS = ['inquiry', 'after_sale', 'complaint', 'dispute', 'review'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];
export const CASE_CHANNELS = ['phone', 'chat', 'email', 'store', 'platform', 'other'] as const;
export const CASE_STATUSES = ['open', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max, `at most ${max.toLocaleString('en')} characters`);

/** What staff say of a case as it comes in. */
export const CaseInput = z.strictObject({
  kind: z.enum(CASE_KINDS),
  channel: z.enum(CASE_CHANNELS).default('other').describe('where the case came in'),
  subject: text(200).describe('what it is about, in a line'),
  body: text(4000).optional().describe('what the customer said, what was done'),
  orderId: z.uuid().optional().describe("the order it is about: one of the customer's"),
  orderExternalId: text(200)
    .optional()
    .describe(
      'the order it is about by its number in its source (what the customer quotes), instead of orderId',
    ),
  rating: z.number().int().min(1).max(5).optional().describe("a review's stars"),
  openedAt: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('when the customer brought it (default: now)'),
});
export type CaseInput = z.output<typeof CaseInput>;

/** Resolving a case, opening it again, or correcting what it says and what it is about. */
export const CaseUpdate = z
  .strictObject({
    status: z.enum(CASE_STATUSES).optional(),
    resolution: text(4000)
      .optional()
      .describe('what was done (a resolved case only; a reopened case clears it)'),
    subject: text(200).optional(),
    body: text(4000).nullable().optional().describe('null clears the details'),
    channel: z.enum(CASE_CHANNELS).optional(),
    kind: z.enum(CASE_KINDS).optional().describe('a case filed under the wrong kind'),
    rating: z
      .number()
      .int()
      .min(1)
      .max(5)
      .nullable()
      .optional()
      .describe("a review's stars; null clears them (needed when a review becomes another kind)"),
    orderId: z.uuid().nullable().optional().describe("one of the customer's orders; null: about none"),
    orderExternalId: text(200).optional().describe('the order by its number, instead of orderId'),
    assignedTo: z
      .uuid()
      .nullable()
      .optional()
      .describe('the staff member (not a viewer) who handles it; null: nobody'),
  })
  .refine((u) => Object.keys(u).length > 0, { message: 'say what changes' });
export type CaseUpdate = z.output<typeof CaseUpdate>;

export interface ServiceCase {
  caseId: string;
  customerId: string;
  kind: CaseKind;
  channel: string;
  status: CaseStatus;
  subject: string;
  body: string | null;
  orderId: string | null;
  /** The order's number in its source, for display. */
  orderExternalId: string | null;
  rating: number | null;
  source: string;
  externalId: string | null;
  openedAt: Date;
  openedBy: string;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: string | null;
  /** The staff member handling it, and their name. */
  assignedTo: string | null;
  assigneeName: string | null;
  /** When the shop's target for its kind says it should be resolved (service/targets.ts), if it has one. */
  dueAt: Date | null;
  /** Whether the customer's tier, today, grants the priority service channel (a tier benefit). */
  priority: boolean;
  updatedAt: Date;
}

/**
 * Whether a customer has a grievance (a complaint or dispute) open, during which marketing is held back
 * (engage/policy.ts: a quarrel is not the time to sell), as SQL over the shop `shop` and customer
 * `customer` (column or parameter expressions): one probe of migration 0046's partial index.
 */
export const openGrievanceSql = (shop: string, customer: string) =>
  `exists (select 1 from service_cases g where g.shop_id = ${shop} and g.customer_id = ${customer}
            and g.status = 'open' and g.kind in ('complaint', 'dispute'))`;

/** Whether any customer of the shop has a grievance open: when none has, nothing needs holding back. */
export async function anyOpenGrievance(db: Queryable, shopId: string): Promise<boolean> {
  const [row] = await db.query<{ any: boolean }>(
    `select exists (select 1 from service_cases g where g.shop_id = $1 and g.status = 'open'
                     and g.kind in ('complaint', 'dispute')) as any`,
    [shopId],
  );
  return row!.any;
}

/**
 * A case's due time as SQL over `service_cases k`: the shop's target for its kind (targets.ts) in the
 * desk's open hours (hours.ts) from its opening, or null.
 */
const dueAtSql = `(select ${dueSql('k.shop_id', 'k.opened_at', 't.hours')} from service_targets t
                    where t.shop_id = k.shop_id and t.kind = k.kind)`;
/**
 * Whether a customer is, today, in a tier with the priority service channel, as SQL: `ranks` holds those
 * tiers' ranks (casesPriority). Read, not stored, so an upgrade moves the member's waiting cases up.
 */
export const memberPrioritySql = (shop: string, customer: string, ranks: string) =>
  `coalesce((select c.tier_rank = any(${ranks}) from customers c
              where c.shop_id = ${shop} and c.customer_id = ${customer}), false)`;

/** The ranks of the shop's tiers with priority service, as a parameter for memberPrioritySql. */
export async function casesPriority(db: Queryable, shopId: string): Promise<number[]> {
  return benefitRanks((await getProgram(db, shopId)).program, 'priorityService');
}

/** A case's columns, `ranks` a parameter reference to casesPriority's answer. */
const caseColumns = (
  ranks: string,
) => `k.case_id as "caseId", k.customer_id as "customerId", k.kind, k.channel, k.status,
  k.subject, k.body, k.order_id as "orderId",
  (select o.external_id from orders o where o.shop_id = k.shop_id and o.order_id = k.order_id) as "orderExternalId",
  k.rating, k.source, k.external_id as "externalId", k.opened_at as "openedAt", k.opened_by as "openedBy",
  k.resolved_at as "resolvedAt", k.resolved_by as "resolvedBy", k.resolution, k.assigned_to as "assignedTo",
  (select s.name from staff s where s.shop_id = k.shop_id and s.staff_id = k.assigned_to) as "assigneeName",
  ${dueAtSql} as "dueAt", ${memberPrioritySql('k.shop_id', 'k.customer_id', ranks)} as priority,
  k.updated_at as "updatedAt"`;

/** The customer's cases, newest first (a merged id reads its survivor's). */
export async function listCustomerCases(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<ServiceCase[]> {
  const customer = await getCustomer(db, shopId, customerId);
  return db.query<ServiceCase>(
    `select ${caseColumns('$3::int[]')} from service_cases k where k.shop_id = $1 and k.customer_id = $2
      order by k.opened_at desc, k.case_id desc`,
    [shopId, customer.customerId, await casesPriority(db, shopId)],
  );
}

export async function getCase(db: Queryable, shopId: string, caseId: string): Promise<ServiceCase> {
  if (!isUuid(caseId)) throw AppError.notFound('Service case');
  const [row] = await db.query<ServiceCase>(
    `select ${caseColumns('$3::int[]')} from service_cases k where k.shop_id = $1 and k.case_id = $2`,
    [shopId, caseId, await casesPriority(db, shopId)],
  );
  if (!row) throw AppError.notFound('Service case');
  return row;
}

export const CaseQuery = z.strictObject({
  status: z.enum(CASE_STATUSES).optional().describe('left out: both'),
  kind: z.enum(CASE_KINDS).optional(),
  assignee: z
    .union([z.enum(['me', 'none']), z.uuid()])
    .optional()
    .describe("a staff member's id, `me` (the signed-in staff member) or `none` (nobody's yet)"),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("words in the subject, details or resolution, or the help desk's ticket number"),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .describe("true: only open cases past their kind's target (service targets)"),
  priority: z
    .enum(['true', 'false'])
    .optional()
    .describe("true: only the cases of members whose tier grants priority service (the program's benefit)"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type CaseQuery = z.output<typeof CaseQuery>;

export interface QueuedCase extends ServiceCase {
  customerName: string | null;
}

/**
 * The service desk's list: open cases oldest first (the longest waiting on top), priority members' before
 * the rest, resolved ones most recently resolved first, with the total for paging. `me` is the staff
 * member asking (none for an API key, which is refused it).
 */
export async function listCases(
  db: Queryable,
  shopId: string,
  q: CaseQuery,
  me: string | null = null,
): Promise<{ items: QueuedCase[]; total: number }> {
  if (q.assignee === 'me' && !me) {
    throw AppError.invalid('Invalid query', [
      { field: 'assignee', message: "'me' is a signed-in staff member: give a staff id" },
    ]);
  }
  const assignee = q.assignee === 'me' ? me : q.assignee;
  // The words as a substring, whatever they hold: % and _ are not wildcards here.
  const words = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = `k.shop_id = $1 and ($2::text is null or k.status = $2) and ($3::text is null or k.kind = $3)
    and (not $4 or k.assigned_to is null) and ($5::uuid is null or k.assigned_to = $5)
    and ($6::text is null or k.subject ilike $6 or k.body ilike $6 or k.resolution ilike $6
         or k.external_id = $7)
    and (not $8 or (k.status = 'open' and ${dueAtSql} < now()))
    and (not $9 or ${memberPrioritySql('k.shop_id', 'k.customer_id', '$10::int[]')})`;
  const params = [
    shopId,
    q.status ?? null,
    q.kind ?? null,
    assignee === 'none',
    assignee && assignee !== 'none' ? assignee : null,
    words,
    q.q ?? null,
    q.overdue === 'true',
    q.priority === 'true',
    await casesPriority(db, shopId),
  ];
  // Overdue cases are open ones: the longest waiting first, as the open queue.
  const order =
    q.status === 'open' || q.overdue === 'true'
      ? 'priority desc, k.opened_at, k.case_id'
      : q.status === 'resolved'
        ? 'k.resolved_at desc, k.case_id desc'
        : 'k.opened_at desc, k.case_id desc';
  const items = await db.query<QueuedCase>(
    `select ${caseColumns('$10::int[]')},
            (select c.name from customers c where c.shop_id = k.shop_id and c.customer_id = k.customer_id) as "customerName"
       from service_cases k where ${where} order by ${order} limit $11 offset $12`,
    [...params, q.limit, q.offset],
  );
  const [count] = await db.query<{ total: number }>(
    `select count(*)::int as total from service_cases k where ${where}`,
    params,
  );
  return { items, total: count!.total };
}

/** Moves the merged profiles' cases to the survivor. */
export async function carryCases(
  tx: Queryable,
  shopId: string,
  survivorId: string,
  otherIds: string[],
): Promise<void> {
  await tx.query(
    'update service_cases set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    [shopId, survivorId, otherIds],
  );
}
