import { addPerson, NewPerson } from '../../customers/intake.js';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { CHANNELS, ConsentInput, consentsOf, setConsent } from '../../customers/consent.js';
import { getCustomer, listIdentities, searchCustomers } from '../../customers/customers.js';
import { editProfile, ProfileEdit } from '../../customers/edit.js';
import { eraseCustomer, ErasureInput } from '../../customers/erasure.js';
import { personalData } from '../../customers/personalData.js';
import { mergeByHand, MergeInput } from '../../customers/merge.js';
import { listEvents } from '../../customers/timeline.js';
import { buyingHabits } from '../../orders/habits.js';
import { listCustomerOrders } from '../../orders/orders.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import { callerOrigin } from '../auth.js';
import {
  BuyingHabits,
  Consent,
  Customer,
  CustomerCode,
  CustomerParams,
  CustomerTag,
  errors,
  Identity,
  LedgerEntry,
  Order,
  Page,
  TimelineEvent,
} from '../schemas.js';

const Profile = Customer.extend({ identities: z.array(Identity) });

export const customerRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    /** A profile as GET answers it: the customer row with its identities. */
    const profile = async (shopId: string, customerId: string) => {
      const customer = await getCustomer(o.db, shopId, customerId);
      return { ...customer, identities: await listIdentities(o.db, shopId, customer.customerId) };
    };
    app.get(
      '/api/customers',
      {
        schema: {
          tags: ['customers'],
          summary:
            'List customers (newest first), or find them by name prefix, phone or its last 4–10 digits, email, member card, platform nickname or order number',
          querystring: Page.extend({ q: z.string().max(200).optional() }),
          response: { 200: z.object({ items: z.array(Customer), hasMore: z.boolean() }), ...errors },
        },
      },
      async (request) => searchCustomers(o.db, await getShop(o.db, request.shopId), request.query),
    );

    app.post(
      '/api/customers',
      {
        // Like the order intake: an integration's sign-ups are their own record; staff's are audited.
        config: { activity: 'staff' },
        schema: {
          tags: ['customers'],
          summary: 'Add a customer without an order (a sign-up at the counter or in a mini-program)',
          description:
            "Recognised by phone, email, member card or platform id as an order's buyer is: a person already " +
            'known answers 200 with their profile completed (never overwriting what staff wrote), a new one 201; ' +
            'sending the same person again changes nothing. Every identity given must be valid (400 names it). ' +
            '`consents` records what they said about marketing, now, from this source.',
          body: NewPerson,
          response: {
            200: z.object({ customerId: z.uuid(), outcome: z.literal('found') }),
            201: z.object({ customerId: z.uuid(), outcome: z.literal('created') }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const shop = await getShop(o.db, request.shopId);
        const r = await addPerson(o.db, shop, request.body, callerOrigin(request));
        request.activityParams = { customerId: r.customerId, outcome: r.created ? 'created' : 'found' };
        return r.created
          ? reply.code(201).send({ customerId: r.customerId, outcome: 'created' as const })
          : reply.code(200).send({ customerId: r.customerId, outcome: 'found' as const });
      },
    );

    app.get(
      '/api/customers/:customerId',
      {
        schema: {
          tags: ['customers'],
          summary:
            'One customer profile with its identities (a merged id answers with the surviving profile)',
          params: CustomerParams,
          response: { 200: Profile, ...errors },
        },
      },
      async (request) => profile(request.shopId, request.params.customerId),
    );

    app.patch(
      '/api/customers/:customerId',
      {
        schema: {
          tags: ['customers'],
          summary:
            'Correct or complete a profile by hand (orders and imports never overwrite what staff wrote); a phone or email that finds another profile answers 409 identity_taken: merge them instead',
          params: CustomerParams,
          body: ProfileEdit,
          response: { 200: Profile, ...errors },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const id = await editProfile(
          o.db,
          shop,
          request.params.customerId,
          request.body,
          request.staff?.staffId ?? null,
        );
        return profile(request.shopId, id);
      },
    );

    app.get(
      '/api/customers/:customerId/personal-data',
      {
        config: { access: 'administer', activity: true },
        schema: {
          tags: ['customers'],
          summary:
            'Everything the shop holds on the person, as one JSON document to hand them on request (a download: Content-Disposition attachment)',
          params: CustomerParams,
          response: {
            200: z.object({
              exportedAt: z.iso.datetime(),
              customer: Customer,
              identities: z.array(Identity),
              consents: z.array(Consent),
              tags: z.array(CustomerTag),
              orders: z.array(Order),
              pointsLedger: z.array(LedgerEntry),
              couponCodes: z.array(CustomerCode),
              timeline: z.array(TimelineEvent),
            }),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const data = await personalData(o.db, request.shopId, request.params.customerId);
        reply.header(
          'content-disposition',
          `attachment; filename="customer-${data.customer.customerId}.json"`,
        );
        return data;
      },
    );

    app.post(
      '/api/customers/:customerId/erase',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['customers'],
          summary:
            "Erase the person's personal data on their request, for good: name, contacts, identities, consents, notes, message addresses and the timeline's personal events go; orders, points ledger and figures stay under the same id, the points are forfeited, nothing is sent to them again",
          params: CustomerParams,
          body: ErasureInput,
          response: { 200: Profile, ...errors },
        },
      },
      async (request) => {
        const id = await eraseCustomer(
          o.db,
          request.shopId,
          request.params.customerId,
          request.body,
          request.staff?.staffId ?? null,
        );
        return profile(request.shopId, id);
      },
    );

    app.post(
      '/api/customers/:customerId/merge',
      {
        schema: {
          tags: ['customers'],
          summary:
            'Merge duplicate profiles into this one (orders, identities, points, tags, consent and history move here; the merged ids answer with this profile)',
          params: CustomerParams,
          body: MergeInput,
          response: { 200: Profile, ...errors },
        },
      },
      async (request) => {
        const id = await mergeByHand(
          o.db,
          request.shopId,
          request.params.customerId,
          request.body,
          request.staff?.staffId ?? null,
        );
        return profile(request.shopId, id);
      },
    );

    app.get(
      '/api/customers/:customerId/orders',
      {
        schema: {
          tags: ['customers'],
          summary: "The customer's orders, newest first",
          params: CustomerParams,
          querystring: Page,
          response: { 200: z.object({ items: z.array(Order) }), ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return { items: await listCustomerOrders(o.db, request.shopId, customerId, request.query) };
      },
    );

    app.get(
      '/api/customers/:customerId/habits',
      {
        schema: {
          tags: ['customers'],
          summary:
            'What the customer buys: the categories, brands, products and stores they come back to, how much a discount moves them, and when they usually buy',
          description:
            'Read from the purchases they kept (not cancelled or wholly refunded orders; returned units left out). Categories and brands by spend, products by units, stores by purchases, five of each.',
          params: CustomerParams,
          response: { 200: BuyingHabits, ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        const shop = await getShop(o.db, request.shopId);
        return buyingHabits(o.db, request.shopId, customerId, shop.timeZone);
      },
    );

    app.get(
      '/api/customers/:customerId/timeline',
      {
        schema: {
          tags: ['customers'],
          summary: "The customer's timeline, newest first; page with `before`",
          params: CustomerParams,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(500).default(100),
            before: z.iso.datetime({ offset: true }).optional(),
          }),
          response: { 200: z.object({ items: z.array(TimelineEvent) }), ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        const before = request.query.before ? new Date(request.query.before) : undefined;
        return {
          items: await listEvents(o.db, request.shopId, customerId, { limit: request.query.limit, before }),
        };
      },
    );

    app.get(
      '/api/customers/:customerId/consents',
      {
        schema: {
          tags: ['customers'],
          summary: "The customer's marketing consent per channel (no entry: never opted in)",
          params: CustomerParams,
          response: { 200: z.object({ items: z.array(Consent) }), ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return { items: await consentsOf(o.db, request.shopId, customerId) };
      },
    );
    app.put(
      '/api/customers/:customerId/consents/:channel',
      {
        schema: {
          tags: ['customers'],
          summary: 'Record an opt-in or opt-out for a channel, with where it was given',
          params: CustomerParams.extend({ channel: z.enum(CHANNELS) }),
          body: ConsentInput,
          response: { 200: z.object({ changed: z.boolean(), items: z.array(Consent) }), ...errors },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        const changed = await o.db.transaction((tx) =>
          setConsent(tx, request.shopId, customerId, request.params.channel, request.body),
        );
        return { changed, items: await consentsOf(o.db, request.shopId, customerId) };
      },
    );
  };
