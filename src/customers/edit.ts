// Staff correct and complete a profile by hand: a name misspelt at the counter, the birthday a member gives
// for their birthday gift, a new phone or email to reach them at. What staff write stands: orders and
// imports only fill fields that are empty (profile.ts), so the next export does not undo it.
import { z } from 'zod';
import { dayOf } from '../analytics/period.js';
import type { Db } from '../db/db.js';
import { AppError } from '../errors.js';
import type { Shop } from '../shops/shops.js';
import { applyRuleTags } from '../tags/rules.js';
import { getCustomer } from './customers.js';
import { assertNotErased } from './erasure.js';
import { normalizeEmail, normalizePhone, type IdentityKind, type Normalized } from './identity.js';
import { customerByIdentity } from './identities.js';
import { PROFILE_COLUMNS, type Profile, type ProfileField } from './profile.js';
import { lockShopIngest } from './resolve.js';
import { recordEvents, type NewEvent } from './timeline.js';

const clearable = (max: number) => z.string().trim().min(1).max(max).nullable().optional();

export const ProfileEdit = z
  .strictObject({
    name: clearable(200),
    gender: z.enum(['female', 'male', 'other']).nullable().optional(),
    birthday: z.iso
      .date()
      .refine((d) => d >= '1900-01-01', 'not before 1900')
      .nullable()
      .optional()
      .describe("YYYY-MM-DD; the birthday trigger and the tiers' birthday gift read it"),
    country: clearable(100),
    province: clearable(100),
    city: clearable(100),
    address: clearable(500),
    company: clearable(200),
    jobTitle: clearable(200),
    phone: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .optional()
      .describe(
        'the number messages go to; a new one is added to the identities (the old one keeps finding this profile)',
      ),
    email: z
      .string()
      .trim()
      .min(1)
      .max(254)
      .optional()
      .describe('the address email goes to; a new one is added to the identities as a phone is'),
  })
  .refine((e) => Object.keys(e).length > 0, 'give at least one field to change')
  .describe('The fields to change; null clears one. Phone and email can be replaced, not cleared.');
export type ProfileEdit = z.infer<typeof ProfileEdit>;

type Edited = Exclude<ProfileField, 'memberCard'>;

/**
 * Applies `edit` to the profile (a merged id edits its survivor) and answers the profile's id. Under the
 * shop's ingest lock, as identity changes are everywhere: an order arriving meanwhile with the same new
 * phone cannot give it to a second profile. A phone or email that already finds another profile is
 * refused: those two are one person, and merging them is how that is said. Rule tags are judged again,
 * since a rule may read the fields changed (a province, a gender).
 */
export async function editProfile(
  db: Db,
  shop: Shop,
  customerId: string,
  edit: ProfileEdit,
  staffId: string | null,
  at = new Date(),
): Promise<string> {
  if (edit.birthday && edit.birthday > dayOf(at, shop.timeZone)) {
    throw AppError.invalid('Cannot change this profile', [{ field: 'birthday', message: 'in the future' }]);
  }
  const contacts = normalizedContacts(shop, edit);
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shop.shopId);
    const current = await getCustomer(tx, shop.shopId, customerId);
    assertNotErased(current);
    const id = current.customerId;
    const wanted: Profile = { ...edit, ...contacts };
    const changed = (Object.keys(wanted) as Edited[]).filter(
      (f) => (wanted[f] ?? null) !== (current[f] ?? null),
    );
    if (changed.length === 0) return id;

    const added: { kind: IdentityKind; value: string }[] = [];
    for (const [field, kind] of [
      ['phone', 'phone'],
      ['email', 'email'],
    ] as const) {
      const value = contacts[field];
      if (value === undefined || !changed.includes(field)) continue;
      const owner = await customerByIdentity(tx, shop.shopId, kind, value);
      if (owner === id) continue;
      if (owner) {
        throw new AppError(
          'identity_taken',
          409,
          `This ${field} already finds another customer: if they are one person, merge the two profiles`,
          [{ field, message: `identifies customer ${owner}` }],
        );
      }
      added.push({ kind, value });
    }
    if (added.length > 0) {
      await tx.query(
        `insert into customer_identities (shop_id, kind, value, customer_id, source)
         select $1, kind, value, $4, 'staff' from unnest($2::text[], $3::text[]) as a(kind, value)`,
        [shop.shopId, added.map((a) => a.kind), added.map((a) => a.value), id],
      );
    }
    const sets = changed.map((f, n) => `${PROFILE_COLUMNS[f]} = $${n + 3}`);
    await tx.query(
      `update customers set ${sets.join(', ')}, updated_at = $${changed.length + 3}
        where shop_id = $1 and customer_id = $2`,
      [shop.shopId, id, ...changed.map((f) => wanted[f] ?? null), at.toISOString()],
    );
    const events: NewEvent[] = [
      {
        customerId: id,
        type: 'profile.updated',
        occurredAt: at,
        source: 'staff',
        data: { ...Object.fromEntries(changed.map((f) => [f, wanted[f] ?? null])), staffId },
      },
    ];
    if (added.length > 0) {
      events.push({
        customerId: id,
        type: 'identity.added',
        occurredAt: at,
        source: 'staff',
        data: { identities: added, staffId },
      });
    }
    await recordEvents(tx, shop.shopId, events);
    await applyRuleTags(tx, shop.shopId, [id], 'staff', at);
    return id;
  });
}

/** The edit's phone and email, normalized as every identity is; a field that will not normalize is refused. */
function normalizedContacts(shop: Shop, edit: ProfileEdit): { phone?: string; email?: string } {
  const out: { phone?: string; email?: string } = {};
  const problems: { field: string; message: string }[] = [];
  const take = (field: 'phone' | 'email', result: Normalized | undefined) => {
    if (!result) return;
    if (result.ok) out[field] = result.value;
    else problems.push({ field, message: result.reason });
  };
  take('phone', edit.phone === undefined ? undefined : normalizePhone(edit.phone, shop.phoneRegion));
  take('email', edit.email === undefined ? undefined : normalizeEmail(edit.email));
  if (problems.length > 0) throw AppError.invalid('Cannot change this profile', problems);
  return out;
}
