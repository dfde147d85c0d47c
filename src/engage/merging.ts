// Two profiles became one person: the survivor takes over their messages (so the contact cap counts what
// the person was sent under either profile), coupon codes, campaign memberships, flow enrollments and the
// stricter cap.
import type { Queryable } from '../db/db.js';

export async function carryEngagement(tx: Queryable, shopId: string, survivorId: string, otherIds: string[]) {
  for (const table of ['messages', 'coupon_codes'])
    await tx.query(
      `update ${table} set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])`,
      [shopId, survivorId, otherIds],
    );
  // Where both profiles were in one campaign, the survivor's membership (and its holdout draw) stands.
  await tx.query(
    `with gone as (
       delete from campaign_members where shop_id = $1 and customer_id = any($3::uuid[])
       returning campaign_id, holdout
     )
     insert into campaign_members (shop_id, campaign_id, customer_id, holdout)
     select distinct on (campaign_id) $1, campaign_id, $2, holdout from gone order by campaign_id, holdout desc
     on conflict do nothing`,
    [shopId, survivorId, otherIds],
  );
  // A flow the person entered under both profiles for the same occurrence keeps the survivor's pass; the
  // other's goes (with its step counts: one person walked the flow once).
  await tx.query(
    `delete from flow_enrollments o
      where o.shop_id = $1 and o.customer_id = any($3::uuid[])
        and exists (select 1 from flow_enrollments s
                     where s.shop_id = $1 and s.customer_id = $2 and s.flow_id = o.flow_id and s.occurrence = o.occurrence)`,
    [shopId, survivorId, otherIds],
  );
  await tx.query(
    `delete from flow_enrollments o
      where o.shop_id = $1 and o.customer_id = any($2::uuid[])
        and o.enrollment_id <> (select min(d.enrollment_id::text)::uuid from flow_enrollments d
                                 where d.shop_id = $1 and d.customer_id = any($2::uuid[])
                                   and d.flow_id = o.flow_id and d.occurrence = o.occurrence)`,
    [shopId, otherIds],
  );
  await tx.query(
    'update flow_enrollments set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    [shopId, survivorId, otherIds],
  );
  await tx.query(
    `with gone as (
       delete from customer_contact_caps where shop_id = $1 and customer_id = any($3::uuid[])
       returning max_messages, per_days
     )
     insert into customer_contact_caps (shop_id, customer_id, max_messages, per_days)
     select $1, $2, max_messages, per_days from gone
      order by max_messages::float8 / per_days limit 1
     on conflict (shop_id, customer_id) do update
       set max_messages = excluded.max_messages, per_days = excluded.per_days
       where excluded.max_messages::float8 / excluded.per_days
             < customer_contact_caps.max_messages::float8 / customer_contact_caps.per_days`,
    [shopId, survivorId, otherIds],
  );
}
