// What every command needs: the database opened from the environment, the shop it acts for, the customer
// it names, checked numbers, and rates printed alike.
import { InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.js';
import type { Db } from '../db/db.js';
import { openDatabase } from '../db/open.js';
import { AppError } from '../errors.js';
import { getCustomer } from '../customers/customers.js';
import { customerByIdentity } from '../customers/identities.js';
import { normalizeMemberCard, normalizePhone } from '../customers/identity.js';
import { listShops, type Shop } from '../shops/shops.js';

/**
 * Runs a command on the database. PGlite takes its whole page cache as it starts, about 2.5 s for the
 * default 512 MB here: a `light` command, which reads or writes a few rows, starts with PGlite's own
 * 128 MB instead, unless REGULARS_PGLITE_BUFFERS names a size.
 */
export async function withDb<T>(
  fn: (db: Db, config: Config) => Promise<T>,
  options: { light?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const light = options.light && process.env.REGULARS_PGLITE_BUFFERS === undefined;
  const db = await openDatabase(
    light ? { ...config, pgliteBuffersMb: Math.min(config.pgliteBuffersMb, 128) } : config,
  );
  try {
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** The shop a command acts for: the one given, or the only one there is. */
export async function pickShop(db: Db, shopId?: string): Promise<string> {
  const shops = await listShops(db);
  if (shopId) {
    if (!shops.some((s) => s.shopId === shopId)) throw new AppError('not_found', 404, `No shop ${shopId}`);
    return shopId;
  }
  if (shops.length === 1) return shops[0]!.shopId;
  if (shops.length === 0)
    throw new AppError(
      'not_found',
      404,
      'No shop yet: run `regulars demo` or `regulars shop create --name …`',
    );
  throw AppError.invalid(
    `Several shops exist; choose one with --shop (${shops.map((s) => `${s.shopId} ${s.name}`).join('; ')})`,
  );
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1');
  return n;
}

/**
 * A fraction as a percentage with one decimal, or '–' when it is not known; a share too small for one
 * decimal keeps one significant digit (0.02%, not 0.0%).
 */
export function percent(x: number | null): string {
  if (x === null) return '–';
  const p = 100 * x;
  return `${p !== 0 && Math.abs(p) < 0.05 ? p.toPrecision(1) : p.toFixed(1)}%`;
}

/** A customer named by id, phone or member card. */
export async function findCustomer(db: Db, shop: Shop, who: string): Promise<string> {
  const phone = normalizePhone(who, shop.phoneRegion);
  const card = normalizeMemberCard(who);
  const id =
    (/^[0-9a-f-]{36}$/i.test(who) ? (await getCustomer(db, shop.shopId, who)).customerId : null) ??
    (phone.ok ? await customerByIdentity(db, shop.shopId, 'phone', phone.value) : null) ??
    (card.ok ? await customerByIdentity(db, shop.shopId, 'member_card', card.value) : null);
  if (!id) throw AppError.notFound(`Customer ${who}`);
  return id;
}
