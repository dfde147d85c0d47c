// Writing service cases: staff open one on a profile, and resolve, reopen, give or correct it; the rows
// and checks the help desks' tickets (intake.ts) write cases through too. Each change re-judges the
// customer's rule tags in the same transaction, since a tag may read cases ("open complaint").
import { getCustomer } from '../customers/customers.js';
import { assertNotErased } from '../customers/erasure.js';
import { recordEvents } from '../customers/timeline.js';
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { applyRuleTags } from '../tags/rules.js';
import {
  CaseInput,
  casesPriority,
  getCase,
  memberPrioritySql,
  type CaseUpdate,
  type ServiceCase,
} from './cases.js';
import { rotaPickSql } from './rota.js';

/** Who writes, by the name the case keeps: a staff member's, an API key's or a help desk's. */
export interface CaseWriter {
  name: string;
}

/** Clocks differ; a case opened this far ahead of ours is still taken as now. */
const CLOCK_SLACK_MS = 5 * 60_000;

/** The checks one case's facts need beyond their schema, with the order they name resolved to its id. */
export async function checkFacts(
  tx: Queryable,
  shopId: string,
  customerId: string,
  input: CaseInput,
  at: Date,
): Promise<{ orderId: string | null; openedAt: Date }> {
  const problems: ErrorDetail[] = [];
  if (input.rating !== undefined && input.kind !== 'review')
    problems.push({ field: 'rating', message: 'only a review has stars' });
  const openedAt = input.openedAt ? new Date(input.openedAt) : at;
  if (openedAt.getTime() > at.getTime() + CLOCK_SLACK_MS)
    problems.push({ field: 'openedAt', message: 'in the future' });
  const orderId = (await findOrder(tx, shopId, customerId, input, problems)) ?? null;
  if (problems.length > 0) throw AppError.invalid('The service case was not recorded', problems);
  return { orderId, openedAt };
}

/**
 * The order a case names — one of the customer's, by id or by the number they quote — adding to
 * `problems` what is wrong with it; undefined when neither is given (null: orderId null, about none).
 */
async function findOrder(
  tx: Queryable,
  shopId: string,
  customerId: string,
  named: { orderId?: string | null; orderExternalId?: string },
  problems: ErrorDetail[],
): Promise<string | null | undefined> {
  if (named.orderId !== undefined && named.orderExternalId !== undefined) {
    problems.push({ field: 'orderExternalId', message: 'give orderId or orderExternalId, not both' });
    return undefined;
  }
  if (named.orderId === undefined && named.orderExternalId === undefined) return undefined;
  if (named.orderId === null) return null;
  const field = named.orderId !== undefined ? 'orderId' : 'orderExternalId';
  const rows = await tx.query<{ orderId: string }>(
    `select order_id as "orderId" from orders
      where shop_id = $1 and customer_id = $2 and (order_id = $3::uuid or external_id = $4) limit 2`,
    [shopId, customerId, named.orderId ?? null, named.orderExternalId ?? null],
  );
  if (rows.length === 0) problems.push({ field, message: 'not an order of this customer' });
  else if (rows.length > 1)
    problems.push({ field, message: 'more than one of their orders has this number: give orderId' });
  else return rows[0]!.orderId;
  return undefined;
}

export async function insertCase(
  tx: Queryable,
  shopId: string,
  customerId: string,
  input: CaseInput,
  facts: { orderId: string | null; openedAt: Date },
  origin: { source: string; externalId: string | null; by: CaseWriter; at: Date },
  resolved: { at: Date; by: string; resolution: string | null } | null,
): Promise<string> {
  const caseId = uuidv7(facts.openedAt.getTime());
  await tx.query(
    // A case that comes in open goes to whoever of its kind's rota — or, for a priority member, of the
    // priority line — has the least open work (rota.ts).
    `insert into service_cases (shop_id, case_id, customer_id, kind, channel, status, subject, body, order_id,
            rating, source, external_id, opened_at, opened_by, resolved_at, resolved_by, resolution, updated_at,
            assigned_to)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             case when $6 = 'open' then ${rotaPickSql('$1', '$4', memberPrioritySql('$1', '$3', '$19::int[]'))} end)`,
    [
      shopId,
      caseId,
      customerId,
      input.kind,
      input.channel,
      resolved ? 'resolved' : 'open',
      input.subject,
      input.body ?? null,
      facts.orderId,
      input.rating ?? null,
      origin.source,
      origin.externalId,
      facts.openedAt.toISOString(),
      origin.by.name,
      resolved?.at.toISOString() ?? null,
      resolved?.by ?? null,
      resolved?.resolution ?? null,
      origin.at.toISOString(),
      await casesPriority(tx, shopId),
    ],
  );
  return caseId;
}

/** Staff (or an API key) open a case on a customer they have in front of them. */
export async function openCase(
  db: Db,
  shopId: string,
  customerId: string,
  input: CaseInput,
  by: CaseWriter,
  source: 'console' | 'api',
  at = new Date(),
): Promise<ServiceCase> {
  return db.transaction(async (tx) => {
    const customer = await getCustomer(tx, shopId, customerId);
    assertNotErased(customer, 'subject');
    const facts = await checkFacts(tx, shopId, customer.customerId, input, at);
    const caseId = await insertCase(
      tx,
      shopId,
      customer.customerId,
      input,
      facts,
      { source, externalId: null, by, at },
      null,
    );
    await applyRuleTags(tx, shopId, [customer.customerId], 'service', at);
    return getCase(tx, shopId, caseId);
  });
}

