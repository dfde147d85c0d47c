// Rule tags kept true: for a set of customers, each rule tag is added to those its rule now matches and
// taken off those it no longer does, with a timeline event for each change and the tag's count moved by
// the difference — one statement for all of them. Ingestion runs it for a batch's buyers in the batch's
// transaction; the back-fill job runs it over the whole shop, a tag per transaction, when a rule is new
// or changed and nightly (rules on "the last 90 days", RFM or predictions move with the calendar).
// Over the whole shop the statement is not scoped to a list of customers at all: PostgreSQL then reads
// each table once (hash semi-joins), where chunks of ids would probe the order index per customer; for a
// batch's buyers the rule's correlated subqueries probe the indexes of those few customers only.
import { timestamptzArray, uuidArray } from '../db/arrays.js';
import type { Db, Queryable } from '../db/db.js';
import { lockShopIngest } from '../customers/resolve.js';
import { compileSegment, type SegmentContext } from '../segments/compile.js';
import { segmentContext } from '../segments/context.js';
import type { Rule } from '../segments/rule.js';

interface RuleTag {
  tagId: string;
  name: string;
  rule: Rule;
}

async function ruleTags(db: Queryable, shopId: string): Promise<RuleTag[]> {
  return db.query<RuleTag>(
    'select tag_id as "tagId", name, rule from tags where shop_id = $1 and rule is not null order by tag_id',
    [shopId],
  );
}

export interface TagChanges {
  added: number;
  removed: number;
  /** Rule tags whose rule no longer compiles (it names a tier since renamed): left as they were. */
  invalid: string[];
}

/**
 * Brings every rule tag in line for `customerIds` (or every customer), inside the caller's transaction,
 * in one statement for all the tags: for an order's buyer, one statement per tag was two thirds of its
 * ingestion (planning a statement of five parts six times over).
 */
