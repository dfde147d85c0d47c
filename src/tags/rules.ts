// Rule tags kept true: for a set of customers, each rule tag is added to those its rule now matches and
// taken off those it no longer does, with a timeline event for each change and the tag's count moved by
// the difference — one statement per tag. Ingestion runs it for a batch's buyers in the batch's
// transaction; the back-fill job runs it over the whole shop, a tag per transaction, when a rule is new
// or changed and nightly (rules on "the last 90 days", RFM or predictions move with the calendar).
// Over the whole shop the statement is not scoped to a list of customers at all: PostgreSQL then reads
// each table once (hash semi-joins), where chunks of ids would probe the order index per customer; for a
// batch's buyers the rule's correlated subqueries probe the indexes of those few customers only.
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

/** Brings every rule tag in line for `customerIds` (or every customer), inside the caller's transaction. */
export async function applyRuleTags(
  tx: Queryable,
  shopId: string,
  customerIds: string[] | 'all',
  source: string,
  at: Date,
  known?: { tags: RuleTag[]; ctx: SegmentContext },
): Promise<TagChanges> {
  const total: TagChanges = { added: 0, removed: 0, invalid: [] };
  if (customerIds.length === 0) return total;
  const tags = known?.tags ?? (await ruleTags(tx, shopId));
  if (tags.length === 0) return total;
  const ctx = known?.ctx ?? (await segmentContext(tx, shopId, at));
  const ids = customerIds === 'all' ? null : [...new Set(customerIds)];
  // $2 is the customers judged, or null for all of them.
  const judged = (column: string) => `($2::uuid[] is null or ${column} = any($2::uuid[]))`;
  for (const tag of tags) {
    let rule;
    try {
      rule = compileSegment(tag.rule, ctx, { firstParam: 7, allowTags: false, perCustomer: ids !== null });
    } catch {
      // A broken rule must not stop orders coming in; the tag list says what is wrong (ruleProblem).
      total.invalid.push(tag.name);
      continue;
    }
    const [row] = await tx.query<{ added: number; removed: number }>(
      `with want as (
         select c.customer_id from customers c
          where c.shop_id = $1 and ${judged('c.customer_id')} and ${rule.where}
       ), gone as (
         delete from customer_tags t
          where t.shop_id = $1 and t.tag_id = $3 and ${judged('t.customer_id')}
            and not exists (select 1 from want w where w.customer_id = t.customer_id)
         returning t.customer_id
       ), added as (
         -- Members already tagged are left out by an anti-join: a conflict check per member cost 3 s of a
         -- nightly back-fill's 3.7 s for a tag of 450,000. The back-fill forbids nested loops, which
         -- would re-read the index entries this very statement inserts (quadratic at a million
         -- customers). The conflict clause stays, so that a row there anyway is never an error. For
         -- the buyers of a batch, the anti-join reads their entries only: planned on a tag's stale
         -- statistics, it had read all of the tag's members for every batch.
         insert into customer_tags (shop_id, tag_id, customer_id, source, tagged_at)
         select $1, $3, w.customer_id, 'rule', $4 from want w
          where not exists (select 1 from customer_tags t
                             where t.shop_id = $1 and t.tag_id = $3 and t.customer_id = w.customer_id
                               and ${judged('t.customer_id')})
         on conflict do nothing returning customer_id
       ), events as (
         insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
         select $1, gen_random_uuid(), customer_id, type, $4, $5, jsonb_build_object('tagId', $3::uuid, 'tag', $6::text)
           from (select customer_id, 'tag.added' as type from added
                 union all select customer_id, 'tag.removed' from gone) changed
       ), counted as (
         -- Not rewritten when nothing moved, as for most orders: a new row version of the tag (and its
         -- foreign-key check) per order per rule tag, for nothing.
         update tags set customer_count = customer_count + (select count(*) from added) - (select count(*) from gone)
          where shop_id = $1 and tag_id = $3 and (exists (select from added) or exists (select from gone))
       )
       select (select count(*)::int from added) as added, (select count(*)::int from gone) as removed`,
      [shopId, ids, tag.tagId, at.toISOString(), source, tag.name, ...rule.params],
    );
    total.added += row!.added;
    total.removed += row!.removed;
  }
  return total;
}

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
      return applyRuleTags(tx, shopId, 'all', 'rule', at, { tags: [tag], ctx });
    });
    sum.added += changes.added;
    sum.removed += changes.removed;
    sum.invalid.push(...changes.invalid);
    // Progress in customers judged: each tag judges every customer once.
    await progress?.(Math.round((customers * (n + 1)) / tags.length), customers);
  }
  return sum;
}
