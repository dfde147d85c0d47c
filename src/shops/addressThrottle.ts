// Wrong passwords counted per client address: the lock per email (shops/staff.ts) does nothing against
// one address trying a common password on many emails. Kept in the database, so every server process of
// an installation counts the same wrong passwords and a restart forgets none.
import { isIPv4, isIPv6 } from 'node:net';
import type { Queryable } from '../db/db.js';

const WINDOW = "interval '15 minutes'";
/** Wrong passwords from one address within the window after which its sign-ins pause. */
const LIMIT = 50;

/**
 * The address as counted: IPv4 as it is (also when a dual-stack socket reports it as `::ffff:a.b.c.d`),
 * IPv6 by its /64 network, since one host commonly has a whole /64 to pick addresses from. None when
 * the connection had closed before its address was read: there is nothing to count it against.
 */
const counted = (address: string | undefined) => {
  const v4 = address?.replace(/^::ffff:/i, '');
  if (v4 && isIPv4(v4)) return { sql: '$1::inet', value: v4 };
  if (address && isIPv6(address)) return { sql: 'network(set_masklen($1::inet, 64))', value: address };
  return null;
};

/** Until when sign-ins from `address` are paused, or null. */
export async function addressPausedUntil(db: Queryable, address: string | undefined): Promise<Date | null> {
  const key = counted(address);
  if (!key) return null;
  const [row] = await db.query<{ until: Date }>(
    `select since + ${WINDOW} as until from sign_in_addresses
      where address = ${key.sql} and since > now() - ${WINDOW} and failures >= $2`,
    [key.value, LIMIT],
  );
  return row?.until ?? null;
}

/** Counts a wrong password from `address`, in one statement so that concurrent ones all count. */
export async function addressFailed(db: Queryable, address: string | undefined): Promise<void> {
  const key = counted(address);
  if (!key) return;
  await db.query(
    `with swept as (
       delete from sign_in_addresses where since <= now() - ${WINDOW} and address <> ${key.sql}
     )
     insert into sign_in_addresses as s (address, since, failures) values (${key.sql}, now(), 1)
     on conflict (address) do update
       set since = case when s.since > now() - ${WINDOW} then s.since else now() end,
           failures = case when s.since > now() - ${WINDOW} then s.failures + 1 else 1 end`,
    [key.value],
  );
}
