// A person as an input names them (API order, import row): the identities that recognise them and what
// is known of them. normalizePerson checks and normalizes both, for orders and customer imports alike.
import { z } from 'zod';
import type { ErrorDetail } from '../errors.js';
import {
  normalizeEmail,
  normalizeMemberCard,
  normalizePhone,
  normalizePlatformId,
  type Identity,
  type Normalized,
} from './identity.js';
import type { PersonInput } from './resolve.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const CustomerRef = z
  .object({
    phone: text(40).optional(),
    email: text(254).optional(),
    memberCard: text(64).optional(),
    platform: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/)
      .optional()
      .describe('platform the platformId belongs to, e.g. taobao, shopify'),
    platformId: text(200).optional(),
    name: text(200).optional(),
    gender: z.enum(['female', 'male', 'other']).optional(),
    birthday: z.iso.date().optional(),
    country: text(100).optional(),
    province: text(100).optional(),
    city: text(100).optional(),
    address: text(500).optional(),
    company: text(200).optional(),
    jobTitle: text(200).optional(),
  })
  .describe('Who bought: at least one of phone, email, memberCard or platform + platformId');
export type CustomerRef = z.output<typeof CustomerRef>;

export type NormalizedPerson = { ok: true; person: PersonInput } | { ok: false; errors: ErrorDetail[] };

/**
 * A masked phone or a malformed email is dropped when another identity still names the person (Taobao
 * masks phones, and the buyer nick is enough); with no usable identity at all, every reason is reported.
 * `strict` reports any unusable identity (a person typed in by hand, where a dropped phone is a typo
 * lost); `at` is where the person sits in the input, which names the fields.
 */
export function normalizePerson(
  c: CustomerRef,
  shop: { phoneRegion: string },
  { strict = false, at = 'customer' }: { strict?: boolean; at?: string } = {},
): NormalizedPerson {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const problems: ErrorDetail[] = [];
  const identities: Identity[] = [];
  const take = (field: string, kind: Identity['kind'], result: Normalized | undefined) => {
    if (!result) return undefined;
    if (!result.ok) {
      problems.push({ field, message: result.reason });
      return undefined;
    }
    identities.push({ kind, value: result.value });
    return result.value;
  };
  const phone = take(
    field('phone'),
    'phone',
    c.phone === undefined ? undefined : normalizePhone(c.phone, shop.phoneRegion),
  );
  const email = take(field('email'), 'email', c.email === undefined ? undefined : normalizeEmail(c.email));
  const memberCard = take(
    field('memberCard'),
    'member_card',
    c.memberCard === undefined ? undefined : normalizeMemberCard(c.memberCard),
  );
  if ((c.platform === undefined) !== (c.platformId === undefined)) {
    problems.push({ field: field('platformId'), message: 'platform and platformId go together' });
  } else if (c.platform !== undefined && c.platformId !== undefined) {
    take(field('platformId'), 'platform_id', normalizePlatformId(c.platform, c.platformId));
  }
  if (identities.length === 0) {
    return {
      ok: false,
      errors: [
        ...problems,
        {
          field: at || 'body',
          message: 'no usable identity: give a phone, email, member card or platform id',
        },
      ],
    };
  }
  if (strict && problems.length > 0) return { ok: false, errors: problems };
  return {
    ok: true,
    person: {
      identities,
      profile: {
        name: c.name,
        phone,
        email,
        memberCard,
        gender: c.gender,
        birthday: c.birthday,
        country: c.country,
        province: c.province,
        city: c.city,
        address: c.address,
        company: c.company,
        jobTitle: c.jobTitle,
      },
    },
  };
}
