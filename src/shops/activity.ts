// The shop's activity: what staff and API keys did through the API, for the owner and admins to look back
// on — who signed in from where, who changed the member program, who erased a customer, who exported a
// segment of phone numbers. Written as each answer goes (http/app.ts) for every sign-in, every call that
// changes data and every export of personal data, including those refused (a 403 says someone tried).
// Reading calls are not kept: the console reads all day, and a record of each would drown the rest.
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
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