export async function applyRuleTags(
  tx: Queryable,
  shopId: string,
  customerIds: string[] | 'all',
  source: string,
  at: Date,
  options: {
    known?: { tags: RuleTag[]; ctx: SegmentContext };
    /**
     * When each customer's change happened, if before `at` (the payment of an order an import brings
     * from the past): their tags are dated then, as their points are. The rules are judged at `at`.
     */
    when?: ReadonlyMap<string, Date>;
  } = {},
): Promise<TagChanges> {
  const { known, when = new Map<string, Date>() } = options;
  const invalid: string[] = [];
  const none = { added: 0, removed: 0, invalid };
  if (customerIds.length === 0) return none;
  const tags = known?.tags ?? (await ruleTags(tx, shopId));
  if (tags.length === 0) return none;
  const ctx = known?.ctx ?? (await segmentContext(tx, shopId, at));
  const ids = customerIds === 'all' ? null : [...new Set(customerIds)];
  const valid: RuleTag[] = [];
  const wants: string[] = [];
  // $1–$8 are the statement's own; each rule's parameters follow those of the rules before it.
  const params: unknown[] = [];
  for (const tag of tags) {
    let rule;
    try {
      rule = compileSegment(tag.rule, ctx, {
        firstParam: 9 + params.length,
        allowTags: false,
        perCustomer: ids !== null,
      });
    } catch {
      // A broken rule must not stop orders coming in; the tag list says what is wrong (ruleProblem).
      invalid.push(tag.name);
      continue;
    }
    valid.push(tag);
    params.push(...rule.params);
    wants.push(`select ($5::uuid[])[${valid.length}] as tag_id, c.customer_id from customers c
                 where c.shop_id = $1 and ${judged('c.customer_id')} and ${rule.where}`);
  }
  if (valid.length === 0) return none;
  const [row] = await tx.query<{ added: number; removed: number }>(
    `with want as (
       ${wants.join('\n       union all ')}
     ), dated as (
       select * from unnest($7::uuid[], $8::timestamptz[]) as d(customer_id, at)
     ), gone as (
       delete from customer_tags t
        where t.shop_id = $1 and t.tag_id = any($5::uuid[]) and ${judged('t.customer_id')}
          and not exists (select 1 from want w where w.tag_id = t.tag_id and w.customer_id = t.customer_id)
       returning t.tag_id, t.customer_id
     ), added as (
       -- Members already tagged are left out by an anti-join: a conflict check per member cost 3 s of a
       -- nightly back-fill's 3.7 s for a tag of 450,000. The back-fill forbids nested loops, which
       -- would re-read the index entries this very statement inserts (quadratic at a million
       -- customers). The conflict clause stays, so that a row there anyway is never an error. For
       -- the buyers of a batch, the anti-join reads their entries only: planned on a tag's stale
       -- statistics, it had read all of the tag's members for every batch.
       insert into customer_tags (shop_id, tag_id, customer_id, source, tagged_at)
       select $1, w.tag_id, w.customer_id, 'rule', coalesce(d.at, $3) from want w
         left join dated d on d.customer_id = w.customer_id
        where not exists (select 1 from customer_tags t
                           where t.shop_id = $1 and t.tag_id = any($5::uuid[]) and t.tag_id = w.tag_id
                             and t.customer_id = w.customer_id and ${judged('t.customer_id')})
       on conflict do nothing returning tag_id, customer_id, tagged_at
     ), changed as (
       select tag_id, customer_id, 'tag.added' as type, 1 as delta, tagged_at as at from added
       union all
       select g.tag_id, g.customer_id, 'tag.removed', -1, coalesce(d.at, $3) from gone g
         left join dated d on d.customer_id = g.customer_id
     ), events as (
       insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
       select $1, gen_random_uuid(), ch.customer_id, ch.type, ch.at, $4, jsonb_build_object('tagId', ch.tag_id, 'tag', n.name)
         from changed ch join unnest($5::uuid[], $6::text[]) as n(tag_id, name) using (tag_id)
     ), counted as (
       -- Only the tags that moved: most orders move none, and a new row version of each tag (with its
       -- foreign-key check) per order would be for nothing.
       update tags g set customer_count = g.customer_count + d.delta
         from (select tag_id, sum(delta) as delta from changed group by tag_id) d
        where g.shop_id = $1 and g.tag_id = d.tag_id
     )
     select (select count(*)::int from added) as added, (select count(*)::int from gone) as removed`,
    [
      shopId,
      ids && uuidArray(ids),
      at.toISOString(),
      source,
      valid.map((t) => t.tagId),
      valid.map((t) => t.name),
      uuidArray([...when.keys()]),
      timestamptzArray([...when.values()].map((d) => (d < at ? d : at))),
      ...params,
    ],
  );
  return { ...row!, invalid };
}

/** Whether a customer column is one of those judged ($2), or any when $2 is null (the whole shop). */
const judged = (column: string) => `($2::uuid[] is null or ${column} = any($2::uuid[]))`;

/**
 * Re-applies every rule tag to every customer, one tag per transaction under the shop's ingest lock (so
 * an import running meanwhile never has its buyers judged on a stale read). Safe to cut off and run again.
 */
export async function backfillRuleTags(
  db: Db,
  shopId: string,
  at: Date,
  progress?: (done: number, total: number) => Promise<void>,
): Promise<TagChanges & { customers: number; tags: number }> {
  const tags = await ruleTags(db, shopId);
  // The shop's counter (migration 0019) rather than a pass over its customers.
  const [{ customers } = { customers: 0 }] = await db.query<{ customers: number }>(
    'select customers::int from shop_customer_counts where shop_id = $1',
    [shopId],
  );
  const sum = { added: 0, removed: 0, invalid: [] as string[], customers, tags: tags.length };
  const ctx = await segmentContext(db, shopId, at);
  for (const [n, tag] of tags.entries()) {
    const changes = await db.transaction(async (tx) => {
      await lockShopIngest(tx, shopId);
      // Over the whole shop every join is large: a nested loop chosen on stale estimates (a tag just
      // created has no statistics) would compare each member with every matching customer.
      await tx.query('set local enable_nestloop = off');
      return applyRuleTags(tx, shopId, 'all', 'rule', at, { known: { tags: [tag], ctx } });
    });
    sum.added += changes.added;
    sum.removed += changes.removed;
    sum.invalid.push(...changes.invalid);
    // Progress in customers judged: each tag judges every customer once.
    await progress?.(Math.round((customers * (n + 1)) / tags.length), customers);
  }
  return sum;
}
