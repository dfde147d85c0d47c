// Per-shop API keys for integrations. The key is shown once; only the SHA-256 of its secret is stored
// (the secret is 256 random bits, so a slow hash adds nothing). The shop id travels in the key itself so
// the lookup always leads with shop_id.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { sha256 } from './passwords.js';

export interface ApiKey {
  keyId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const PREFIX = 'rk_';

export async function createApiKey(
  db: Queryable,
  shopId: string,
  name: string,
): Promise<ApiKey & { key: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100)
    throw AppError.invalid('Key name must be 1 to 100 characters', [
      { field: 'name', message: 'required, at most 100 characters' },
    ]);
  const secret = randomBytes(32).toString('base64url');
  const [row] = await db.query<ApiKey>(
    `insert into api_keys (shop_id, key_id, name, key_hash) values ($1, $2, $3, $4)
     returning key_id as "keyId", name, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`,
    [shopId, uuidv7(), trimmed, sha256(secret)],
  );
  return { ...row!, key: `${PREFIX}${shopId.replaceAll('-', '')}_${secret}` };
}

export async function listApiKeys(db: Queryable, shopId: string): Promise<ApiKey[]> {
  return db.query<ApiKey>(
    `select key_id as "keyId", name, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"
       from api_keys where shop_id = $1 order by created_at`,
    [shopId],
  );
}

export async function revokeApiKey(db: Queryable, shopId: string, keyId: string): Promise<void> {
  if (!isUuid(keyId)) throw AppError.notFound('API key');
  const rows = await db.query(
    'update api_keys set revoked_at = coalesce(revoked_at, now()) where shop_id = $1 and key_id = $2 returning key_id',
    [shopId, keyId],
  );
  if (rows.length === 0) throw AppError.notFound('API key');
}

/** The shop a presented key belongs to, or null when the key is unknown, malformed or revoked. */
/** The shop a key acts for, and the key by id and name (for the activity record); null for an unknown or revoked key. */
export async function shopForApiKey(
  db: Queryable,
  key: string,
): Promise<{ shopId: string; keyId: string; name: string } | null> {
  const m = /^rk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (!m) return null;
  const hex = m[1]!;
  const shopId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const [row] = await db.query<{ keyId: string; name: string; stale: boolean }>(
    `select key_id as "keyId", name, coalesce(last_used_at < now() - interval '1 minute', true) as stale
       from api_keys where shop_id = $1 and key_hash = $2 and revoked_at is null`,
    [shopId, sha256(m[2]!)],
  );
  if (!row) return null;
  // Webhooks can call many times a second; the last-used time only needs minute precision.
  if (row.stale) {
    await db.query('update api_keys set last_used_at = now() where shop_id = $1 and key_id = $2', [
      shopId,
      row.keyId,
    ]);
  }
  return { shopId, keyId: row.keyId, name: row.name };
}
