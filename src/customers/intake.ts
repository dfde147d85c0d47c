// A person who arrives without an order: a member signing up at the counter, a mini-program's sign-up
// sent to the API. Recognised by their identities exactly as an order's buyer is (resolve.ts: an existing
// profile is found and completed, two found at once are merged), so sending the same person again adds
// nothing; their word on marketing is recorded as given, and rule tags judge them at once.
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { AppError } from '../errors.js';
import type { Shop } from '../shops/shops.js';
import { applyRuleTags } from '../tags/rules.js';
import { recordConsents } from './consent.js';
import { CustomerRef, normalizePerson } from './person.js';
import { resolvePeople } from './resolve.js';

const Word = z.enum(['opted_in', 'opted_out']);

export const NewPerson = CustomerRef.extend({
  consents: z
    .strictObject({ sms: Word.optional(), email: Word.optional() })
    .optional()
    .describe('what the person said about marketing by each channel, now'),
}).strict();
export type NewPerson = z.output<typeof NewPerson>;

export async function addPerson(
  db: Db,
  shop: Shop,
  input: NewPerson,
  origin: string,
): Promise<{ customerId: string; created: boolean }> {
  // Every identity typed must hold: a phone with a digit missing would otherwise be dropped unseen.
  const who = normalizePerson(input, shop, { strict: true, at: '' });
  if (!who.ok) throw AppError.invalid('The customer was not recorded', who.errors);
  return db.transaction(async (tx) => {
    const at = new Date();
    const r = await resolvePeople(tx, shop.shopId, [who.person], origin, at);
    const customerId = r.customerIds[0]!;
    await recordConsents(
      tx,
      shop.shopId,
      Object.entries(input.consents ?? {}).flatMap(([channel, status]) =>
        status ? [{ customerId, channel: channel as 'sms' | 'email', status, source: origin, at }] : [],
      ),
    );
    await applyRuleTags(tx, shop.shopId, [customerId], origin, at);
    return { customerId, created: r.createdIds.has(customerId) };
  });
}
