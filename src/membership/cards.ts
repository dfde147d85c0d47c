// Binding an offline member card to a member's phone. The member proves the phone is theirs with a
// one-time code (kept only as a hash, valid for ten minutes, five tries); binding then makes the card's
// profile and the phone's profile one, with one history and one balance. Unbinding detaches the card,
// which keeps the member's history and points; the card can then be bound again, to anyone.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { customerByIdentity, detachIdentity, identitiesOf } from '../customers/identities.js';
import { normalizeMemberCard, normalizePhone } from '../customers/identity.js';
import { lockShopIngest, resolvePeople } from '../customers/resolve.js';
import { recordEvents } from '../customers/timeline.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { hashPassword, verifyPassword } from '../shops/passwords.js';
import type { Shop } from '../shops/shops.js';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
/** Codes sent to one phone per hour, so the binding endpoint cannot be used to flood someone with texts. */
const MAX_CODES_PER_HOUR = 5;

export const BindingRequest = z.strictObject({
  memberCard: z.string().trim().min(1).max(64),
  phone: z.string().trim().min(3).max(32),
});
export type BindingRequest = z.infer<typeof BindingRequest>;

export interface BindingChallenge {
  bindingId: string;
  memberCard: string;
  phone: string;
  expiresAt: Date;
  /** The code to send to the phone. It is answered once, here, and stored only as a hash. */
  code: string;
}

function normalized(shop: Shop, input: BindingRequest): { card: string; phone: string } {
  const card = normalizeMemberCard(input.memberCard);
  const phone = normalizePhone(input.phone, shop.phoneRegion);
  const details: ErrorDetail[] = [];
  if (!card.ok) details.push({ field: 'memberCard', message: card.reason });
  if (!phone.ok) details.push({ field: 'phone', message: phone.reason });
  if (!card.ok || !phone.ok) throw AppError.invalid('Cannot bind this card', details);
  return { card: card.value, phone: phone.value };
}

/** A card can join a phone's profile unless it, or the profile, already belongs to another pairing. */
async function checkBindable(tx: Queryable, shopId: string, card: string, phone: string): Promise<void> {
  const cardOwner = await customerByIdentity(tx, shopId, 'member_card', card);
  const phoneOwner = await customerByIdentity(tx, shopId, 'phone', phone);
  if (cardOwner && cardOwner === phoneOwner) {
    throw new AppError('already_bound', 409, 'This card is already bound to this phone');
  }
  if (cardOwner && (await identitiesOf(tx, shopId, cardOwner, 'phone')).length > 0) {
    throw new AppError('card_taken', 409, "This card belongs to another member's phone: unbind it first");
  }
  if (phoneOwner && (await identitiesOf(tx, shopId, phoneOwner, 'member_card')).length > 0) {
    throw new AppError('phone_has_card', 409, 'This phone already has a member card: unbind it first');
  }
}

