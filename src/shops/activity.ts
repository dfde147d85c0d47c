// The shop's activity: what staff and API keys did through the API, for the owner and admins to look back
// on — who signed in from where, who changed the member program, who erased a customer, who exported a
// segment of phone numbers. Written as each answer goes (http/app.ts) for every sign-in, every call that
// changes data and every export of personal data, including those refused (a 403 says someone tried).
// Reading calls are not kept: the console reads all day, and a record of each would drown the rest.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { rowsChanged, type Db, type Queryable } from '../db/db.js';
import { firstUuidv7At, uuidv7 } from '../db/ids.js';
import type { Staff } from './staff.js';

export interface ActivityInput {
  shopId: string;
  staff: Staff | null;
  apiKey: { keyId: string; name: string } | null;
  address: string;
  method: string;
  /** The route as declared, with its parameters named: `/api/customers/:customerId/erase`. */
  route: string;
  /** The route's parameters and query: which customer, which segment, which format. */
  params: Record<string, unknown>;
  status: number;
}

export async function recordActivity(db: Db, input: ActivityInput, at = new Date()): Promise<void> {
  await db.query(
    `insert into activity (shop_id, entry_id, at, staff_id, api_key_id, actor, address, method, route, params, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      input.shopId,
      uuidv7(at.getTime()),
      at.toISOString(),
      input.staff?.staffId ?? null,
      input.apiKey?.keyId ?? null,
      input.staff ? `${input.staff.name} <${input.staff.email}>` : `API key "${input.apiKey!.name}"`,
      input.address,
      input.method,
      input.route,
      JSON.stringify(input.params),
      input.status,
    ],
  );
}

/** Deletes the entries from before `before`; answers how many. Entry ids order by time: the key finds them. */
export async function pruneActivity(db: Queryable, shopId: string, before: Date): Promise<number> {
  return rowsChanged(db, 'delete from activity where shop_id = $1 and entry_id < $2', [
    shopId,
    firstUuidv7At(before.getTime()),
  ]);
}

export const ActivityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.uuid().optional().describe('an entryId: the page of entries older than it'),
  staffId: z.uuid().optional().describe("only this staff member's"),
});
export type ActivityQuery = z.infer<typeof ActivityQuery>;

export interface ActivityEntry {
  entryId: string;
  at: Date;
  staffId: string | null;
  apiKeyId: string | null;
  actor: string;
  address: string;
  method: string;
  route: string;
  params: Record<string, unknown>;
  status: number;
}

/** Newest first, a page at a time (by entry id, which orders by time). */
export async function listActivity(
  db: Queryable,
  shopId: string,
  q: ActivityQuery,
): Promise<ActivityEntry[]> {
  return db.query<ActivityEntry>(
    `select entry_id as "entryId", at, staff_id as "staffId", api_key_id as "apiKeyId", actor, address, method,
            route, params, status
       from activity
      where shop_id = $1 and ($2::uuid is null or entry_id < $2) and ($3::uuid is null or staff_id = $3)
      order by entry_id desc limit $4`,
    [shopId, q.before ?? null, q.staffId ?? null, q.limit],
  );
}

export const ActivityExportQuery = z
  .object({
    from: z.iso.date().optional().describe("the first day (the shop's calendar) to include"),
    to: z.iso.date().optional().describe("the last day (the shop's calendar) to include"),
    staffId: z.uuid().optional().describe("only this staff member's"),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from is after to', path: ['from'] });
export type ActivityExportQuery = z.infer<typeof ActivityExportQuery>;

/**
 * The activity as CSV for an auditor (UTF-8 with a BOM), newest first, a page of rows at a time so a long record never sits in
 * memory whole: the time in the shop's time zone (named in the header), who, from where, what and how it
 * ended, the parameters as JSON.
 */
export async function* activityCsv(
  db: Queryable,
  shopId: string,
  q: ActivityExportQuery,
): AsyncGenerator<string> {
  const [shop] = await db.query<{ timeZone: string }>(
    'select time_zone as "timeZone" from shops where shop_id = $1',
    [shopId],
  );
  // A BOM first, so that Excel opens the names and parameters as UTF-8.
  yield '\uFEFF';
  yield stringify([[`at (${shop!.timeZone})`, 'actor', 'address', 'method', 'route', 'params', 'status']]);
  let before: string | null = null;
  for (;;) {
    const page: (Omit<ActivityEntry, 'at'> & { at: string })[] = await db.query(
      `select a.entry_id as "entryId", to_char(a.at at time zone s.time_zone, 'YYYY-MM-DD HH24:MI:SS') as at,
              a.actor, a.address, a.method, a.route, a.params, a.status
         from activity a join shops s on s.shop_id = a.shop_id
        where a.shop_id = $1 and ($2::uuid is null or a.entry_id < $2) and ($3::uuid is null or a.staff_id = $3)
          and ($4::date is null or a.at >= ($4::date)::timestamp at time zone s.time_zone)
          and ($5::date is null or a.at < ($5::date + 1)::timestamp at time zone s.time_zone)
        order by a.entry_id desc limit 5000`,
      [shopId, before, q.staffId ?? null, q.from ?? null, q.to ?? null],
    );
    if (page.length === 0) return;
    yield stringify(
      page.map((e) => [e.at, e.actor, e.address, e.method, e.route, JSON.stringify(e.params), e.status]),
    );
    before = page[page.length - 1]!.entryId;
  }
}