/**
 * Resolves a case, opens it again, gives it to a staff member, or corrects what it says (subject,
 * details, channel) and what it is (kind, stars, the order it is about). A case already resolved changes
 * only its resolution's words, and keeps them when none are given.
 */
export async function updateCase(
  db: Db,
  shopId: string,
  caseId: string,
  update: CaseUpdate,
  by: CaseWriter,
  source: 'console' | 'api',
  at = new Date(),
): Promise<ServiceCase> {
  return db.transaction(async (tx) => {
    // Two people reopening one case at once record one reopening: the second waits and finds it open.
    if (isUuid(caseId))
      await tx.query('select 1 from service_cases where shop_id = $1 and case_id = $2 for update', [
        shopId,
        caseId,
      ]);
    const current = await getCase(tx, shopId, caseId);
    const status = update.status ?? current.status;
    const problems: ErrorDetail[] = [];
    if (status === 'open' && update.resolution !== undefined)
      problems.push({ field: 'resolution', message: 'an open case has no resolution' });
    const kind = update.kind ?? current.kind;
    const rating = update.rating !== undefined ? update.rating : current.rating;
    if (rating !== null && kind !== 'review') {
      problems.push({
        field: 'rating',
        message:
          update.rating === undefined
            ? `only a review has stars: send rating null to make it a ${kind}`
            : 'only a review has stars',
      });
    }
    const orderId = await findOrder(tx, shopId, current.customerId, update, problems);
    if (update.assignedTo) await checkAssignee(tx, shopId, update.assignedTo, problems);
    if (problems.length > 0) throw AppError.invalid('The service case was not changed', problems);
    const edited = await tx.query(
      `update service_cases set subject = coalesce($3, subject), body = case when $4 then $5 else body end,
              channel = coalesce($6, channel), kind = $7::text, rating = $8::smallint,
              order_id = case when $9 then $10::uuid else order_id end,
              assigned_to = case when $12 then $13::uuid else assigned_to end, updated_at = $11
        where shop_id = $1 and case_id = $2
          and (subject, body, channel, kind, rating, order_id, assigned_to) is distinct from
              (coalesce($3, subject), case when $4 then $5 else body end, coalesce($6, channel), $7::text,
               $8::smallint, case when $9 then $10::uuid else order_id end,
               case when $12 then $13::uuid else assigned_to end)
        returning 1`,
      [
        shopId,
        caseId,
        update.subject ?? null,
        update.body !== undefined,
        update.body ?? null,
        update.channel ?? null,
        kind,
        rating,
        orderId !== undefined,
        orderId ?? null,
        at.toISOString(),
        update.assignedTo !== undefined,
        update.assignedTo ?? null,
      ],
    );
    let changed = edited.length > 0;
    if (status === 'resolved') {
      const resolved = await tx.query(
        `update service_cases set status = 'resolved', resolution = coalesce($3, resolution), updated_at = $4,
                resolved_at = coalesce(resolved_at, $4), resolved_by = coalesce(resolved_by, $5)
          where shop_id = $1 and case_id = $2
            and (status, resolution) is distinct from ('resolved', coalesce($3::text, resolution))
          returning 1`,
        [shopId, caseId, update.resolution ?? null, at.toISOString(), by.name],
      );
      changed ||= resolved.length > 0;
    } else if (current.status === 'resolved') {
      await tx.query(
        `update service_cases set status = 'open', resolved_at = null, resolved_by = null, resolution = null,
                updated_at = $3
          where shop_id = $1 and case_id = $2`,
        [shopId, caseId, at.toISOString()],
      );
      await recordReopening(tx, shopId, caseId, current.customerId, by.name, source, at, current.resolution);
      changed = true;
    }
    if (!changed) return current;
    await applyRuleTags(tx, shopId, [current.customerId], 'service', at);
    return getCase(tx, shopId, caseId);
  });
}

/** A case is given to someone of the shop who may act on it: not a viewer. */
async function checkAssignee(
  tx: Queryable,
  shopId: string,
  staffId: string,
  problems: ErrorDetail[],
): Promise<void> {
  const [staff] = await tx.query<{ role: string }>(
    'select role from staff where shop_id = $1 and staff_id = $2',
    [shopId, staffId],
  );
  if (!staff) problems.push({ field: 'assignedTo', message: 'not a staff member of this shop' });
  else if (staff.role === 'viewer')
    problems.push({ field: 'assignedTo', message: 'a viewer only looks: give the case to someone who acts' });
}

export async function recordReopening(
  tx: Queryable,
  shopId: string,
  caseId: string,
  customerId: string,
  by: string,
  source: string,
  at: Date,
  resolution: string | null = null,
): Promise<void> {
  const [k] = await tx.query<{ kind: string; subject: string }>(
    'select kind, subject from service_cases where shop_id = $1 and case_id = $2',
    [shopId, caseId],
  );
  await recordEvents(tx, shopId, [
    {
      customerId,
      type: 'service.reopened',
      occurredAt: at,
      source,
      data: { caseId, kind: k!.kind, subject: k!.subject, by, ...(resolution ? { resolution } : {}) },
    },
  ]);
}
