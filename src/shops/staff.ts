// Staff accounts and their console sessions. A session token travels in an HttpOnly cookie as
// '<shop_id>.<secret>'; only the SHA-256 of the secret is stored, looked up under the shop's key.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { rowsChanged, type Db, type Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { deviceFailed, deviceKey, forgetDevices, trustDevice, trustedRows } from './devices.js';
import { hashPassword, sha256, verifyPassword } from './passwords.js';
import { ROLES, type Role } from './roles.js';

const SESSION_DAYS = 14;
/** Wrong passwords in a row that lock an email's sign-in, and for how long. */
const MAX_FAILED_SIGN_INS = 10;
const LOCK_MINUTES = 15;

export const StaffInput = z.object({
  email: z.string().trim().toLowerCase().email(),
  name: z.string().trim().min(1).max(200),
  password: z.string().min(8, 'at least 8 characters').max(200),
  role: z.enum(ROLES).default('owner'),
});
export type StaffInput = z.input<typeof StaffInput>;

export interface Staff {
  shopId: string;
  staffId: string;
  email: string;
  name: string;
  role: Role;
}

const columns = `shop_id as "shopId", staff_id as "staffId", email, name, role`;
const memberColumns = `${columns}, created_at as "createdAt",
  case when locked_until > now() then locked_until end as "lockedUntil"`;

export async function createStaff(db: Queryable, shopId: string, input: StaffInput): Promise<StaffMember> {
  const s = StaffInput.parse(input);
  const [row] = await db.query<StaffMember>(
    `insert into staff (shop_id, staff_id, email, name, password_hash, role) values ($1, $2, $3, $4, $5, $6)
     on conflict (shop_id, email) do nothing returning ${memberColumns}`,
    [shopId, uuidv7(), s.email, s.name, await hashPassword(s.password), s.role],
  );
  if (!row)
    throw new AppError('conflict', 409, `A staff member with email ${s.email} already exists in this shop`);
  return row;
}

export interface StaffMember extends Staff {
  createdAt: Date;
  /** Until when wrong passwords have locked their sign-in, while they do. */
  lockedUntil: Date | null;
}

export async function listStaff(db: Queryable, shopId: string): Promise<StaffMember[]> {
  return db.query<StaffMember>(`select ${memberColumns} from staff where shop_id = $1 order by created_at`, [
    shopId,
  ]);
}

export const StaffChange = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES).optional(),
  password: z.string().min(8, 'at least 8 characters').max(200).optional(),
});
export type StaffChange = z.infer<typeof StaffChange>;

/**
 * Changes a staff member's name, role or password. A new password ends their sessions, as a reset after
 * a lost laptop must. A shop always keeps an owner: the last one cannot be demoted.
 */
export async function updateStaff(
  db: Db,
  shopId: string,
  staffId: string,
  change: StaffChange,
): Promise<StaffMember> {
  if (!isUuid(staffId)) throw AppError.notFound('Staff member');
  const passwordHash = change.password ? await hashPassword(change.password) : null;
  return db.transaction(async (tx) => {
    await keepAnOwner(tx, shopId, staffId, change.role ?? null);
    const [row] = await tx.query<StaffMember>(
      `update staff set name = coalesce($3, name), role = coalesce($4, role),
              password_hash = coalesce($5, password_hash),
              -- A password set by the owner also lifts a lock: that is how a locked-out member gets back in.
              failed_sign_ins = case when $5::text is null then failed_sign_ins else 0 end,
              locked_until = case when $5::text is null then locked_until end
        where shop_id = $1 and staff_id = $2 returning ${memberColumns}`,
      [shopId, staffId, change.name ?? null, change.role ?? null, passwordHash],
    );
    if (passwordHash) {
      await tx.query('delete from staff_sessions where shop_id = $1 and staff_id = $2', [shopId, staffId]);
      await forgetDevices(tx, { shopId, staffId });
    }
    return row!;
  });
}

export const PasswordChange = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(8, 'at least 8 characters').max(200),
});
export type PasswordChange = z.infer<typeof PasswordChange>;

