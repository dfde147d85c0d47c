// Two or more profiles that turn out to be one person become one: the survivor takes over identities,
// orders, timeline, notes, service cases, tags, consent and membership (points and the better tier),
// fills its empty fields from the others, and its stats and purchase days are recomputed from the orders.
// Merged ids keep resolving to the survivor (customer_merges), since integrations may still hold them.
import { z } from 'zod';
import { refreshPurchaseDays } from '../analytics/rollup.js';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { carryEngagement } from '../engage/merging.js';
import { carryMembership, settleMergedTier } from '../membership/merging.js';
import { refreshBought } from '../orders/bought.js';
import { recomputeCustomerStats, reassignOrders } from '../orders/orders.js';
import { applyRuleTags } from '../tags/rules.js';
import { carryTags } from '../tags/tags.js';
import { carryConsents } from './consent.js';
import { getCustomer } from './customers.js';
import { assertNotErased } from './erasure.js';
import { carryNotes } from './notes.js';
import { carryCases } from '../service/cases.js';
import { PROFILE_COLUMNS, PROFILE_FIELDS } from './profile.js';
import { lockShopIngest } from './resolve.js';
import { recordEvents } from './timeline.js';

/** Why staff merged profiles by hand, kept on the survivor's timeline. */
export interface MergeNote {
  reason: string;
  staffId: string | null;
}

export async function mergeCustomers(
  tx: Queryable,
  shopId: string,
  survivorId: string,
  otherIds: string[],
  source: string,
  at: Date,
  note?: MergeNote,
): Promise<void> {
  const params = [shopId, survivorId, otherIds];
  // Fill the survivor's empty fields from the others, oldest first (otherIds come sorted by age).
  for (const other of otherIds) {
    const sets = PROFILE_FIELDS.map(
      (f) => `${PROFILE_COLUMNS[f]} = coalesce(c.${PROFILE_COLUMNS[f]}, o.${PROFILE_COLUMNS[f]})`,
    );
    await tx.query(
      `update customers c set ${sets.join(', ')}, created_at = least(c.created_at, o.created_at)
         from customers o where c.shop_id = $1 and c.customer_id = $2 and o.shop_id = $1 and o.customer_id = $3`,
      [shopId, survivorId, other],
    );
  }
  await tx.query(
    'update customer_identities set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    params,
  );
  await tx.query(
    'update customer_events set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    params,
  );
  await reassignOrders(tx, shopId, otherIds, survivorId);
  await tx.query(
    'update customer_merges set into_id = $2 where shop_id = $1 and into_id = any($3::uuid[])',
    params,
  );
  await tx.query(
    'insert into customer_merges (shop_id, merged_id, into_id) select $1, unnest($3::uuid[]), $2',
    params,
  );
  const mergedRanks = await carryMembership(tx, shopId, survivorId, otherIds);
  await carryTags(tx, shopId, survivorId, otherIds);
  await carryConsents(tx, shopId, survivorId, otherIds);
  await carryNotes(tx, shopId, survivorId, otherIds);
  await carryCases(tx, shopId, survivorId, otherIds);
  await carryEngagement(tx, shopId, survivorId, otherIds);
  await tx.query('delete from customers where shop_id = $1 and customer_id = any($2::uuid[])', [
    shopId,
    otherIds,
  ]);
  await recomputeCustomerStats(tx, shopId, [survivorId]);
  await refreshPurchaseDays(
    tx,
    shopId,
    [survivorId, ...otherIds].map((customerId) => ({ customerId, from: null })),
  );
  await refreshBought(tx, shopId, [survivorId, ...otherIds]);
  await settleMergedTier(tx, shopId, survivorId, mergedRanks, source, at);
  await applyRuleTags(tx, shopId, [survivorId], source, at);
  await recordEvents(tx, shopId, [
    {
      customerId: survivorId,
      type: 'customer.merged',
      occurredAt: at,
      source,
      data: { merged: otherIds, ...note },
    },
  ]);
}

export const MergeInput = z.strictObject({
  customerIds: z
    .array(z.uuid())
    .min(1)
    .max(20)
    .describe('the duplicate profiles: their orders, identities, points and history move to this one'),
  reason: z.string().trim().min(1).max(500),
});
export type MergeInput = z.infer<typeof MergeInput>;

/**
 * Staff fold duplicates the matcher could not see (a new phone number, a nickname never linked to the
 * phone) into the profile they keep. Under the shop's ingest lock, as every merge is: an order arriving
 * meanwhile lands on one profile or the other, never on one being merged away. Returns the survivor's id.
 */
export async function mergeByHand(
  db: Db,
  shopId: string,
  keepId: string,
  input: MergeInput,
  staffId: string | null,
): Promise<string> {
  return db.transaction(async (tx) => {
    await lockShopIngest(tx, shopId);
    // Ids merged before answer for their survivor, here as everywhere.
    const kept = await getCustomer(tx, shopId, keepId);
    assertNotErased(kept);
    const survivor = kept.customerId;
    const others = new Set<string>();
    for (const [n, id] of input.customerIds.entries()) {
      let other: string;
      try {
        const duplicate = await getCustomer(tx, shopId, id);
        assertNotErased(duplicate, `customerIds.${n}`);
        other = duplicate.customerId;
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') {
          throw new AppError('not_found', 404, `Customer ${id} not found`, [
            { field: `customerIds.${n}`, message: 'no such customer in this shop' },
          ]);
        }
        throw err;
      }
      if (other === survivor) {
        throw AppError.invalid('A profile cannot be merged into itself', [
          { field: `customerIds.${n}`, message: 'already this profile' },
        ]);
      }
      others.add(other);
    }
    // Oldest first: the survivor fills its empty fields from the oldest duplicate before the newer ones.
    await mergeCustomers(tx, shopId, survivor, [...others].sort(), 'staff', new Date(), {
      reason: input.reason,
      staffId,
    });
    return survivor;
  });
}
