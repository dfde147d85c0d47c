// Binding an offline member card to a member's phone. The member proves the phone is theirs with a
// one-time code (kept only as a hash, valid for ten minutes, five tries), texted through the shop's SMS
// channel or handed to the caller to deliver; binding then makes the card's profile and the phone's
// profile one, with one history and one balance. Unbinding detaches the card, which keeps the member's
// history and points; the card can then be bound again, to anyone.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { customerByIdentity, detachIdentity, identitiesOf } from '../customers/identities.js';
import { normalizeMemberCard, normalizePhone } from '../customers/identity.js';
import { lockShopIngest, resolvePeople } from '../customers/resolve.js';
import { recordEvents } from '../customers/timeline.js';
import { approvedOnlyProvider, CODE_TEXT_VARIABLES, getChannel } from '../engage/channels.js';
import { sendSms } from '../engage/senders.js';
import { smsLength } from '../engage/templates.js';
import { compileText, renderText } from '../engage/liquid.js';
import { AppError, type ErrorDetail } from '../errors.js';
import { hashPassword, verifyPassword } from '../shops/passwords.js';
import type { Shop } from '../shops/shops.js';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 5;
/** Codes sent to one phone per hour, so the binding endpoint cannot be used to flood someone with texts. */
const MAX_CODES_PER_HOUR = 5;

export const CODE_DELIVERIES = ['sms', 'caller'] as const;

export const BindingRequest = z.strictObject({
  memberCard: z.string().trim().min(1).max(64),
  phone: z.string().trim().min(3).max(32),
  delivery: z
    .enum(CODE_DELIVERIES)
    .default('sms')
    .describe(
      "'sms': Regulars texts the code through the shop's SMS channel and never shows it; 'caller': the answer carries the code, for the caller (a POS, a mini-program) to deliver",
    ),
});
export type BindingRequest = z.input<typeof BindingRequest>;

export interface BindingChallenge {
  bindingId: string;
  memberCard: string;
  phone: string;
  expiresAt: Date;
  delivery: (typeof CODE_DELIVERIES)[number];
  /** Only when the caller delivers it: answered once, here, and stored only as a hash. */
  code?: string;
}

/**
 * The text with the code: the shop's own where its SMS channel has one (`codeText`, for providers that
 * send only texts they approved), else in Chinese for a mainland number (with the 【shop】 signature
 * China's carriers require) and in English otherwise. The card's last digits say what the code is for,
 * so a member who did not ask can tell.
 */
function codeText(shopName: string, card: string, phone: string, code: string, own?: string): string {
  const minutes = CODE_TTL_MS / 60_000;
  const tail = card.slice(-4);
  if (own) {
    const parsed = compileText(own, CODE_TEXT_VARIABLES, ['code']);
    return renderText(parsed, { code, minutes, card: tail, shop: shopName });
  }
  return phone.startsWith('+86')
    ? `【${shopName}】验证码${code}，用于绑定尾号${tail}的会员卡，${minutes}分钟内有效。如非本人操作，请忽略本短信。`
    : `${shopName}: ${code} is your code to link member card ending ${tail} to this phone. It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`;
}

