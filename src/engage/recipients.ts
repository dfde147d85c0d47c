// What a template may say about its recipient, loaded for a batch of customers at once, and only the parts
// the template uses (points expiry, recommendations and favourites cost a query each; a plain greeting
// needs none of them).
import type { Queryable } from '../db/db.js';
import { getProgram, type StoredProgram } from '../membership/program.js';
import { pointsSummary } from '../membership/points.js';
import { holdUntilNextReview } from '../membership/schedule.js';
import { memberTiers } from '../membership/standing.js';
import { favourites } from '../orders/habits.js';
import { groupBy } from '../orders/grouped.js';
import { formatAmount } from '../orders/money.js';
import { firstIdPlacedFrom } from '../orders/ids.js';
import { BOUGHT_STATUSES, PURCHASE_SQL } from '../orders/status.js';
import { getShop } from '../shops/shops.js';
import { usesVariable } from './templates.js';

export interface Recipient {
  customerId: string;
  email: string | null;
  phone: string | null;
  vars: Record<string, unknown>;
}

interface Product {
  key: string;
  title: string;
  sku: string | null;
  category: string;
  priceCents: number;
}

/** Per shop and delivery run: the best sellers of each category over the last 180 days. */
export class RecipientLoader {
  private bestSellers: Map<string, Product[]> | undefined;

  private constructor(
    private readonly shopId: string,
    private readonly shop: { name: string; currency: string; timeZone: string },
    private readonly stored: StoredProgram,
  ) {}

  static async forShop(db: Queryable, shopId: string): Promise<RecipientLoader> {
    const shop = await getShop(db, shopId);
    return new RecipientLoader(shopId, shop, await getProgram(db, shopId));
  }

  async load(db: Queryable, customerIds: string[], uses: Set<string>): Promise<Map<string, Recipient>> {
    const rows = await db.query<{
      customerId: string;
      name: string | null;
      email: string | null;
      phone: string | null;
      memberCard: string | null;
      birthday: string | null;
      tierRank: number;
      points: number;
    }>(
      `select customer_id as "customerId", name, email, phone, member_card as "memberCard",
              to_char(birthday, 'YYYY-MM-DD') as birthday, tier_rank as "tierRank", points_balance as points
         from customers where shop_id = $1 and customer_id = any($2::uuid[])`,
      [this.shopId, customerIds],
    );
    const recommended = usesVariable(uses, 'recommended') ? await this.recommend(db, customerIds) : new Map();
    const favourite = usesVariable(uses, 'favourite')
      ? await favourites(db, this.shopId, customerIds)
      : new Map();
    const nextTiers = usesVariable(uses, 'next_tier') ? await this.nextTiers(db, customerIds) : new Map();
    // Expiring points cost two queries a customer: only when the template shows them (or all of `points`).
    const expiring =
      uses.has('points') || usesVariable(uses, 'points.expiring') || usesVariable(uses, 'points.expiring_at');
    const out = new Map<string, Recipient>();
    for (const r of rows) {
      const points: Record<string, unknown> = { balance: r.points, expiring: 0, expiring_at: null };
      if (expiring) {
        const next = (await pointsSummary(db, this.shopId, r.customerId)).expiring[0];
        if (next)
          Object.assign(points, {
            expiring: next.points,
            expiring_at: next.expiresAt.toISOString().slice(0, 10),
          });
      }
      out.set(r.customerId, {
        customerId: r.customerId,
        email: r.email,
        phone: r.phone,
        vars: {
          customer: {
            name: r.name ?? '',
            // Western names put the given name first; a Chinese name is used whole (王芳 is addressed as 王芳).
            first_name: r.name && /\s/.test(r.name.trim()) ? r.name.trim().split(/\s+/)[0] : (r.name ?? ''),
            email: r.email ?? '',
            phone: r.phone ?? '',
            member_card: r.memberCard ?? '',
            birthday: r.birthday ?? '',
          },
          tier: this.stored.program.tiers[r.tierRank]?.name ?? '',
          next_tier: nextTiers.get(r.customerId) ?? { name: '', spend_to_go: '', orders_to_go: '' },
          points,
          shop: { name: this.shop.name },
          recommended: recommended.get(r.customerId) ?? [],
          favourite: favourite.get(r.customerId) ?? { category: '', brand: '' },
        },
      });
    }
    return out;
  }

