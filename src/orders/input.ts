// One order as it arrives — from the API, a webhook or a row group of an import file — and the rules
// that turn it into a NormalizedOrder the ingester can trust. The API validates the JSON shape with zod
// first; the import builds the same typed object from text cells. Both then pass through normalizeOrder,
// so a rule (refund never above total, offline orders name their store) is written once.
import { z } from 'zod';
import { CustomerRef, normalizePerson } from '../customers/person.js';
import type { PersonInput } from '../customers/resolve.js';
import type { ErrorDetail } from '../errors.js';
import type { Shop } from '../shops/shops.js';
import { ORDER_STATUSES, type OrderStatus } from './status.js';

const Minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = (max: number) => z.string().trim().min(1).max(max);

export const OrderItemInput = z.object({
  productId: text(128).optional(),
  sku: text(128).optional(),
  title: text(500),
  category: text(200).optional(),
  brand: text(200).optional().describe("the product's brand (Shopify's Vendor)"),
  quantity: z.number().int().min(1).max(1_000_000),
  unitPriceCents: Minor,
  refundedQuantity: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .optional()
    .describe(
      "units of the line returned, in all; left out, a known order's line keeps what it has (a new one, none)",
    ),
});

export const OrderInput = z.object({
  source: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, - and _')
    .default('api')
    .describe('the system the order comes from; (source, externalId) identifies the order'),
  externalId: text(128).describe("the order's id in its source system"),
  channel: z.enum(['online', 'offline']).default('online'),
  storeId: text(64).optional().describe('required for offline-store orders'),
  status: z.enum(ORDER_STATUSES),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .describe("defaults to the shop's currency"),
  totalCents: Minor.describe('amount paid, in minor units (fen, cents)'),
  discountCents: Minor.default(0),
  shippingCents: Minor.default(0),
  refundedCents: Minor.default(0),
  couponCode: text(64).optional(),
  orderedAt: z.iso.datetime({ offset: true }),
  paidAt: z.iso.datetime({ offset: true }).optional(),
  customer: CustomerRef,
  items: z.array(OrderItemInput).max(1000).default([]),
});
export type OrderInput = z.output<typeof OrderInput>;

export interface NormalizedOrder {
  source: string;
  externalId: string;
  channel: 'online' | 'offline';
  storeId: string | null;
  memberCard: string | null;
  status: OrderStatus;
  currency: string;
  totalCents: number;
  discountCents: number;
  shippingCents: number;
  refundedCents: number;
  couponCode: string | null;
  orderedAt: Date;
  paidAt: Date | null;
  person: PersonInput;
  items: z.output<typeof OrderItemInput>[];
}

export type NormalizeResult = { ok: true; order: NormalizedOrder } | { ok: false; errors: ErrorDetail[] };

export function normalizeOrder(
  input: OrderInput,
  shop: Pick<Shop, 'currency' | 'phoneRegion'>,
): NormalizeResult {
  const errors: ErrorDetail[] = [];
  const who = normalizePerson(input.customer, shop);
  if (!who.ok) errors.push(...who.errors);
  if (input.channel === 'offline' && !input.storeId) {
    errors.push({ field: 'storeId', message: 'offline-store orders must name their store' });
  }
  let refunded = input.refundedCents;
  if (refunded > input.totalCents) {
    errors.push({ field: 'refundedCents', message: 'refund is larger than the order total' });
  }
  input.items.forEach((item, i) => {
    if ((item.refundedQuantity ?? 0) > item.quantity)
      errors.push({ field: `items.${i}.refundedQuantity`, message: 'more units returned than bought' });
  });
  if (input.status === 'refunded' && refunded === 0) refunded = input.totalCents;
  if (input.status === 'partially_refunded' && (refunded === 0 || refunded >= input.totalCents)) {
    errors.push({
      field: 'refundedCents',
      message: 'a partially refunded order needs a refund between 0 and the total',
    });
  }
  const orderedAt = new Date(input.orderedAt);
  const paidAt = input.paidAt ? new Date(input.paidAt) : null;
  if (paidAt && paidAt.getTime() < orderedAt.getTime() - 60_000) {
    errors.push({ field: 'paidAt', message: 'paid before the order was placed' });
  }
  if (orderedAt.getTime() > Date.now() + 86_400_000) {
    errors.push({ field: 'orderedAt', message: 'more than a day in the future' });
  }
  if (errors.length > 0 || !who.ok) return { ok: false, errors };

  return {
    ok: true,
    order: {
      source: input.source,
      externalId: input.externalId,
      channel: input.channel,
      storeId: input.storeId ?? null,
      memberCard: who.person.profile.memberCard ?? null,
      status: input.status,
      currency: input.currency ?? shop.currency,
      totalCents: input.totalCents,
      discountCents: input.discountCents,
      shippingCents: input.shippingCents,
      refundedCents: refunded,
      couponCode: input.couponCode ?? null,
      orderedAt,
      paidAt,
      items: input.items,
      person: who.person,
    },
  };
}