function normalized(
  shop: Shop,
  input: Pick<BindingRequest, 'memberCard' | 'phone'>,
): { card: string; phone: string } {
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

/**
 * Opens a binding and sends its code. Texting happens outside any transaction, after the binding is
 * written: if the provider refuses, the binding is removed (it neither counts against the phone's hourly
 * limit nor can be confirmed), and the caller hears why.
 */
export async function requestBinding(
  db: Db,
  shop: Shop,
  input: BindingRequest,
  at = new Date(),
): Promise<BindingChallenge> {
  const { card, phone } = normalized(shop, input);
  const delivery = input.delivery ?? 'sms';
  await checkBindable(db, shop.shopId, card, phone);
  const channel = delivery === 'sms' ? await getChannel(db, shop.shopId, 'sms') : null;
  const sms = channel?.channel === 'sms' ? channel.settings : null;
  if (delivery === 'sms' && !sms) {
    throw new AppError(
      'no_sms_channel',
      409,
      'This shop has no SMS channel to text the code: set one up under Channels, or deliver the code yourself',
      [{ field: 'delivery', message: "cannot be 'sms' without an SMS channel" }],
    );
  }
  const approvedOnly = sms && approvedOnlyProvider(sms);
  const codeTemplate = sms && 'codeTemplate' in sms ? sms.codeTemplate : undefined;
  if (approvedOnly && !codeTemplate) {
    throw new AppError(
      'no_code_template',
      409,
      `${approvedOnly} sends only templates it approved: name the verification-code template (codeTemplate) on the SMS channel, or deliver the code yourself`,
      [
        {
          field: 'delivery',
          message: `cannot be 'sms' until the ${approvedOnly} channel names its code template`,
        },
      ],
    );
  }
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
    `insert into member_card_bindings
       (shop_id, binding_id, member_card, phone, code_hash, delivery, status, expires_at, created_at)
     values ($1, $2, $3, $4, $5, $6, 'pending', $7, $8)`,
    [
      shop.shopId,
      bindingId,
      card,
      phone,
      await hashPassword(code),
      delivery,
      expiresAt.toISOString(),
      at.toISOString(),
    ],
  );
  const challenge = { bindingId, memberCard: card, phone, expiresAt, delivery };
  if (!sms) return { ...challenge, code };
  // A code the member asked for at the counter: consent, quiet hours and frequency caps, which govern
  // what the shop chooses to send, do not apply to it.
  const body = codeText(shop.name, card, phone, code, 'codeText' in sms ? sms.codeText : undefined);
  const sent = await sendSms(sms, {
    messageId: bindingId,
    to: phone,
    body,
    // Aliyun's code template names its variable ${code}; Tencent Cloud's numbers it {1}.
    providerTemplate: codeTemplate
      ? { code: codeTemplate, params: sms.provider === 'tencent' ? { '1': code } : { code } }
      : null,
  });
  if (!sent.ok) {
    await db.query('delete from member_card_bindings where shop_id = $1 and binding_id = $2', [
      shop.shopId,
      bindingId,
    ]);
    throw new AppError('sms_failed', 502, `The SMS provider did not take the code: ${sent.reason}`);
  }
  // What the text cost, as a message's is recorded (the provider's count of parts, else the text's).
  await db.query(
    'update member_card_bindings set parts = $3, unit_cost_cents = $4 where shop_id = $1 and binding_id = $2',
    [shop.shopId, bindingId, sent.parts ?? smsLength(body).parts, channel!.costPerMessageCents],
  );
  return challenge;
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
      delivery: string;
    }>(
      `select member_card as card, phone, code_hash as "codeHash", attempts, status, expires_at as "expiresAt",
              delivery
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
        data: { memberCard: b.card, phone: b.phone, bindingId, codeDelivery: b.delivery },
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

export interface Binding {
  bindingId: string;
  memberCard: string;
  phone: string;
  delivery: (typeof CODE_DELIVERIES)[number];
  /** A pending binding past its ten minutes reads as expired. */
  status: 'pending' | 'confirmed' | 'failed' | 'expired';
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
  confirmedAt: Date | null;
  customerId: string | null;
}

/**
 * The shop's bindings, newest first (one card's, when given): who asked to bind what, how the code went,
 * and how it ended — what a store manager reads when a member says their card was bound by someone else.
 */
export async function listBindings(
  db: Queryable,
  shopId: string,
  options: { memberCard?: string; limit: number },
  at = new Date(),
): Promise<Binding[]> {
  let card: string | null = null;
  if (options.memberCard !== undefined) {
    const c = normalizeMemberCard(options.memberCard);
    if (!c.ok) throw AppError.invalid('Not a member card number', [{ field: 'card', message: c.reason }]);
    card = c.value;
  }
  return db.query<Binding>(
    `select binding_id as "bindingId", member_card as "memberCard", phone, delivery,
            case when status = 'pending' and expires_at <= $4 then 'expired' else status end as status,
            attempts, created_at as "createdAt", expires_at as "expiresAt", confirmed_at as "confirmedAt",
            customer_id as "customerId"
       from member_card_bindings
      where shop_id = $1 and ($2::text is null or member_card = $2)
      order by binding_id desc limit $3`,
    [shopId, card, options.limit, at.toISOString()],
  );
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