/**
 * A staff member changes their own password, proving the current one. Their other sessions end (a
 * changed password is how one signs out a lost laptop); the one they are using stays.
 */
export async function changeOwnPassword(
  db: Queryable,
  staff: Staff,
  sessionToken: string,
  change: PasswordChange,
): Promise<void> {
  const [row] = await db.query<{ passwordHash: string }>(
    'select password_hash as "passwordHash" from staff where shop_id = $1 and staff_id = $2',
    [staff.shopId, staff.staffId],
  );
  if (!row || !(await verifyPassword(change.currentPassword, row.passwordHash)))
    throw AppError.invalid('The current password is wrong', [
      { field: 'body.currentPassword', message: 'does not match' },
    ]);
  await db.query('update staff set password_hash = $3 where shop_id = $1 and staff_id = $2', [
    staff.shopId,
    staff.staffId,
    await hashPassword(change.newPassword),
  ]);
  await forgetDevices(db, staff);
  // The session in use stays; without one (not a staff session), every session ends.
  const current = parseSessionToken(sessionToken)?.tokenHash ?? null;
  await db.query(
    `delete from staff_sessions
      where shop_id = $1 and staff_id = $2 and ($3::bytea is null or token_hash <> $3)`,
    [staff.shopId, staff.staffId, current],
  );
}

/** Deletes the shop's sessions that expired by `at` (a sign-in leaves one, and most are never signed out). */
export async function pruneExpiredSessions(db: Queryable, shopId: string, at: Date): Promise<number> {
  return rowsChanged(db, 'delete from staff_sessions where shop_id = $1 and expires_at <= $2', [
    shopId,
    at.toISOString(),
  ]);
}

/** Removes a staff member; their sessions end with the row. The last owner cannot be removed. */
export async function removeStaff(db: Db, shopId: string, staffId: string): Promise<void> {
  if (!isUuid(staffId)) throw AppError.notFound('Staff member');
  await db.transaction(async (tx) => {
    await keepAnOwner(tx, shopId, staffId, null, true);
    await tx.query('delete from staff where shop_id = $1 and staff_id = $2', [shopId, staffId]);
  });
}

/**
 * Refuses a change that would leave the shop without an owner. The shop's staff rows are locked first, so
 * two owners demoting each other at once cannot both succeed.
 */
async function keepAnOwner(
  tx: Queryable,
  shopId: string,
  staffId: string,
  newRole: Role | null,
  removing = false,
): Promise<void> {
  const staff = await tx.query<{ staffId: string; role: Role }>(
    'select staff_id as "staffId", role from staff where shop_id = $1 order by staff_id for update',
    [shopId],
  );
  const target = staff.find((s) => s.staffId === staffId);
  if (!target) throw AppError.notFound('Staff member');
  const leaving = target.role === 'owner' && (removing || (newRole !== null && newRole !== 'owner'));
  if (leaving && staff.filter((s) => s.role === 'owner').length === 1)
    throw new AppError('conflict', 409, 'A shop keeps at least one owner: make someone else owner first');
}

/** Where a sign-in comes from: the shop picked, the browser's device cookie, its address's standing. */
export interface SignInFrom {
  shopId?: string;
  device?: string;
  addressPausedUntil?: Date | null;
}

/** Checked when no staff member has the email, so that an unknown email answers as slowly as a known one. */
let unknownEmailHash: Promise<string> | null = null;

/** A shop a sign-in could open, for its staff member to choose. */
export interface ShopChoice {
  shopId: string;
  name: string;
  role: Role;
}

/**
 * Checks the password against every shop where this email is staff; `shopId` picks one. When the password
 * opens several and none is picked, nothing is signed in: the answer lists those shops to choose from (an
 * agency's staff member serves many), and only those, so a shop that gave the email another password is
 * not named. Once one is picked, the sign-in opens the others too (a session in each under the same
 * token, not locked ones): `switchShop` moves between them without the password again. Ten wrong passwords in a row lock the email's sign-in for fifteen minutes (429, the right
 * password included), so a password cannot be guessed at the speed this answers; the owner setting a
 * new password lifts the lock. A browser trusted for a staff row (`device`, shops/devices.ts) is not
 * shut out by the lock and counts its own wrong passwords, nor by `addressPausedUntil` (the wrong passwords
 * from the client's address, shops/addressThrottle.ts). Answers the cookie that trusts this browser.
 */
