// Looking up and detaching single identities (a member card handed back, a phone number given up).
import type { Queryable } from '../db/db.js';
import type { IdentityKind } from './identity.js';
import { recordEvents } from './timeline.js';

/** The profile an identity belongs to, if any. */
export async function customerByIdentity(
  tx: Queryable,
  shopId: string,
  kind: IdentityKind,
  value: string,
): Promise<string | null> {
  const [row] = await tx.query<{ customerId: string }>(
    'select customer_id as "customerId" from customer_identities where shop_id = $1 and kind = $2 and value = $3',
    [shopId, kind, value],
  );
  return row?.customerId ?? null;
}

export async function identitiesOf(
  tx: Queryable,
  shopId: string,
  customerId: string,
  kind: IdentityKind,
): Promise<string[]> {
  const rows = await tx.query<{ value: string }>(
    'select value from customer_identities where shop_id = $1 and customer_id = $2 and kind = $3 order by created_at',
    [shopId, customerId, kind],
  );
  return rows.map((r) => r.value);
}

/**
 * Detaches an identity from its profile, which keeps its history: later orders naming the identity find
 * whichever profile it is attached to next. Answers the profile it was detached from.
 */
export async function detachIdentity(
  tx: Queryable,
  shopId: string,
  kind: IdentityKind,
  value: string,
  event: { type: 'card.unbound'; source: string; at: Date; data: Record<string, unknown> },
): Promise<string | null> {
  const [row] = await tx.query<{ customerId: string }>(
    `delete from customer_identities where shop_id = $1 and kind = $2 and value = $3
     returning customer_id as "customerId"`,
    [shopId, kind, value],
  );
  if (!row) return null;
  if (kind === 'member_card') {
    // The profile shows the card it still has, if any.
    await tx.query(
      `update customers set member_card = (select value from customer_identities
                                             where shop_id = $1 and customer_id = $2 and kind = 'member_card'
                                             order by created_at limit 1)
        where shop_id = $1 and customer_id = $2 and member_card = $3`,
      [shopId, row.customerId, value],
    );
  }
  await recordEvents(tx, shopId, [
    {
      customerId: row.customerId,
      type: event.type,
      occurredAt: event.at,
      source: event.source,
      data: event.data,
    },
  ]);
  return row.customerId;
}
