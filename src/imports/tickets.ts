// A help desk's export read as service cases (service/intake.ts receives them): one ticket a row, its
// kind, channel and status in the help desk's words, English or Chinese, and its person as an order
// names its buyer. Long texts are cut to what a case holds rather than losing the ticket. A batch of them
// is received in the import's transaction, a ticket the case refuses becoming its row's error.
import { normalizePerson } from '../customers/person.js';
import { lockShopIngest, type PersonInput } from '../customers/resolve.js';
import type { Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { CASE_CHANNELS, CASE_KINDS, type CaseKind } from '../service/cases.js';
import { receiveTicket, type Ticket } from '../service/intake.js';
import type { Shop } from '../shops/shops.js';
import { applyRuleTags } from '../tags/rules.js';
import type { Field } from './formats.js';
import {
  customerRef,
  dateOf,
  Problems,
  reportNormalizeErrors,
  type Parsed,
  type Row,
  type RowError,
} from './rows.js';

export interface ImportedTicket {
  rowNo: number;
  ticket: Ticket;
  person: PersonInput;
  /** The file's column and cell behind each field the case itself may refuse (run.ts reports them). */
  cells: Partial<Record<Field, { column: string; value: string }>>;
}

/** The fields a case checks against what is stored: its order, and its dates against the clock. */
const CHECKED_LATER: Field[] = ['order_id', 'opened_at', 'resolved_at', 'resolution', 'rating'];

const KINDS: Record<string, CaseKind> = {
  ...Object.fromEntries(CASE_KINDS.map((k) => [k, k])),
  question: 'inquiry',
  'after-sale': 'after_sale',
  'after sale': 'after_sale',
  aftersale: 'after_sale',
  return: 'after_sale',
  refund: 'after_sale',
  咨询: 'inquiry',
  售前咨询: 'inquiry',
  售后: 'after_sale',
  退换货: 'after_sale',
  退款: 'after_sale',
  投诉: 'complaint',
  纠纷: 'dispute',
  维权: 'dispute',
  评价: 'review',
};
const CHANNELS: Record<string, (typeof CASE_CHANNELS)[number]> = {
  ...Object.fromEntries(CASE_CHANNELS.map((c) => [c, c])),
  电话: 'phone',
  在线: 'chat',
  旺旺: 'chat',
  微信: 'chat',
  邮件: 'email',
  门店: 'store',
  平台: 'platform',
  其他: 'other',
};
// A help desk's statuses come down to whether anyone still has to act (Zendesk's pending and on-hold
// tickets are open; solved and closed are resolved).
const STATUSES: Record<string, 'open' | 'resolved'> = {
  new: 'open',
  open: 'open',
  pending: 'open',
  hold: 'open',
  'on-hold': 'open',
  resolved: 'resolved',
  solved: 'resolved',
  closed: 'resolved',
  待处理: 'open',
  处理中: 'open',
  已解决: 'resolved',
  已完结: 'resolved',
  已关闭: 'resolved',
};

const SUBJECT_MAX = 200;
const TEXT_MAX = 4000;

export function ticketFromRow(row: Row, shop: Shop, source: string): Parsed<ImportedTicket> {
  const problems = new Problems();
  if (row.encodingBroken) problems.add(row, null, 'bad encoding: the row has bytes that are not valid text');
  const word = <T>(field: Field, words: Record<string, T>, expected: string): T | undefined => {
    const raw = row.get(field);
    if (!raw) return undefined;
    const v = words[raw.toLowerCase()] ?? words[raw];
    if (v === undefined) problems.add(row, field, `unknown ${expected}`);
    return v;
  };
  const date = (field: Field) => dateOf(row, field, shop.timeZone, problems);
  const text = (field: Field, max: number) => row.get(field).slice(0, max) || undefined;

  const kind = word('case_kind', KINDS, `kind (${CASE_KINDS.join(', ')})`);
  if (!row.get('case_kind')) problems.add(row, 'case_kind', 'missing kind');
  const channel = word('case_channel', CHANNELS, `channel (${CASE_CHANNELS.join(', ')})`) ?? 'other';
  const status = word('case_status', STATUSES, 'status (open or resolved)') ?? 'open';
  const subject = text('subject', SUBJECT_MAX);
  if (!subject) problems.add(row, 'subject', 'missing subject');
  const openedAt = date('opened_at');
  if (!row.get('opened_at')) problems.add(row, 'opened_at', 'missing date opened');
  const resolvedAt = date('resolved_at');
  // A resolved ticket needs its date: the service desk's hours to resolve are read from it.
  if (status === 'resolved' && !row.get('resolved_at'))
    problems.add(row, 'resolved_at', 'a resolved ticket needs the date it was resolved');
  const resolution = text('resolution', TEXT_MAX);
  if (status === 'open') {
    for (const f of ['resolved_at', 'resolution'] as const)
      if (row.get(f)) problems.add(row, f, 'only a resolved ticket has it');
  }
  const ratingText = row.get('rating');
  const rating = /^[1-5]$/.test(ratingText) ? Number(ratingText) : undefined;
  if (ratingText && rating === undefined) problems.add(row, 'rating', 'stars are a whole number from 1 to 5');
  else if (rating !== undefined && kind !== undefined && kind !== 'review')
    problems.add(row, 'rating', 'only a review has stars');

  const who = normalizePerson(customerRef(row, row.binding.format, source, problems), shop);
  if (!who.ok) reportNormalizeErrors(row, who.errors, problems);
  if (problems.list.length > 0 || !who.ok || !kind || !subject || !openedAt) {
    return { ok: false, errors: problems.list };
  }
  return {
    ok: true,
    value: {
      rowNo: row.rowNo,
      person: who.person,
      cells: Object.fromEntries(
        CHECKED_LATER.map((f) => [f, { column: row.columnOf(f), value: row.get(f) }]),
      ),
      ticket: {
        source,
        externalId: row.get('ticket_id').slice(0, 200),
        kind,
        channel,
        status,
        subject,
        body: text('details', TEXT_MAX),
        orderExternalId: text('order_id', 200),
        rating,
        openedAt,
        resolvedAt,
        resolution,
      },
    },
  };
}

/** Where a ticket's refusal (service/intake.ts names the API's fields) shows in the file. */
const TICKET_COLUMN: Record<string, Field> = {
  openedAt: 'opened_at',
  resolvedAt: 'resolved_at',
  resolution: 'resolution',
  rating: 'rating',
  orderExternalId: 'order_id',
};

/**
 * Each ticket of an import's batch opens or updates its case; one the case refuses (an order that is not the
 * person's, opened in the future) becomes its row's error, undone with the profile it may have made.
 * The customers' rule tags are judged once, after the batch.
 */
export async function receiveTickets(
  tx: Queryable,
  shopId: string,
  tickets: ImportedTicket[],
  errors: RowError[],
) {
  const at = new Date();
  const cases = { created: 0, updated: 0, unchanged: 0 };
  let customersCreated = 0;
  const touched = new Set<string>();
  await lockShopIngest(tx, shopId);
  for (const { rowNo, ticket, person, cells } of tickets) {
    await tx.query('savepoint ticket');
    try {
      const r = await receiveTicket(tx, shopId, ticket, person, at);
      await tx.query('release savepoint ticket');
      cases[r.outcome]++;
      if (r.newCustomer) customersCreated++;
      if (r.outcome !== 'unchanged') touched.add(r.customerId);
    } catch (err) {
      await tx.query('rollback to savepoint ticket');
      if (!(err instanceof AppError)) throw err;
      const details = err.details.length > 0 ? err.details : [{ field: undefined, message: err.message }];
      for (const d of details) {
        const field = d.field ? TICKET_COLUMN[d.field] : undefined;
        const cell = field ? cells[field] : undefined;
        errors.push({
          rowNo,
          column: cell?.column ?? null,
          reason: d.message,
          value: cell?.value || null,
        });
      }
    }
  }
  if (touched.size > 0) await applyRuleTags(tx, shopId, [...touched], 'import:service-cases', at);
  return { cases, customersCreated };
}
