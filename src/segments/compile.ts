// compileSegment: a rule tree (rule.ts) into a SQL predicate over `customers c`. Every field, operator and
// table name comes from the allow-list in this file or rule.ts; every value the operator typed travels as
// a bound parameter. A tree that is not valid is refused as a whole, with each bad node named by its path.
//
// Each leaf is written so that it is never NULL (an unknown city is "not Shanghai"), so NOT means what an
// operator expects. Tag leaves test the row's tag list (kept from customer_tags, migration 0015).
// Order-history leaves are correlated `exists (…)`: at the top of a rule PostgreSQL turns them into
// (anti-)semi-joins, one pass over the other table; under OR they probe an index per customer.
// (`customer_id in (subquery)` was faster under OR while its result fit in memory as a hashed subplan,
// and quadratic once it did not — half a million buyers of a category do not.)
import { AppError, type ErrorDetail } from '../errors.js';
import type { MemberProgram } from '../membership/program.js';
import { startOfLocalDay } from '../shops/calendar.js';
import { nearNextTier } from './nearTier.js';
import { likeEscape } from './patterns.js';
import { purchasedCondition } from './purchased.js';
import { FIELDS, MAX_DEPTH, MAX_NODES, OPERATORS, Rule, type FieldSpec, type Operator } from './rule.js';

export interface SegmentContext {
  shopId: string;
  timeZone: string;
  /** The shop's tier keys, entry tier first: a tier's rank is its position. */
  tierKeys: readonly string[];
  /** How the shop's tiers are reached: what "near the next tier" measures against. */
  grading: Pick<MemberProgram, 'tiers' | 'match' | 'window'>;
  /** Where the member year kept on the customer rows counts from (membership/year.ts), if kept. */
  yearFrom: Date | null;
  /** Tag name → tag id. */
  tagIds: ReadonlyMap<string, string>;
  /** What "the last 90 days" counts back from. */
  now: Date;
}

export interface CompiledRule {
  /** A boolean SQL expression over `customers c`. */
  where: string;
  params: unknown[];
}

/**
 * Compiles `input` into a predicate whose placeholders start at `$firstParam` (the caller owns those before).
 * `where` names the request field holding the rule, for the error details.
 */
