// The links a message carries (unsubscribe, open pixel, tracked click) and the signatures that make them
// unforgeable: a link names a shop and a message, and only this shop's key could have signed it, so no one
// can unsubscribe someone else or bounce visitors through the click redirect to a site of their choosing.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { isUuid } from '../db/ids.js';
import { AppError } from '../errors.js';
import { webAddress } from './channels.js';

export const LinkSettingsInput = z.strictObject({
  publicUrl: webAddress()
    .max(500)
    .nullable()
    .describe(
      "the address customers reach this server at; links in messages start with it (null: the server's, REGULARS_PUBLIC_URL)",
    ),
});
export type LinkSettingsInput = z.input<typeof LinkSettingsInput>;

export interface LinkSettings {
  publicUrl: string;
  /** Whether the address is the shop's own, not the server's. */
  own: boolean;
  signingKey: string;
}

/** The shop's settings row, made on first use: its own address (null: the server's) and its key. */
async function settingsRow(
  db: Queryable,
  shopId: string,
): Promise<{ publicUrl: string | null; signingKey: string }> {
  await db.query(
    `insert into engage_settings (shop_id, public_url, signing_key) values ($1, null, $2)
     on conflict (shop_id) do nothing`,
    [shopId, randomBytes(32).toString('base64url')],
  );
  const [s] = await db.query<{ publicUrl: string | null; signingKey: string }>(
    `select public_url as "publicUrl", signing_key as "signingKey" from engage_settings where shop_id = $1`,
    [shopId],
  );
  return s!;
}

/** The shop's key for signing links and webhook bodies. */
export async function signingKeyOf(db: Queryable, shopId: string): Promise<string> {
  return (await settingsRow(db, shopId)).signingKey;
}

/**
 * The shop's link settings: its own address if it set one, else the server's (`serverUrl`, the
 * configured REGULARS_PUBLIC_URL), read each time so a server moved to a new address takes its shops along.
 */
export async function linkSettings(db: Queryable, shopId: string, serverUrl: string): Promise<LinkSettings> {
  const row = await settingsRow(db, shopId);
  return { publicUrl: row.publicUrl ?? serverUrl, own: row.publicUrl !== null, signingKey: row.signingKey };
}

/** Sets the shop's own address, or with null goes back to the server's. */
export async function setPublicUrl(db: Queryable, shopId: string, input: LinkSettingsInput): Promise<void> {
  const { publicUrl } = LinkSettingsInput.parse(input);
  await settingsRow(db, shopId);
  await db.query(`update engage_settings set public_url = $2 where shop_id = $1`, [
    shopId,
    publicUrl?.replace(/\/+$/, '') ?? null,
  ]);
}

export type LinkPurpose = 'unsubscribe' | 'open' | 'click' | 'status' | 'push';

export interface LinkClaim {
  shopId: string;
  messageId: string;
  /** Where a click goes. */
  url?: string;
}

function signature(key: string, purpose: LinkPurpose, payload: string): string {
  return createHmac('sha256', key).update(`${purpose}.${payload}`).digest('base64url').slice(0, 22);
}

/** A token for a link: the claim in the clear (base64url) and its signature. */
export function signLink(key: string, purpose: LinkPurpose, claim: LinkClaim): string {
  const payload = Buffer.from(JSON.stringify([claim.shopId, claim.messageId, claim.url ?? null])).toString(
    'base64url',
  );
  return `${payload}.${signature(key, purpose, payload)}`;
}

/** The claim of a token, read without trusting it: which shop's key to check it with. */
function readClaim(token: string): { claim: LinkClaim; payload: string; sig: string } {
  const [payload, sig, extra] = token.split('.');
  const invalid = new AppError('invalid_link', 404, 'This link is not valid');
  if (!payload || !sig || extra !== undefined) throw invalid;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const [shopId, messageId, url] = Array.isArray(parsed) ? parsed : [];
  if (typeof shopId !== 'string' || !isUuid(shopId) || typeof messageId !== 'string' || !isUuid(messageId))
    throw invalid;
  if (url !== null && typeof url !== 'string') throw invalid;
  return { claim: { shopId, messageId, ...(url ? { url } : {}) }, payload, sig };
}

/** The claim of a link this server signed; anything else is answered as a link that does not exist. */
export async function verifyLink(db: Queryable, purpose: LinkPurpose, token: string): Promise<LinkClaim> {
  const { claim, payload, sig } = readClaim(token);
  await checkSignature(db, claim.shopId, purpose, payload, sig);
  return claim;
}

/** Whether the shop's key signed `payload` for `purpose` as `sig`; if not, the link does not exist. */
async function checkSignature(
  db: Queryable,
  shopId: string,
  purpose: LinkPurpose,
  payload: string,
  sig: string,
): Promise<void> {
  const [row] = await db.query<{ signingKey: string }>(
    `select signing_key as "signingKey" from engage_settings where shop_id = $1`,
    [shopId],
  );
  const expected = row && Buffer.from(signature(row.signingKey, purpose, payload));
  const given = Buffer.from(sig);
  if (!expected || expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new AppError('invalid_link', 404, 'This link is not valid');
}

/**
 * The token of a shop's address for what a provider pushes about all its texts at once (Aliyun's
 * delivery reports and replies, set up once in its console rather than per message): the shop's id, signed.
 */
function pushToken(settings: LinkSettings, shopId: string): string {
  return `${shopId}.${signature(settings.signingKey, 'push', shopId)}`;
}

/**
 * Where a provider is told (once, in its console) to push the shop's delivery reports and replies:
 * `/t/<provider>/<token>/reports` and `…/replies`.
 */
export function pushUrls(
  settings: LinkSettings,
  shopId: string,
  provider: 'aliyun' | 'tencent',
): { reports: string; replies: string } {
  const base = `${settings.publicUrl}/t/${provider}/${pushToken(settings, shopId)}`;
  return { reports: `${base}/reports`, replies: `${base}/replies` };
}

/** The shop a push token names, if this server signed it; anything else is a link that does not exist. */
export async function verifyPushToken(db: Queryable, token: string): Promise<string> {
  const [shopId, sig, extra] = token.split('.');
  if (!shopId || !sig || extra !== undefined || !isUuid(shopId))
    throw new AppError('invalid_link', 404, 'This link is not valid');
  await checkSignature(db, shopId, 'push', shopId, sig);
  return shopId;
}

export interface MessageLinks {
  unsubscribe: string;
  open: string;
  click: (url: string) => string;
  /** Where an SMS provider reports the message's fate (Twilio's StatusCallback). */
  status: string;
}

export function messageLinks(settings: LinkSettings, shopId: string, messageId: string): MessageLinks {
  const base = settings.publicUrl;
  const key = settings.signingKey;
  return {
    unsubscribe: `${base}/u/${signLink(key, 'unsubscribe', { shopId, messageId })}`,
    open: `${base}/t/o/${signLink(key, 'open', { shopId, messageId })}`,
    click: (url) => `${base}/t/c/${signLink(key, 'click', { shopId, messageId, url })}`,
    status: `${base}/t/s/${signLink(key, 'status', { shopId, messageId })}`,
  };
}