export async function signIn(
  db: Queryable,
  email: string,
  password: string,
  { shopId, device, addressPausedUntil = null }: SignInFrom = {},
  at = new Date(),
): Promise<{ staff: Staff; token: string; expiresAt: Date; device: string } | { choose: ShopChoice[] }> {
  const rows = await db.query<StaffRow>(
    `select ${columns}, password_hash as "passwordHash", locked_until as "lockedUntil"
       from staff where email = $1 order by created_at`,
    [email.trim().toLowerCase()],
  );
  const candidates = rows.filter((c) => !shopId || c.shopId === shopId);
  const trusted = await trustedRows(db, candidates, device, at);
  const isTrusted = (c: Staff) => trusted.has(deviceKey(c));
  if (addressPausedUntil && trusted.size === 0)
    throw new AppError(
      'throttled',
      429,
      `Too many wrong passwords from this address: sign-in from it is paused until ${addressPausedUntil.toISOString()}; a browser that signed in here before still can`,
    );
  const locked = candidates.filter((c) => c.lockedUntil && c.lockedUntil > at && !isTrusted(c));
  if (candidates.length > 0 && locked.length === candidates.length) {
    const until = new Date(Math.min(...locked.map((c) => c.lockedUntil!.getTime())));
    throw new AppError(
      'locked',
      429,
      `Too many wrong passwords: sign-in for this email is locked until ${until.toISOString()}, or until the owner sets a new password; a browser that signed in as this email before still can`,
    );
  }
  if (candidates.length === 0) await verifyPassword(password, await (unknownEmailHash ??= hashPassword('-')));
  const open = candidates.filter((c) => !locked.includes(c));
  const opened = await openedBy(password, open);
  if (opened.length > 1) {
    const names = await db.query<{ shopId: string; name: string }>(
      'select shop_id as "shopId", name from shops where shop_id = any($1::uuid[])',
      [opened.map((c) => c.shopId)],
    );
    return {
      choose: opened.map((c) => ({
        shopId: c.shopId,
        name: names.find((n) => n.shopId === c.shopId)?.name ?? '',
        role: c.role,
      })),
    };
  }
  const staff = opened[0];
  if (!staff) {
    // Counted against each row the email could have opened (the tenth in a row locks it), or against
    // the browser where it is trusted.
    const untrusted = open.filter((c) => !isTrusted(c));
    if (untrusted.length > 0)
      await db.query(
        `update staff set failed_sign_ins = case when failed_sign_ins + 1 >= $3 then 0 else failed_sign_ins + 1 end,
                locked_until = case when failed_sign_ins + 1 >= $3 then $4::timestamptz else locked_until end
          where (shop_id, staff_id) in (select * from unnest($1::uuid[], $2::uuid[]))`,
        [
          untrusted.map((c) => c.shopId),
          untrusted.map((c) => c.staffId),
          MAX_FAILED_SIGN_INS,
          new Date(at.getTime() + LOCK_MINUTES * 60_000).toISOString(),
        ],
      );
    if (device && untrusted.length < open.length) await deviceFailed(db, open.filter(isTrusted), device);
    throw new AppError('unauthorized', 401, 'Wrong email or password');
  }
  // A right password from a trusted browser leaves the email's count and lock alone: they are about
  // the guesses from elsewhere, which may still be going on.
  if (!isTrusted(staff))
    await db.query(
      `update staff set failed_sign_ins = 0, locked_until = null
        where shop_id = $1 and staff_id = $2 and (failed_sign_ins > 0 or locked_until is not null)`,
      [staff.shopId, staff.staffId],
    );
  // The shop was picked: the same password opens the email's other shops (those not locked) as well.
  const alsoOpened = shopId
    ? await openedBy(
        password,
        rows.filter((r) => r.shopId !== shopId && !(r.lockedUntil && r.lockedUntil > at)),
      )
    : [];
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(at.getTime() + SESSION_DAYS * 86_400_000);
  const sessions = [staff, ...alsoOpened];
  await db.query(
    `insert into staff_sessions (shop_id, token_hash, staff_id, expires_at)
     select shop_id, $3::bytea, staff_id, $4::timestamptz from unnest($1::uuid[], $2::uuid[]) as s(shop_id, staff_id)`,
    [sessions.map((s) => s.shopId), sessions.map((s) => s.staffId), sha256(secret), expiresAt],
  );
  return {
    staff,
    token: `${staff.shopId}.${secret}`,
    expiresAt,
    device: await trustDevice(db, staff, device, isTrusted(staff), at),
  };
}

