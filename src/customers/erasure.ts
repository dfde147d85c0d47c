// A customer's right to have their personal data erased (GDPR art. 17, PIPL art. 47). The shop keeps what
// its books and figures need — the orders and their items, the points ledger, tiers, tags and the
// dashboard's rollups, all under the same customer id — and loses everything that says who the person
// is: the profile's fields, every identity (a later order with the same phone starts a new profile), the
// member card on their orders, the addresses and subjects of their messages, their consents, card
// bindings, the notes staff kept on them and their service cases, the timeline events that carry contact
// details or their own words, and the values import error reports refused that hold their phone, email,
// name or card (a mistyped number is still theirs).
// Nothing is sent to them again: queued messages are suppressed, flows let them go, and their points are
// forfeited (the shop owes nothing to a person it no longer knows), as a ledger entry so the balance still
// equals the ledger. It cannot be undone.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { forgetCellsNaming } from '../imports/imports.js';
import { appendEntries } from '../membership/points.js';
import { AppError } from '../errors.js';
import { getCustomer, type Customer } from './customers.js';
import { PROFILE_COLUMNS, PROFILE_FIELDS } from './profile.js';
import { lockShopIngest } from './resolve.js';
import { recordEvents, type EventType } from './timeline.js';

export const ErasureInput = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .describe('why, for the record (a ticket number, "asked by email"): not the person\'s details'),
});
export type ErasureInput = z.infer<typeof ErasureInput>;

/** Timeline events whose data name the person or hold their words: erased with them. */
const PERSONAL_EVENTS: readonly EventType[] = [
  'identity.added',
  'profile.updated',
  'card.bound',
  'card.unbound',
  'customer.merged',
  'message.replied',
  'service.reopened',
];

export const ERASED_REASON = 'personal data erased';

/** Refuses to write anything about a person back into a profile erased on their request. */
export function assertNotErased(customer: Customer, field?: string): void {
  if (!customer.erasedAt) return;
  throw new AppError(
    'customer_erased',
    409,
    `Customer ${customer.customerId} had their personal data erased: nothing about them can be added to it`,
    field ? [{ field, message: 'erased' }] : [],
  );
}

/**
 * Erases the customer's personal data (a merged id erases its survivor) and answers the customer's id.
 * Under the shop's ingest lock: an order arriving meanwhile finds the identities before or not at all.
 * Erasing again changes nothing.
 */
export async function eraseCustomer(
  db: Db,
  shopId: string,
  customerId: string,
  input: ErasureInput,
  staffId: string | null,
  at = new Date(),
): Promise<string> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    const customer = await getCustomer(tx, shopId, customerId);
    const id = customer.customerId;
    if (customer.erasedAt) return id;
    const ids = [shopId, id];
    const identities = await tx.query<{ kind: string; value: string }>(
      'delete from customer_identities where shop_id = $1 and customer_id = $2 returning kind, value',
      ids,
    );
    const phones = identities.filter((i) => i.kind === 'phone').map((i) => i.value);
    await forgetCellsNaming(tx, shopId, namingNeedles(customer, identities));
    await tx.query(
      `update customers set ${PROFILE_FIELDS.map((f) => `${PROFILE_COLUMNS[f]} = null`).join(', ')},
              erased_at = $3, updated_at = $3
        where shop_id = $1 and customer_id = $2`,
      [...ids, at.toISOString()],
    );
    await tx.query('update orders set member_card = null where shop_id = $1 and customer_id = $2', ids);
    await tx.query(
      `update messages set recipient = null, subject = null,
              status = case when status = 'queued' then 'suppressed' else status end,
              reason = case when status = 'queued' then $3 else reason end
        where shop_id = $1 and customer_id = $2`,
      [...ids, ERASED_REASON],
    );
    await tx.query(
      `update flow_enrollments set status = 'exited', exit_reason = $3, step_id = null, waiting = false,
              finished_at = $4
        where shop_id = $1 and customer_id = $2 and status = 'active'`,
      [...ids, ERASED_REASON, at.toISOString()],
    );
    await tx.query(
      `delete from member_card_bindings
        where shop_id = $1 and (customer_id = $2 or (status = 'pending' and phone = any($3::text[])))`,
      [...ids, phones],
    );
    await tx.query('delete from customer_consents where shop_id = $1 and customer_id = $2', ids);
    await tx.query('delete from customer_notes where shop_id = $1 and customer_id = $2', ids);
    await tx.query('delete from service_cases where shop_id = $1 and customer_id = $2', ids);
    await tx.query(
      'delete from customer_events where shop_id = $1 and customer_id = $2 and type = any($3::text[])',
      [...ids, PERSONAL_EVENTS],
    );
    if (customer.pointsBalance > 0) {
      await appendEntries(
        tx,
        shopId,
        [
          {
            customerId: id,
            kind: 'adjust',
            points: -customer.pointsBalance,
            key: `erase:${id}`,
            reason: ERASED_REASON,
            staffId,
          },
        ],
        at,
      );
    }
    await recordEvents(tx, shopId, [
      {
        customerId: id,
        type: 'customer.erased',
        occurredAt: at,
        source: 'staff',
        data: { reason: input.reason, staffId },
      },
    ]);
    return id;
  });
}

/**
 * What a refused import cell about this person would hold: their email, name, card and platform nick as
 * text, their phones as the national number's digits (a cell writes them with spaces or a country code).
 */
function namingNeedles(
  customer: Customer,
  identities: { kind: string; value: string }[],
): { texts: string[]; digits: string[] } {
  const texts = new Set<string>();
  const digits = new Set<string>();
  const addText = (v: string | null | undefined) => {
    const t = v?.trim().toLowerCase();
    // One character would name half the shop's refused cells.
    if (t && t.length >= 2) texts.add(t);
  };
  addText(customer.name);
  addText(customer.email);
  addText(customer.memberCard);
  for (const phone of [customer.phone, ...identities.filter((i) => i.kind === 'phone').map((i) => i.value)]) {
    const national = phone ? parsePhoneNumberFromString(phone)?.nationalNumber : undefined;
    if (national && national.length >= 6) digits.add(national);
  }
  for (const i of identities) {
    if (i.kind === 'email' || i.kind === 'member_card') addText(i.value);
    if (i.kind === 'platform_id') addText(i.value.slice(i.value.indexOf(':') + 1));
  }
  return { texts: [...texts], digits: [...digits] };
}
