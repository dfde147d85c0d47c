// The `nearNextTier` condition ("within reach of the tier above theirs": the upgrade push) as SQL over
// `customers c`, measured against the shop's tier program as membership/grading.ts measures a member.
// Every value is bound by the compiler's `bind` (segments/compile.ts).
import { windowStart, yearIsCurrent } from '../membership/grading.js';
import { PURCHASE_SQL } from '../orders/status.js';
import type { SegmentContext } from './compile.js';
import type { Rule } from './rule.js';

type NearNode = Extract<Rule, { type: 'nearNextTier' }>;

export interface NearTools {
  ctx: SegmentContext;
  bind: (value: unknown, cast: string) => string;
  /** Names a bad field of the node; answers the SQL to put in its place. */
  fail: (field: string, message: string) => string;
  /** Closes each subquery: ' offset 0' keeps it a probe per customer (compileSegment's perCustomer). */
  fence: string;
}

/** A member's tier rank, net spend and purchases over the program's window, as SQL. */
interface Figures {
  rank: string;
  spend: string;
  orders: string;
}

const LIFETIME: Figures = {
  rank: 'c.tier_rank',
  spend: '(c.spend_cents - c.refunded_cents)',
  orders: 'c.order_count',
};

/** The member year kept on the row, when it counts from the window's start today. */
const YEAR: Figures = {
  rank: 'c.tier_rank',
  spend: 'c.year_spend_cents',
  orders: 'c.year_order_count',
};

/**
 * Members within reach of the tier above theirs: the same arithmetic as membership/grading.ts's
 * tierProgress, compared with what the rule calls within reach, one arm per tier that has a tier above
 * it. A lifetime program reads the row's figures, and so does a rolling one once the member year kept on
 * the row counts from today's window start. Until then (the program just changed, or today's roll has
 * not run) it sums each member's purchases of the last twelve months (membership/standing.ts) from the
 * orders, joined to the member's row again so that a member without any is judged on zero in the same
 * semi-join (an OR of two conditions would probe the orders per customer). The year's figures are never
 * more than the lifetime ones, so those say first who cannot be within reach.
 */
export function nearNextTier(node: NearNode, t: NearTools): string {
  const { bind, fail, ctx, fence } = t;
  if (node.spendWithinCents === undefined && node.ordersWithin === undefined)
    return fail('', 'give spendWithinCents, ordersWithin or both');
  if (ctx.grading.window === 'lifetime') return nearArms(node, t, LIFETIME, true);
  if (yearIsCurrent(ctx.yearFrom, ctx.now, ctx.timeZone)) return nearArms(node, t, YEAR, true);
  const shop = bind(ctx.shopId, 'uuid');
  const year = `select o.customer_id, sum(o.total_cents - o.refunded_cents) as spend, count(*) as orders
      from orders o where o.shop_id = ${shop} and o.ordered_at >= ${bind(windowStart(ctx.now, ctx.timeZone).toISOString(), 'timestamptz')}
       and o.${PURCHASE_SQL} group by o.customer_id`;
  const figures = { rank: 'm.tier_rank', spend: 'coalesce(w.spend, 0)', orders: 'coalesce(w.orders, 0)' };
  return `(${nearArms(node, t, LIFETIME, false)} and exists (select 1 from customers m
      left join (${year}) w on w.customer_id = m.customer_id
      where m.shop_id = ${shop} and m.customer_id = c.customer_id and ${nearArms(node, t, figures, true)}${fence}))`;
}

/**
 * Whether `figures` are within the rule's reach of the next tier, by the member's rank. With `unmet`
 * false, only the reach is checked, not that the next tier is still short of.
 */
function nearArms(node: NearNode, { bind, ctx }: NearTools, figures: Figures, unmet: boolean): string {
  const arms = ctx.grading.tiers.slice(1).map((next, rank) => {
    const gaps = [
      next.minSpendCents === null
        ? null
        : { threshold: next.minSpendCents, figure: figures.spend, within: node.spendWithinCents },
      next.minOrders === null
        ? null
        : { threshold: next.minOrders, figure: figures.orders, within: node.ordersWithin },
    ].filter((g) => g !== null);
    // Bound where used: a parameter the statement never reads has no type, and PostgreSQL refuses it.
    const short = (g: (typeof gaps)[number]) => `greatest(0, ${bind(g.threshold, 'int8')} - ${g.figure})`;
    const inReach = (g: (typeof gaps)[number]) =>
      g.within === undefined ? `${short(g)} = 0` : `${short(g)} <= ${bind(g.within, 'int8')}`;
    const unmetAll = unmet ? gaps.map((g) => `${short(g)} > 0`) : [];
    // Under 'any' a member meeting one threshold has the tier already; under 'all', only meeting every one.
    const near =
      ctx.grading.match === 'any'
        ? [
            ...unmetAll,
            `(${
              gaps
                .filter((g) => g.within !== undefined)
                .map(inReach)
                .join(' or ') || 'false'
            })`,
          ].join(' and ')
        : [...(unmet ? [`(${unmetAll.join(' or ')})`] : []), ...gaps.map(inReach)].join(' and ');
    return `when ${rank} then ${near}`;
  });
  return arms.length === 0 ? 'false' : `(case ${figures.rank} ${arms.join(' ')} else false end)`;
}