type StaffRow = Staff & { passwordHash: string; lockedUntil: Date | null };

/** The rows the password opens, checked at once: scrypt runs on libuv's four threads, so a few shops cost about one. */
async function openedBy(password: string, rows: StaffRow[]): Promise<Staff[]> {
  const checked = await Promise.all(
    rows.map(async (r) => ((await verifyPassword(password, r.passwordHash)) ? r : null)),
  );
  return checked.flatMap((r): Staff[] => {
    if (!r) return [];
    const { passwordHash: _, lockedUntil: __, ...found } = r;
    return [found];
  });
}

/** A session token's shop, its secret and the hash that is stored; null when it is not one. */
function parseSessionToken(token: string): { shopId: string; secret: string; tokenHash: Buffer } | null {
  const [shopId, secret] = token.split('.');
  if (!shopId || !secret || !isUuid(shopId)) return null;
  return { shopId, secret, tokenHash: sha256(secret) };
}

/** The shops a session's sign-in opened (its own among them), by name. */
export async function sessionShops(db: Queryable, token: string): Promise<ShopChoice[]> {
  const session = parseSessionToken(token);
  if (!session) return [];
  return db.query<ShopChoice>(
    `select ss.shop_id as "shopId", sh.name, s.role
       from staff_sessions ss join staff s using (shop_id, staff_id) join shops sh using (shop_id)
      where ss.token_hash = $1 and ss.expires_at > now()
      order by sh.name, ss.shop_id`,
    [session.tokenHash],
  );
}

/**
 * Moves a session to another shop its sign-in opened: answers the token for that shop. A shop whose
 * session is gone since (its owner set the staff member a new password, or removed them) or that the
 * sign-in never opened answers 404: it takes signing in with its own password.
 */
export async function switchShop(
  db: Queryable,
  token: string,
  shopId: string,
): Promise<{ staff: Staff; token: string; expiresAt: Date }> {
  const session = parseSessionToken(token);
  const row = session && isUuid(shopId) ? await sessionIn(db, shopId, session.tokenHash) : null;
  if (!row)
    throw new AppError(
      'not_found',
      404,
      'This sign-in does not open that shop: sign in to it with its password',
    );
  const { expiresAt, ...staff } = row;
  return { staff, token: `${shopId}.${session!.secret}`, expiresAt };
}

export async function staffForSession(db: Queryable, token: string): Promise<Staff | null> {
  const session = parseSessionToken(token);
  const row = session && (await sessionIn(db, session.shopId, session.tokenHash));
  if (!row) return null;
  const { expiresAt: _, ...staff } = row;
  return staff;
}

/** The staff member of a sign-in's unexpired session in a shop, and when it expires. */
async function sessionIn(
  db: Queryable,
  shopId: string,
  tokenHash: Buffer,
): Promise<(Staff & { expiresAt: Date }) | null> {
  const [row] = await db.query<Staff & { expiresAt: Date }>(
    `select ${columns}, ss.expires_at as "expiresAt"
       from staff_sessions ss join staff s using (shop_id, staff_id)
      where ss.shop_id = $1 and ss.token_hash = $2 and ss.expires_at > now()`,
    [shopId, tokenHash],
  );
  return row ?? null;
}

/** Ends the session, and with it the sign-in's sessions in the other shops it opened. */
export async function signOut(db: Queryable, token: string): Promise<void> {
  const session = parseSessionToken(token);
  if (!session) return;
  await db.query('delete from staff_sessions where token_hash = $1', [session.tokenHash]);
}