export async function requestBinding(
  db: Db,
  shop: Shop,
  input: BindingRequest,
  at = new Date(),
): Promise<BindingChallenge> {
  const { card, phone } = normalized(shop, input);
  await checkBindable(db, shop.shopId, card, phone);
  const [recent] = await db.query<{ n: number }>(
    `select count(*)::int as n from member_card_bindings
      where shop_id = $1 and phone = $2 and created_at > $3`,
    [shop.shopId, phone, new Date(at.getTime() - 3_600_000).toISOString()],
  );
  if (recent!.n >= MAX_CODES_PER_HOUR) {
    throw new AppError('too_many_codes', 429, 'Too many codes sent to this phone in the last hour');
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const bindingId = uuidv7(at.getTime());
  const expiresAt = new Date(at.getTime() + CODE_TTL_MS);
  await db.query(
    `insert into member_card_bindings (shop_id, binding_id, member_card, phone, code_hash, status, expires_at, created_at)
     values ($1, $2, $3, $4, $5, 'pending', $6, $7)`,
    [
      shop.shopId,
      bindingId,
      card,
      phone,
      await hashPassword(code),
      expiresAt.toISOString(),
      at.toISOString(),
    ],
  );
  return { bindingId, memberCard: card, phone, expiresAt, code };
}

export interface BindingResult {
  customerId: string;
  memberCard: string;
  phone: string;
  /** True when the card and the phone had profiles of their own, now one. */
  merged: boolean;
}

/** Checks the code and binds. A wrong code counts against the tries even though the request fails. */
export async function confirmBinding(
  db: Db,
  shop: Shop,
  bindingId: string,
  code: string,
  at = new Date(),
): Promise<BindingResult> {
  if (!isUuid(bindingId)) throw AppError.notFound('Binding');
  const outcome = await db.transaction(async (tx) => {
    const [b] = await tx.query<{
      card: string;
      phone: string;
      codeHash: string;
      attempts: number;
      status: string;
      expiresAt: Date;
    }>(
      `select member_card as card, phone, code_hash as "codeHash", attempts, status, expires_at as "expiresAt"
         from member_card_bindings where shop_id = $1 and binding_id = $2 for update`,
      [shop.shopId, bindingId],
    );
    if (!b) throw AppError.notFound('Binding');
    if (b.status !== 'pending')
      throw new AppError('binding_closed', 409, `This binding is already ${b.status}`);
    if (b.expiresAt <= at) throw new AppError('code_expired', 410, 'The code has expired: request a new one');
    if (!/^\d{6}$/.test(code) || !(await verifyPassword(code, b.codeHash))) {
      await tx.query(
        `update member_card_bindings set attempts = attempts + 1,
                status = case when attempts + 1 >= $3 then 'failed' else status end
          where shop_id = $1 and binding_id = $2`,
        [shop.shopId, bindingId, MAX_ATTEMPTS],
      );
      return { wrong: MAX_ATTEMPTS - b.attempts - 1, result: undefined };
    }
    await lockShopIngest(tx, shop.shopId);
    await checkBindable(tx, shop.shopId, b.card, b.phone);
    const before = new Set(
      [
        await customerByIdentity(tx, shop.shopId, 'member_card', b.card),
        await customerByIdentity(tx, shop.shopId, 'phone', b.phone),
      ].filter((x): x is string => x !== null),
    );
    const people = await resolvePeople(
      tx,
      shop.shopId,
      [
        {
          identities: [
            { kind: 'phone', value: b.phone },
            { kind: 'member_card', value: b.card },
          ],
          profile: { phone: b.phone, memberCard: b.card },
        },
      ],
      'card-binding',
      at,
    );
    const customerId = people.customerIds[0]!;
    await tx.query(
      `update member_card_bindings set status = 'confirmed', confirmed_at = $3, customer_id = $4
        where shop_id = $1 and binding_id = $2`,
      [shop.shopId, bindingId, at.toISOString(), customerId],
    );
    await tx.query(
      'update customers set member_card = $3 where shop_id = $1 and customer_id = $2 and member_card is null',
      [shop.shopId, customerId, b.card],
    );
    await recordEvents(tx, shop.shopId, [
      {
        customerId,
        type: 'card.bound',
        occurredAt: at,
        source: 'card-binding',
        data: { memberCard: b.card, phone: b.phone, bindingId },
      },
    ]);
    return {
      wrong: undefined,
      result: { customerId, memberCard: b.card, phone: b.phone, merged: before.size > 1 },
    };
  });
  if (outcome.wrong !== undefined) {
    throw new AppError(
      'wrong_code',
      400,
      outcome.wrong > 0
        ? `Wrong code: ${outcome.wrong} tries left`
        : 'Wrong code: no tries left, request a new one',
      [{ field: 'code', message: 'does not match' }],
    );
  }
  return outcome.result!;
}

export async function unbindCard(
  db: Db,
  shop: Shop,
  memberCard: string,
  reason: string,
  staffId: string | null,
  at = new Date(),
): Promise<{ customerId: string; memberCard: string }> {
  const card = normalizeMemberCard(memberCard);
  if (!card.ok)
    throw AppError.invalid('Not a member card number', [{ field: 'memberCard', message: card.reason }]);
  if (!reason.trim())
    throw AppError.invalid('A reason is required', [{ field: 'reason', message: 'required' }]);
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shop.shopId);
    const customerId = await detachIdentity(tx, shop.shopId, 'member_card', card.value, {
      type: 'card.unbound',
      source: 'staff',
      at,
      data: { memberCard: card.value, reason: reason.trim(), staffId },
    });
    if (!customerId) throw AppError.notFound('Member card');
    return { customerId, memberCard: card.value };
  });
}
