// The `purchased` condition ("bought …") as SQL over `customers c`: from what each customer has bought by
// category, by brand or by store (orders/bought.ts) where those rows answer exactly, from the orders and
// their items otherwise. Every value is bound by the compiler's `bind` (segments/compile.ts).
import type { z } from 'zod';
import { BOUGHT_STATUSES } from '../orders/status.js';
import { likeEscape } from './patterns.js';
import type { Purchased } from './rule.js';

type PurchasedNode = z.infer<typeof Purchased>;

export interface PurchaseTools {
  shopId: string;
  bind: (value: unknown, cast: string) => string;
  /** The moment N days before the rule's "now". */
  daysAgo: (days: number) => string;
  /** Closes each subquery: ' offset 0' keeps it a probe per customer (compileSegment's perCustomer). */
  fence: string;
}

export function purchasedCondition(node: PurchasedNode, t: PurchaseTools): string {
  const { bind, daysAgo, fence } = t;
  const s = bind(t.shopId, 'uuid');
  const counted = countsOrders(node.minOrders);
  const line = byLineAlone(node);
  if (line) {
    // What the buyer's category or brand row knows: the last time bought, and in how many orders — a
    // count that adds up only for one name without a window.
    const where = [
      `b.shop_id = ${s} and b.customer_id = c.customer_id`,
      `b.${line.column} = any(${bind(lowered(line.names), 'text[]')})`,
    ];
    if (node.withinDays) where.push(`b.last_at >= ${daysAgo(node.withinDays)}`);
    if (counted) where.push(`b.orders >= ${bind(node.minOrders, 'int')}`);
    return `exists (select 1 from ${line.table} b where ${where.join(' and ')}${fence})`;
  }
  if (byStoreAlone(node)) {
    // The same from the buyer's store rows (one per store and channel).
    const where = [`b.shop_id = ${s} and b.customer_id = c.customer_id`];
    if (node.storeIds) where.push(`b.store_id = any(${bind(node.storeIds, 'text[]')})`);
    if (node.channel) where.push(`b.channel = ${bind(node.channel, 'text')}`);
    if (node.withinDays) where.push(`b.last_at >= ${daysAgo(node.withinDays)}`);
    if (counted) where.push(`b.orders >= ${bind(node.minOrders, 'int')}`);
    return `exists (select 1 from customer_stores b where ${where.join(' and ')}${fence})`;
  }
  const where = [
    `o.shop_id = ${s} and o.customer_id = c.customer_id`,
    `o.status = any(${bind(BOUGHT_STATUSES, 'text[]')})`,
  ];
  const itemFilters = [
    node.categories && `lower(i.category) = any(${bind(lowered(node.categories), 'text[]')})`,
    node.brands && `lower(i.brand) = any(${bind(lowered(node.brands), 'text[]')})`,
    node.skus && `i.sku = any(${bind(node.skus, 'text[]')})`,
    node.productIds && `i.product_id = any(${bind(node.productIds, 'text[]')})`,
    node.titleContains &&
      `i.title ilike any(${bind(
        node.titleContains.map((w) => `%${likeEscape(w)}%`),
        'text[]',
      )})`,
  ].filter((f): f is string => !!f);
  if (node.channel) where.push(`o.channel = ${bind(node.channel, 'text')}`);
  if (node.storeIds) where.push(`o.store_id = any(${bind(node.storeIds, 'text[]')})`);
  if (node.withinDays) where.push(`o.ordered_at >= ${daysAgo(node.withinDays)}`);
  // A line returned in full was not bought (migration 0042).
  if (itemFilters.length > 0) itemFilters.push('i.refunded_quantity < i.quantity');
  const join =
    itemFilters.length > 0 ? ' join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id' : '';
  const having = counted ? ` having count(distinct o.order_id) >= ${bind(node.minOrders, 'int')}` : '';
  return `exists (select 1 from orders o${join} where ${[...where, ...itemFilters].join(' and ')}${having}${fence})`;
}

/**
 * A condition that only names categories, or only brands, and counts orders (if at all) within one of
 * them over all time: what customer_categories or customer_brands answers exactly.
 */
function byLineAlone(
  node: PurchasedNode,
): { table: 'customer_categories' | 'customer_brands'; column: string; names: string[] } | null {
  const { type: _type, categories, brands, withinDays, minOrders, ...others } = node;
  if (!noneOf(others) || (categories === undefined) === (brands === undefined)) return null;
  const names = (categories ?? brands)!;
  if (!countable(names, withinDays, minOrders)) return null;
  return categories
    ? { table: 'customer_categories', column: 'category', names }
    : { table: 'customer_brands', column: 'brand', names };
}

/**
 * One that only names stores (and perhaps a channel), counting orders (if at all) at one store in one
 * channel over all time: what customer_stores answers exactly. Or one that names only the offline
 * channel, without a count: every offline order names its store (orders/input.ts), so the buyer's
 * offline store rows hold all their offline purchases.
 */
function byStoreAlone(node: PurchasedNode): boolean {
  const { type: _type, storeIds, channel, withinDays, minOrders, ...others } = node;
  if (storeIds === undefined) return channel === 'offline' && noneOf(others) && !countsOrders(minOrders);
  return (
    noneOf(others) &&
    (channel !== undefined || !countsOrders(minOrders)) &&
    countable(storeIds, withinDays, minOrders)
  );
}

const noneOf = (filters: Record<string, unknown>) => Object.values(filters).every((v) => v === undefined);

/** "At least N orders" asks more than having bought. */
const countsOrders = (minOrders?: number) => minOrders !== undefined && minOrders > 1;

/** A rollup row's order count answers "at least N orders" for one key, over all time. */
const countable = (keys: string[], withinDays?: number, minOrders?: number) =>
  !countsOrders(minOrders) || (keys.length === 1 && withinDays === undefined);

const lowered = (values: string[]) => values.map((v) => v.toLowerCase());
