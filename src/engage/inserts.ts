// The package-insert list: for the warehouse, every online order waiting to ship with the note to print
// for its buyer (a template rendered for them) and the gifts to put in the box — the member's birthday
// gift in their birthday month, a welcome card with a first order. The seed's "personalised package".
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { getProgram } from '../membership/program.js';
import { placedIdRange } from '../orders/ids.js';
import { getShop } from '../shops/shops.js';
import { RecipientLoader } from './recipients.js';
import { compileTemplate, getTemplate, renderTemplate } from './templates.js';

export const InsertQuery = z.object({
  from: z.iso.datetime({ offset: true }).describe('orders placed from (inclusive)'),
  to: z.iso.datetime({ offset: true }).describe('…until (exclusive)'),
  templateId: z.uuid().describe('the note to print for each buyer'),
});
export type InsertQuery = z.infer<typeof InsertQuery>;

export interface PackageInsert {
  orderId: string;
  externalId: string;
  orderedAt: Date;
  customerId: string;
  name: string | null;
  address: string;
  tier: string;
  items: string;
  firstOrder: boolean;
  gifts: string[];
  note: string;
  /** The note is HTML (an email template), not plain text. */
  html: boolean;
}

const MAX_ORDERS = 5000;

export async function packageInserts(
  db: Queryable,
  shopId: string,
  q: InsertQuery,
): Promise<PackageInsert[]> {
  const template = await getTemplate(db, shopId, q.templateId);
  const compiled = compileTemplate(template);
  const shop = await getShop(db, shopId);
  const { program } = await getProgram(db, shopId);
  // Paid and not yet shipped, online (a store hands its purchases over the counter).
  const orders = await db.query<{
    orderId: string;
    externalId: string;
    orderedAt: Date;
    customerId: string;
    name: string | null;
    address: string;
    tierRank: number;
    birthdayMonth: number | null;
    orderMonth: number;
    firstOrder: boolean;
    items: string;
  }>(
    `select o.order_id as "orderId", o.external_id as "externalId", o.ordered_at as "orderedAt",
            o.customer_id as "customerId", c.name,
            concat_ws(' ', c.province, c.city, c.address) as address, c.tier_rank as "tierRank",
            extract(month from c.birthday)::int as "birthdayMonth",
            extract(month from o.ordered_at at time zone $4)::int as "orderMonth",
            not exists (select 1 from orders p where p.shop_id = o.shop_id and p.customer_id = o.customer_id
                          and p.ordered_at < o.ordered_at and p.status not in ('pending', 'cancelled')) as "firstOrder",
            coalesce((select string_agg(i.title || ' ×' || i.quantity, '，' order by i.line_no)
                        from order_items i where i.shop_id = o.shop_id and i.order_id = o.order_id), '') as items
       from orders o join customers c on c.shop_id = o.shop_id and c.customer_id = o.customer_id
      where o.shop_id = $1 and o.status = 'paid' and o.channel = 'online'
        and o.ordered_at >= $2 and o.ordered_at < $3 and o.order_id >= $5 and o.order_id < $6
      order by o.ordered_at, o.order_id limit ${MAX_ORDERS}`,
    [shopId, q.from, q.to, shop.timeZone, ...placedIdRange(new Date(q.from), new Date(q.to))],
  );
  const loader = await RecipientLoader.forShop(db, shopId);
  const recipients = await loader.load(db, [...new Set(orders.map((o) => o.customerId))], compiled.uses);
  return orders.map((o) => {
    const tier = program.tiers[o.tierRank];
    const gifts: string[] = [];
    if (tier?.benefits.birthdayGift && o.birthdayMonth === o.orderMonth)
      gifts.push(tier.benefits.birthdayGift);
    const rendered = renderTemplate(compiled, {
      ...(recipients.get(o.customerId)?.vars ?? {}),
      unsubscribe_url: '',
    });
    return {
      orderId: o.orderId,
      externalId: o.externalId,
      orderedAt: o.orderedAt,
      customerId: o.customerId,
      name: o.name,
      address: o.address,
      tier: tier?.name ?? '',
      items: o.items,
      firstOrder: o.firstOrder,
      gifts,
      note: rendered.body,
      html: template.channel === 'email',
    };
  });
}
