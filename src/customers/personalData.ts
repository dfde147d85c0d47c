// A person's right to a copy of what the shop holds on them (GDPR arts. 15 and 20, PIPL art. 45): one
// machine-readable document of their profile, identities, consents, tags, orders with their items, points
// ledger, coupon codes, the notes staff kept on them, their service cases and timeline (the messages sent
// them and the flows they went through included), read in one transaction so that its parts agree.
import type { Db } from '../db/db.js';
import { customerCoupons } from '../engage/couponCodes.js';
import { listLedger } from '../membership/points.js';
import { listCustomerOrders } from '../orders/orders.js';
import { customerTags } from '../tags/tags.js';
import { consentsOf } from './consent.js';
import { getCustomer, listIdentities } from './customers.js';
import { listCustomerCases } from '../service/cases.js';
import { listNotes } from './notes.js';
import { listEvents } from './timeline.js';

/** A limit no customer reaches: the document holds everything, not a page. */
const ALL = Number.MAX_SAFE_INTEGER;

export async function personalData(db: Db, shopId: string, customerId: string, at = new Date()) {
  return db.transaction(async (tx) => {
    const customer = await getCustomer(tx, shopId, customerId);
    const id = customer.customerId;
    return {
      exportedAt: at,
      customer,
      identities: await listIdentities(tx, shopId, id),
      consents: await consentsOf(tx, shopId, id),
      tags: await customerTags(tx, shopId, id),
      orders: await listCustomerOrders(tx, shopId, id, { limit: ALL, offset: 0 }),
      pointsLedger: await listLedger(tx, shopId, id, { limit: ALL }),
      couponCodes: await customerCoupons(tx, shopId, id),
      notes: await listNotes(tx, shopId, id),
      serviceCases: await listCustomerCases(tx, shopId, id),
      timeline: await listEvents(tx, shopId, id, { limit: ALL }),
    };
  });
}
