// How a real person is recognised across sources. Every identity is normalized before it is compared,
// so '138 1234 5678', '+86 138-1234-5678' and '8613812345678' are one phone, and 'Ann@X.com' is 'ann@x.com'.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type IdentityKind = 'phone' | 'email' | 'member_card' | 'platform_id';

export interface Identity {
  kind: IdentityKind;
  value: string;
}

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

// Mainland mobile numbers are most of what a Chinese shop sees; they skip the full metadata parse.
const CN_MOBILE = /^(?:\+?86|0086)?(1[3-9]\d{9})$/;
const PHONE_NOISE = /[\s\-().\u00a0]/g;

export function normalizePhone(raw: string, region: string): Normalized {
  const compact = raw.replace(PHONE_NOISE, '');
  if (compact.includes('*')) return { ok: false, reason: 'phone number is masked' };
  const cn = CN_MOBILE.exec(compact);
  if (
    cn &&
    (region === 'CN' || compact.startsWith('+86') || compact.startsWith('0086') || compact.startsWith('86'))
  ) {
    return { ok: true, value: `+86${cn[1]}` };
  }
  const parsed = parsePhoneNumberFromString(
    compact.startsWith('00') ? `+${compact.slice(2)}` : compact,
    region as CountryCode,
  );
  if (!parsed || !parsed.isValid()) return { ok: false, reason: 'not a valid phone number' };
  return { ok: true, value: parsed.number };
}

const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]{2,}$/;

export function normalizeEmail(raw: string): Normalized {
  const value = raw.trim().toLowerCase();
  if (!EMAIL.test(value) || value.length > 254) return { ok: false, reason: 'not a valid email address' };
  return { ok: true, value };
}

export function normalizeMemberCard(raw: string): Normalized {
  const value = raw.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z0-9_-]{1,64}$/.test(value))
    return { ok: false, reason: 'member card numbers are letters, digits, - and _' };
  return { ok: true, value };
}

export function normalizePlatformId(platform: string, id: string): Normalized {
  const p = platform.trim().toLowerCase();
  const v = id.trim();
  if (!/^[a-z0-9_-]{1,32}$/.test(p))
    return { ok: false, reason: 'platform names are lowercase letters, digits, - and _' };
  if (!v || v.length > 200) return { ok: false, reason: 'platform id must be 1 to 200 characters' };
  return { ok: true, value: `${p}:${v}` };
}

/** Which identity wins when one input names several people: the most specific first. */
export const IDENTITY_STRENGTH: Record<IdentityKind, number> = {
  member_card: 0,
  platform_id: 1,
  phone: 2,
  email: 3,
};