  /**
   * The tier above each customer's and what its thresholds still want: the spend as an amount, the
   * purchases as a number, each blank where the tier sets no such threshold or it is met already.
   */
  private async nextTiers(db: Queryable, customerIds: string[]): Promise<Map<string, unknown>> {
    const at = new Date();
    const reviewAt = holdUntilNextReview(this.stored, this.shop.timeZone, at);
    const tiers = await memberTiers(db, this.shopId, this.stored.program, customerIds, at, reviewAt);
    const out = new Map<string, unknown>();
    for (const [customerId, { next }] of tiers) {
      if (!next) continue;
      out.set(customerId, {
        name: this.stored.program.tiers[next.rank]!.name,
        spend_to_go: next.spendCents ? formatAmount(next.spendCents, this.shop.currency) : '',
        orders_to_go: next.orders || '',
      });
    }
    return out;
  }

  /**
   * Up to three best sellers of the customer's favourite category (most items bought) that the customer
   * has not bought yet.
   */
  private async recommend(db: Queryable, customerIds: string[]): Promise<Map<string, unknown[]>> {
    this.bestSellers ??= await this.loadBestSellers(db);
    const history = await db.query<{
      customerId: string;
      category: string | null;
      key: string;
      quantity: number;
    }>(
      `select o.customer_id as "customerId", i.category, coalesce(i.sku, i.title) as key,
              -- units kept: a wholly refunded order gave every unit back, whatever its lines say
              sum(case when o.status = 'refunded' then 0 else i.quantity - i.refunded_quantity end)::int as quantity
         from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
        where o.shop_id = $1 and o.customer_id = any($2::uuid[]) and o.${PURCHASE_SQL}
        group by 1, 2, 3`,
      [this.shopId, customerIds],
    );
    const byCustomer = new Map<string, { bought: Set<string>; categories: Map<string, number> }>();
    for (const h of history) {
      const c = byCustomer.get(h.customerId) ?? { bought: new Set(), categories: new Map() };
      byCustomer.set(h.customerId, c);
      c.bought.add(h.key);
      if (h.category) c.categories.set(h.category, (c.categories.get(h.category) ?? 0) + h.quantity);
    }
    const out = new Map<string, unknown[]>();
    for (const [customerId, c] of byCustomer) {
      const favourite = [...c.categories].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
      const picks = (favourite ? (this.bestSellers.get(favourite) ?? []) : [])
        .filter((p) => !c.bought.has(p.key))
        .slice(0, 3)
        .map((p) => ({
          title: p.title,
          sku: p.sku ?? '',
          category: p.category,
          price: formatAmount(p.priceCents, this.shop.currency),
          currency: this.shop.currency,
        }));
      out.set(customerId, picks);
    }
    return out;
  }

  private async loadBestSellers(db: Queryable): Promise<Map<string, Product[]>> {
    // Units kept of the last 180 days' purchases (none of an order refunded whole), read as a range of
    // the orders' and lines' primary keys (orders/ids.ts: placedIdRange).
    const since = new Date(Date.now() - 180 * 86_400_000);
    const rows = await db.query<Product & { rank: number }>(
      `select * from (
         select i.category, coalesce(i.sku, i.title) as key, min(i.title) as title, min(i.sku) as sku,
                max(i.unit_price_cents)::int8 as "priceCents",
                row_number() over (partition by i.category
                                   order by sum(i.quantity - i.refunded_quantity) desc, coalesce(i.sku, i.title)) as rank
           from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
          where o.shop_id = $1 and o.ordered_at > $2 and o.status = any($4::text[]) and i.category is not null
            and o.order_id >= $3 and i.order_id >= $3
          group by i.category, coalesce(i.sku, i.title)) t
        where rank <= 20 order by category, rank`,
      [this.shopId, since, firstIdPlacedFrom(since), BOUGHT_STATUSES],
    );
    return groupBy(
      rows,
      (r) => r.category,
      (r): Product => r,
    );
  }
}