export function compileSegment(
  input: unknown,
  ctx: SegmentContext,
  options: {
    firstParam?: number;
    where?: string;
    allowTags?: boolean;
    /**
     * The rule judges a handful of known customers (an order's buyer): each EXISTS stays a subquery run
     * per customer through its index (OFFSET 0 keeps PostgreSQL from turning it into a join). As a join,
     * a shop whose rows the statistics do not know yet looked empty, and the plan scanned all its orders
     * for every customer. Whole-shop counts leave it off: there the join is the fast plan.
     */
    perCustomer?: boolean;
  } = {},
): CompiledRule {
  const at = options.where ?? 'rule';
  const parsed = Rule.safeParse(input);
  if (!parsed.success) {
    throw AppError.invalid(
      'The segment rule is not valid',
      parsed.error.issues.map((i) => ({ field: pathOf(at, i.path), message: i.message })),
    );
  }
  const params: unknown[] = [];
  const first = options.firstParam ?? 1;
  const bind = (value: unknown, cast: string) => `$${first + params.push(value) - 1}::${cast}`;
  const problems: ErrorDetail[] = [];
  let nodes = 0;
  const fence = options.perCustomer ? ' offset 0' : '';

  const walk = (node: Rule, path: string, depth: number): string => {
    nodes += 1;
    if (depth > MAX_DEPTH) {
      problems.push({ field: path, message: `groups nest at most ${MAX_DEPTH} deep` });
      return 'false';
    }
    const fail = (field: string, message: string) => {
      problems.push({ field: `${path}${field}`, message });
      return 'false';
    };
    switch (node.type) {
      case 'and':
      case 'or': {
        if (node.rules.length === 0) return node.type === 'and' ? 'true' : 'false';
        const parts = node.rules.map((r, n) => walk(r, `${path}.rules.${n}`, depth + 1));
        return `(${parts.join(node.type === 'and' ? ' and ' : ' or ')})`;
      }
      case 'not':
        return `not ${walk(node.rule, `${path}.rule`, depth + 1)}`;
      case 'field': {
        const spec = (FIELDS as Record<string, FieldSpec>)[node.field];
        if (!spec || !Object.hasOwn(FIELDS, node.field)) {
          return fail('.field', `unknown field '${node.field}'`);
        }
        if (!(OPERATORS[spec.type] as readonly string[]).includes(node.op)) {
          return fail(
            '.op',
            `'${node.op}' does not apply to ${node.field}; use one of ${OPERATORS[spec.type].join(', ')}`,
          );
        }
        if (spec.type === 'tags' && options.allowTags === false) {
          return fail(
            '.field',
            'a tag rule cannot depend on tags (they would depend on the order rules run in)',
          );
        }
        return fieldCondition(spec, node.op as Operator, node.value, { ctx, bind, fail });
      }
      case 'purchased':
        return purchasedCondition(node, { shopId: ctx.shopId, bind, daysAgo, fence });
      case 'discountShare': {
        const s = bind(ctx.shopId, 'uuid');
        // The customer's last purchase day (analytics/rollup.ts) knows their purchases and discounted
        // ones so far. Counted from the orders instead, the condition needed a HAVING, which PostgreSQL
        // cannot turn into a semi-join: over the whole shop it probed each customer's orders (31 s of
        // the nightly tags at 1M customers). The share is divided as numeric, as avg() did.
        const total = '(d.purchases_before + d.orders)';
        return `exists (select 1 from purchase_days d where d.shop_id = ${s} and d.customer_id = c.customer_id
          and d.next_day = 'infinity' and ${total} >= ${bind(node.minOrders ?? 2, 'int')}
          and ((d.discounted_before + d.discounted_orders)::numeric / ${total})::float8 >= ${bind(node.atLeast, 'float8')}${fence})`;
      }
      case 'consent': {
        const s = bind(ctx.shopId, 'uuid');
        const channel = bind(node.channel, 'text');
        if (node.status === 'none') {
          return `not exists (select 1 from customer_consents where shop_id = ${s} and customer_id = c.customer_id and channel = ${channel}${fence})`;
        }
        return `exists (select 1 from customer_consents where shop_id = ${s} and customer_id = c.customer_id and channel = ${channel} and status = ${bind(node.status, 'text')}${fence})`;
      }
      case 'interacted': {
        const s = bind(ctx.shopId, 'uuid');
        const types = bind(
          node.kinds.map((k) => `message.${k}`),
          'text[]',
        );
        const within = node.withinDays ? ` and occurred_at >= ${daysAgo(node.withinDays)}` : '';
        return `exists (select 1 from customer_events where shop_id = ${s} and customer_id = c.customer_id and type = any(${types})${within}${fence})`;
      }
      case 'service': {
        const s = bind(ctx.shopId, 'uuid');
        const filters = [
          node.kinds ? ` and kind = any(${bind(node.kinds, 'text[]')})` : '',
          node.status ? ` and status = ${bind(node.status, 'text')}` : '',
          node.withinDays ? ` and opened_at >= ${daysAgo(node.withinDays)}` : '',
          node.maxRating ? ` and rating <= ${bind(node.maxRating, 'int')}` : '',
        ].join('');
        const cases = `from service_cases where shop_id = ${s} and customer_id = c.customer_id${filters}`;
        const min = node.minCases ?? 1;
        if (min === 1) return `exists (select 1 ${cases}${fence})`;
        // Counting stops at the number asked for: a customer's cases are read through their index.
        const n = bind(min, 'int');
        return `(select count(*) from (select 1 ${cases} limit ${n}) k) >= ${n}`;
      }
      case 'nearNextTier':
        return nearNextTier(node, { ctx, bind, fail, fence });
    }
  };

  const daysAgo = (n: number) =>
    `${bind(ctx.now.toISOString(), 'timestamptz')} - ${bind(n, 'int')} * interval '1 day'`;

  const where = walk(parsed.data, at, 1);
  if (nodes > MAX_NODES) problems.push({ field: at, message: `a rule has at most ${MAX_NODES} nodes` });
  if (problems.length > 0) throw AppError.invalid('The segment rule is not valid', problems);
  return { where, params };
}

interface Tools {
  ctx: SegmentContext;
  bind: (value: unknown, cast: string) => string;
  fail: (field: string, message: string) => string;
}

