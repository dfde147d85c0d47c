// Tickets from help desks and platforms, by the API or a desk's export file: the person is recognised
// as an order's buyer is, and the same ticket sent again updates its case (closing, reopening,
// correcting it) instead of opening another.
import { z } from 'zod';
import { CustomerRef, normalizePerson } from '../customers/person.js';
import { lockShopIngest, resolvePeople, type PersonInput } from '../customers/resolve.js';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import type { Shop } from '../shops/shops.js';
import { applyRuleTags } from '../tags/rules.js';
import { CASE_STATUSES, CaseInput, getCase, type CaseStatus, type ServiceCase } from './cases.js';
import { checkFacts, insertCase, recordReopening } from './desk.js';

/** A ticket from a help desk or platform, naming the person as an order names its buyer. */
export const CaseIntake = CaseInput.extend({
  customer: CustomerRef,
  source: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, - and _')
    .describe('the help desk or platform the ticket comes from, e.g. zendesk, taobao'),
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("the ticket's id there: sent again, it updates the case"),
  status: z.enum(CASE_STATUSES).default('open'),
  resolution: z.string().trim().min(1).max(4000).optional(),
  resolvedAt: z.iso.datetime({ offset: true }).optional().describe('when it was resolved (default: now)'),
}).strict();
export type CaseIntake = z.output<typeof CaseIntake>;

/**
 * A ticket from a help desk: the first time, its person is found or made and the case opened; sent
 * again, the case follows what the ticket now says (its customer stays the one first found).
 */
export async function takeCase(
  db: Db,
  shop: Shop,
  input: CaseIntake,
  at = new Date(),
): Promise<{ serviceCase: ServiceCase; created: boolean }> {
  const who = normalizePerson(input.customer, shop);
  if (!who.ok) throw AppError.invalid('The service case was not recorded', who.errors);
  return db.transaction(async (tx) => {
    // Under the shop's ingest lock: the same ticket delivered twice at once finds the first's case.
    await lockShopIngest(tx, shop.shopId);
    const r = await receiveTicket(tx, shop.shopId, input, who.person, at);
    if (r.outcome !== 'unchanged') await applyRuleTags(tx, shop.shopId, [r.customerId], 'service', at);
    return { serviceCase: await getCase(tx, shop.shopId, r.caseId), created: r.outcome === 'created' };
  });
}

/** A ticket as a help desk's export file gives it: its person already read from the row. */
export type Ticket = Omit<CaseIntake, 'customer'>;

/**
 * Opens the case of a ticket seen for the first time, or brings the case in line with it: the work of
 * `takeCase` for the caller holding the shop's ingest lock, which re-judges the customer's rule tags
 * (an import does so once for a batch). Throws the ticket's refusal before it writes anything but the
 * person of a new ticket, so a caller going on past a refusal puts a savepoint around it.
 */
export async function receiveTicket(
  tx: Queryable,
  shopId: string,
  input: Ticket,
  person: PersonInput,
  at: Date,
): Promise<{
  caseId: string;
  customerId: string;
  outcome: 'created' | 'updated' | 'unchanged';
  /** The ticket's person was new: a profile was made for them. */
  newCustomer: boolean;
}> {
  const resolvedAt = input.resolvedAt ? new Date(input.resolvedAt) : at;
  if (input.status === 'open' && (input.resolution !== undefined || input.resolvedAt !== undefined)) {
    throw AppError.invalid('The service case was not recorded', [
      {
        field: input.resolution !== undefined ? 'resolution' : 'resolvedAt',
        message: 'only a resolved case has it',
      },
    ]);
  }
  const [existing] = await tx.query<{ caseId: string; customerId: string }>(
    `select case_id as "caseId", customer_id as "customerId" from service_cases
      where shop_id = $1 and source = $2 and external_id = $3`,
    [shopId, input.source, input.externalId],
  );
  if (existing) {
    const facts = await checkFacts(tx, shopId, existing.customerId, input, at);
    const changed = await followTicket(tx, shopId, existing.caseId, input, facts.orderId, resolvedAt, at);
    return { ...existing, outcome: changed ? 'updated' : 'unchanged', newCustomer: false };
  }
  const r = await resolvePeople(tx, shopId, [person], `service:${input.source}`, at);
  const customerId = r.customerIds[0]!;
  const facts = await checkFacts(tx, shopId, customerId, input, at);
  if (input.status === 'resolved' && resolvedAt < facts.openedAt) {
    throw AppError.invalid('The service case was not recorded', [
      { field: 'resolvedAt', message: 'before the case was opened' },
    ]);
  }
  const caseId = await insertCase(
    tx,
    shopId,
    customerId,
    input,
    facts,
    { source: input.source, externalId: input.externalId, by: { name: input.source }, at },
    input.status === 'resolved'
      ? { at: resolvedAt, by: input.source, resolution: input.resolution ?? null }
      : null,
  );
  return { caseId, customerId, outcome: 'created', newCustomer: r.created > 0 };
}

/** Brings a case in line with its ticket sent again; answers whether anything changed. */
async function followTicket(
  tx: Queryable,
  shopId: string,
  caseId: string,
  input: Ticket,
  orderId: string | null,
  resolvedAt: Date,
  at: Date,
): Promise<boolean> {
  const [row] = await tx.query<{ status: CaseStatus; resolution: string | null; customerId: string }>(
    `update service_cases k set kind = $3, channel = $4, subject = $5, body = $6,
            order_id = coalesce($7::uuid, k.order_id), rating = $8::smallint, status = $9::text,
            resolved_at = case when $9::text = 'open' then null when k.status = 'resolved' then k.resolved_at
                               else $10::timestamptz end,
            resolved_by = case when $9::text = 'open' then null when k.status = 'resolved' then k.resolved_by
                               else $11::text end,
            resolution = case when $9::text = 'open' then null else $12::text end,
            updated_at = $13
       from service_cases old
      where k.shop_id = $1 and k.case_id = $2 and old.shop_id = k.shop_id and old.case_id = k.case_id
        and (k.kind, k.channel, k.subject, k.body, k.order_id, k.rating, k.status, k.resolution)
            is distinct from ($3::text, $4::text, $5::text, $6::text, coalesce($7::uuid, k.order_id), $8::smallint,
                              $9::text, case when $9::text = 'open' then null else $12::text end)
     returning old.status, old.resolution, k.customer_id as "customerId"`,
    [
      shopId,
      caseId,
      input.kind,
      input.channel,
      input.subject,
      input.body ?? null,
      orderId,
      input.rating ?? null,
      input.status,
      resolvedAt.toISOString(),
      input.source,
      input.resolution ?? null,
      at.toISOString(),
    ],
  );
  if (!row) return false;
  if (row.status === 'resolved' && input.status === 'open') {
    await recordReopening(tx, shopId, caseId, row.customerId, input.source, input.source, at, row.resolution);
  }
  return true;
}
