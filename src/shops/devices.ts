// Trusted browsers ("device cookies", as OWASP calls them): a browser where a staff member signed in gets
// a long-lived HttpOnly cookie with a random secret. Ten wrong passwords lock an email's sign-in, and
// anyone who knows the email can set that off; a browser holding the cookie of one of the email's staff
// rows is not shut out by it. It counts its own wrong passwords instead, and ten of them forget it, so
// a stolen cookie buys a guesser no more than ten tries.
import { randomBytes } from 'node:crypto';
import { rowsChanged, type Queryable } from '../db/db.js';
import { sha256 } from './passwords.js';

/** How long a browser stays trusted after its last sign-in there. */
export const DEVICE_DAYS = 180;
/** The oldest last sign-in at which a browser is still trusted at `at`. */
const trustedSince = (at: Date) => new Date(at.getTime() - DEVICE_DAYS * 86_400_000).toISOString();
/** Wrong passwords in a row after which a browser is no longer trusted. */
const MAX_DEVICE_FAILURES = 10;

export interface StaffRef {
  shopId: string;
  staffId: string;
}

/** A staff row as `trustedRows` names it. */
export const deviceKey = (s: StaffRef) => `${s.shopId}/${s.staffId}`;

/** Which of these staff rows the browser's cookie (if any) is trusted for, as `shopId/staffId`. */
export async function trustedRows(
  db: Queryable,
  rows: StaffRef[],
  secret: string | undefined,
  at: Date,
): Promise<Set<string>> {
  if (!secret || rows.length === 0) return new Set();
  const trusted = await db.query<StaffRef>(
    `select shop_id as "shopId", staff_id as "staffId" from staff_devices
      where (shop_id, staff_id) in (select * from unnest($1::uuid[], $2::uuid[]))
        and device_hash = $3 and last_sign_in_at > $4::timestamptz`,
    [rows.map((r) => r.shopId), rows.map((r) => r.staffId), sha256(secret), trustedSince(at)],
  );
  return new Set(trusted.map(deviceKey));
}

/** A wrong password from a trusted browser: counted against it, and the tenth in a row forgets it. */
export async function deviceFailed(db: Queryable, rows: StaffRef[], secret: string): Promise<void> {
  const params = [rows.map((r) => r.shopId), rows.map((r) => r.staffId), sha256(secret)];
  const these = `(shop_id, staff_id) in (select * from unnest($1::uuid[], $2::uuid[])) and device_hash = $3`;
  await db.query(`delete from staff_devices where ${these} and failed_sign_ins + 1 >= $4`, [
    ...params,
    MAX_DEVICE_FAILURES,
  ]);
  await db.query(`update staff_devices set failed_sign_ins = failed_sign_ins + 1 where ${these}`, params);
}

/**
 * Trusts the browser for this staff row after a right password: the cookie it brought if that was
 * trusted for the row already (its count starts over), else a new secret. Returns the cookie's value.
 */
export async function trustDevice(
  db: Queryable,
  staff: StaffRef,
  secret: string | undefined,
  trusted: boolean,
  at: Date,
): Promise<string> {
  const value = trusted && secret ? secret : randomBytes(32).toString('base64url');
  await db.query('delete from staff_devices where shop_id = $1 and staff_id = $2 and last_sign_in_at <= $3', [
    staff.shopId,
    staff.staffId,
    trustedSince(at),
  ]);
  await db.query(
    `insert into staff_devices (shop_id, staff_id, device_hash, last_sign_in_at) values ($1, $2, $3, $4)
     on conflict (shop_id, staff_id, device_hash) do update set failed_sign_ins = 0, last_sign_in_at = $4`,
    [staff.shopId, staff.staffId, sha256(value), at.toISOString()],
  );
  return value;
}

/**
 * Forgets the shop's browsers no longer trusted at `at` (no sign-in for DEVICE_DAYS): a sign-in forgets
 * its own staff row's, this the rows of staff who stopped signing in.
 */
export async function pruneStaleDevices(db: Queryable, shopId: string, at: Date): Promise<number> {
  return rowsChanged(db, 'delete from staff_devices where shop_id = $1 and last_sign_in_at <= $2', [
    shopId,
    trustedSince(at),
  ]);
}

/** Forgets every browser of a staff row: a new password must be proved again everywhere. */
export async function forgetDevices(db: Queryable, staff: StaffRef): Promise<void> {
  await db.query('delete from staff_devices where shop_id = $1 and staff_id = $2', [
    staff.shopId,
    staff.staffId,
  ]);
}