function fieldCondition(spec: FieldSpec, op: Operator, value: unknown, t: Tools): string {
  const { bind, fail, ctx } = t;
  const e = spec.sql;
  if (op === 'isSet') return `${e} is not null`;
  if (op === 'isNotSet') return `${e} is null`;
  const never = (sql: string) => `coalesce(${sql}, false)`;

  switch (spec.type) {
    case 'text':
    case 'choice': {
      const one = (v: unknown) => {
        if (typeof v !== 'string' || v.trim() === '' || v.length > 500) return null;
        if (spec.choices && !spec.choices.includes(v)) return null;
        return v.trim().toLowerCase();
      };
      const expect = spec.choices ? `one of ${spec.choices.join(', ')}` : 'a text of 1 to 500 characters';
      // Choices are stored as the canonical lowercase names: compared as they are, no lower() per row.
      const col = spec.choices ? e : `lower(${e})`;
      if (op === 'in' || op === 'notIn') {
        const values = Array.isArray(value) ? value.map(one) : [];
        if (values.length === 0 || values.length > 1000 || values.includes(null)) {
          return fail('.value', `a list of 1 to 1000 values, each ${expect}`);
        }
        const sql = never(`${col} = any(${bind(values, 'text[]')})`);
        return op === 'in' ? sql : `not ${sql}`;
      }
      const v = one(value);
      if (v === null) return fail('.value', expect);
      if (op === 'eq') return never(`${col} = ${bind(v, 'text')}`);
      if (op === 'neq') return `not ${never(`${col} = ${bind(v, 'text')}`)}`;
      const pattern = op === 'contains' ? `%${likeEscape(v)}%` : `${likeEscape(v)}%`;
      return never(`${e} ilike ${bind(pattern, 'text')}`);
    }
    case 'number': {
      const ok = (v: unknown): v is number =>
        typeof v === 'number' && Number.isFinite(v) && (!spec.integer || Number.isInteger(v));
      const expect = spec.integer ? 'a whole number' : 'a number';
      if (op === 'between') {
        if (
          !Array.isArray(value) ||
          value.length !== 2 ||
          !ok(value[0]) ||
          !ok(value[1]) ||
          value[0] > value[1]
        ) {
          return fail('.value', `[low, high] with low ≤ high, each ${expect}`);
        }
        return never(`${e} between ${bind(value[0], 'numeric')} and ${bind(value[1], 'numeric')}`);
      }
      if (!ok(value)) return fail('.value', expect);
      const sym = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }[op as 'eq'];
      if (op === 'neq') return `not ${never(`${e} = ${bind(value, 'numeric')}`)}`;
      return never(`${e} ${sym} ${bind(value, 'numeric')}`);
    }
    case 'time': {
      if (op === 'withinLastDays' || op === 'moreThanDaysAgo' || op === 'withinNextDays') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 36500) {
          return fail('.value', 'a whole number of days, 0 to 36500');
        }
        const now = bind(ctx.now.toISOString(), 'timestamptz');
        const span = `${bind(value, 'int')} * interval '1 day'`;
        if (op === 'withinLastDays') return never(`${e} >= ${now} - ${span}`);
        if (op === 'moreThanDaysAgo') return never(`${e} < ${now} - ${span}`);
        return never(`(${e} >= ${now} and ${e} < ${now} + ${span})`);
      }
      if (op === 'between') {
        const from = Array.isArray(value) && value.length === 2 ? dayStart(value[0], ctx, 0) : null;
        const to = Array.isArray(value) && value.length === 2 ? dayStart(value[1], ctx, 1) : null;
        if (!from || !to || from >= to) {
          return fail('.value', '[first day, last day] as YYYY-MM-DD dates, first ≤ last');
        }
        return never(`(${e} >= ${bind(from, 'timestamptz')} and ${e} < ${bind(to, 'timestamptz')})`);
      }
      const day = dayStart(value, ctx, 0);
      if (!day) return fail('.value', 'a date, YYYY-MM-DD');
      return never(`${e} ${op === 'before' ? '<' : '>='} ${bind(day, 'timestamptz')}`);
    }
    case 'tier': {
      const rank = (v: unknown) => (typeof v === 'string' ? ctx.tierKeys.indexOf(v) : -1);
      const expect = `one of the shop's tiers: ${ctx.tierKeys.join(', ')}`;
      if (op === 'in' || op === 'notIn') {
        const ranks = Array.isArray(value) ? value.map(rank) : [];
        if (ranks.length === 0 || ranks.includes(-1)) return fail('.value', `a list, each ${expect}`);
        const sql = `${e} = any(${bind(ranks, 'int[]')})`;
        return op === 'in' ? sql : `not ${sql}`;
      }
      const r = rank(value);
      if (r < 0) return fail('.value', expect);
      const sym = { eq: '=', neq: '<>', gte: '>=', lte: '<=' }[op as 'eq'];
      return `${e} ${sym} ${bind(r, 'int')}`;
    }
    case 'tags': {
      const names = Array.isArray(value) ? value : [];
      const unknown = names.filter((n) => typeof n !== 'string' || !ctx.tagIds.has(n));
      if (names.length === 0 || names.length > 100) return fail('.value', 'a list of 1 to 100 tag names');
      if (unknown.length > 0) return fail('.value', `no such tag: ${unknown.map(String).join(', ')}`);
      const ids = bind([...new Set(names.map((n) => ctx.tagIds.get(n as string)!))], 'uuid[]');
      // The row's tag_ids follows customer_tags (triggers, migration 0015): a test on the row, no join.
      if (op === 'hasAll') return `${e} @> ${ids}`;
      return op === 'hasAny' ? `${e} && ${ids}` : `not (${e} && ${ids})`;
    }
  }
}

/** The start of a shop-local day given as YYYY-MM-DD, `plus` days later. */
function dayStart(value: unknown, ctx: SegmentContext, plus: number): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return startOfLocalDay(y, mo, d + plus, ctx.timeZone).toISOString();
}

function pathOf(at: string, path: PropertyKey[]): string {
  return path.reduce<string>((s, k) => `${s}.${String(k)}`, at);
}
