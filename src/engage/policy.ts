// How much contact a customer bears (the "interference tolerance"): a cap on marketing messages over a
// rolling window, per shop and overridable per customer, quiet hours in the shop's time zone, and no
// marketing while they have a complaint or dispute open (service/). The delivery job applies them as it
// takes each batch, so campaigns and flows running at once share one cap.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:MM')
  .describe('shop local time, HH:MM');

export const ContactCap = z.strictObject({
  maxMessages: z.number().int().min(0).max(100).describe('marketing messages at most…'),
  perDays: z.number().int().min(1).max(365).describe('…in any this many days'),
});
export type ContactCap = z.infer<typeof ContactCap>;

export const ContactPolicy = ContactCap.extend({
  quietHours: z
    .strictObject({ start: time, end: time })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
    .nullable()
    .describe('no marketing between start and end (the window may pass midnight); null: none'),
  holdOpenComplaints: z
    .boolean()
    .default(true)
    .describe('no marketing to a customer with a complaint or dispute open, until it is resolved'),
});
export type ContactPolicy = z.output<typeof ContactPolicy>;

/**
 * What a shop that never set a policy gets: two marketing messages a week, nothing at night, nothing
 * while a complaint is open.
 */
export const DEFAULT_POLICY: ContactPolicy = {
  maxMessages: 2,
  perDays: 7,
  quietHours: { start: '21:00', end: '09:00' },
  holdOpenComplaints: true,
};

export async function contactPolicy(db: Queryable, shopId: string): Promise<ContactPolicy> {
  const [row] = await db.query<{
    maxMessages: number;
    perDays: number;
    start: string | null;
    end: string | null;
    holdOpenComplaints: boolean;
  }>(
    `select max_messages as "maxMessages", per_days as "perDays",
            to_char(quiet_start, 'HH24:MI') as start, to_char(quiet_end, 'HH24:MI') as end,
            hold_open_complaints as "holdOpenComplaints"
       from contact_policies where shop_id = $1`,
    [shopId],
  );
  if (!row) return DEFAULT_POLICY;
  return {
    maxMessages: row.maxMessages,
    perDays: row.perDays,
    quietHours: row.start && row.end ? { start: row.start, end: row.end } : null,
    holdOpenComplaints: row.holdOpenComplaints,
  };
}

export async function setContactPolicy(
  db: Queryable,
  shopId: string,
  input: z.input<typeof ContactPolicy>,
): Promise<ContactPolicy> {
  const p = ContactPolicy.parse(input);
  await db.query(
    `insert into contact_policies (shop_id, max_messages, per_days, quiet_start, quiet_end, hold_open_complaints)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (shop_id) do update set max_messages = excluded.max_messages, per_days = excluded.per_days,
       quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
       hold_open_complaints = excluded.hold_open_complaints`,
    [
      shopId,
      p.maxMessages,
      p.perDays,
      p.quietHours?.start ?? null,
      p.quietHours?.end ?? null,
      p.holdOpenComplaints,
    ],
  );
  return p;
}

export async function customerCap(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<ContactCap | null> {
  const [row] = await db.query<ContactCap>(
    `select max_messages as "maxMessages", per_days as "perDays" from customer_contact_caps
      where shop_id = $1 and customer_id = $2`,
    [shopId, customerId],
  );
  return row ?? null;
}

/** Sets (or, with null, removes) the customer's own cap. */
export async function setCustomerCap(
  db: Queryable,
  shopId: string,
  customerId: string,
  cap: ContactCap | null,
): Promise<void> {
  if (!cap) {
    await db.query(`delete from customer_contact_caps where shop_id = $1 and customer_id = $2`, [
      shopId,
      customerId,
    ]);
    return;
  }
  const c = ContactCap.parse(cap);
  await db.query(
    `insert into customer_contact_caps (shop_id, customer_id, max_messages, per_days) values ($1, $2, $3, $4)
     on conflict (shop_id, customer_id) do update set max_messages = excluded.max_messages, per_days = excluded.per_days`,
    [shopId, customerId, c.maxMessages, c.perDays],
  );
}

/** Minutes since local midnight of an instant in a time zone. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(at)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return Number(parts['hour']) * 60 + Number(parts['minute']);
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * When marketing may go out again: null when `at` is outside the quiet hours, else the instant they end
 * (to the minute; a clock change inside the window moves it by at most that hour, which only delays).
 */
export function quietUntil(policy: ContactPolicy, at: Date, timeZone: string): Date | null {
  if (!policy.quietHours) return null;
  const now = localMinutes(at, timeZone);
  const start = minutesOf(policy.quietHours.start);
  const end = minutesOf(policy.quietHours.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const wait = (end - now + 24 * 60) % (24 * 60);
  const until = new Date(at.getTime() + wait * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}
