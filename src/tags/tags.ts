// The tags area owns tags and who carries them (customer_tags). A tag is applied by hand, or by a rule —
// a segment rule tree (segments/rule.ts) that rules.ts keeps true: new orders tag their buyers in the
// same transaction, and a new or changed rule is back-filled over every customer by a job.
// Each tag keeps its member count, moved with every change to its members.
//
// This file: defining tags, and applying manual ones.
import { z } from 'zod';
import { isUniqueViolation, type Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { compileSegment } from '../segments/compile.js';
import { segmentContext } from '../segments/context.js';
import { Rule } from '../segments/rule.js';

export const TagInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  group: z.string().trim().min(1).max(100).nullable().default(null).describe('e.g. skin type'),
  rule: Rule.nullable()
    .default(null)
    .describe('applied automatically to every customer the rule matches; null for a tag applied by hand'),
});
export type TagInput = z.input<typeof TagInput>;

export interface Tag {
  tagId: string;
  name: string;
  group: string | null;
  rule: Rule | null;
  customerCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `tag_id as "tagId", name, tag_group as "group", rule, customer_count as "customerCount",
  created_at as "createdAt", updated_at as "updatedAt"`;

/**
 * Every tag with its count. A rule that no longer compiles (it names a tier since renamed) is skipped by
 * ingestion and the back-fill, so the list says what is wrong with it.
 */
export async function listTags(
  db: Queryable,
  shopId: string,
): Promise<(Tag & { ruleProblem: string | null })[]> {
  const tags = await db.query<Tag>(
    `select ${columns} from tags where shop_id = $1 order by tag_group nulls last, name`,
    [shopId],
  );
  const ctx = await segmentContext(db, shopId);
  return tags.map((tag) => {
    let ruleProblem: string | null = null;
    if (tag.rule) {
      try {
        compileSegment(tag.rule, ctx, { allowTags: false });
      } catch (err) {
        ruleProblem =
          err instanceof AppError
            ? err.details.map((d) => `${d.field}: ${d.message}`).join('; ') || err.message
            : String(err);
      }
    }
    return { ...tag, ruleProblem };
  });
}

export async function getTag(db: Queryable, shopId: string, tagId: string): Promise<Tag> {
  if (!isUuid(tagId)) throw AppError.notFound('Tag');
  const [tag] = await db.query<Tag>(`select ${columns} from tags where shop_id = $1 and tag_id = $2`, [
    shopId,
    tagId,
  ]);
  if (!tag) throw AppError.notFound('Tag');
  return tag;
}

/** A rule tag's rule must compile, and may not read tags: tags would then depend on the order they run in. */
async function checkRule(db: Queryable, shopId: string, rule: Rule | null, field: string): Promise<void> {
  if (rule) compileSegment(rule, await segmentContext(db, shopId), { allowTags: false, where: field });
}

const nameTaken = (name: string) => (err: unknown) => {
  if (isUniqueViolation(err)) {
    throw AppError.invalid('Tag name taken', [{ field: 'name', message: `'${name}' exists` }]);
  }
  throw err;
};

/** `field` names where the rule came from in the request, for the error details. */
export async function createTag(
  db: Queryable,
  shopId: string,
  input: TagInput,
  field = 'rule',
): Promise<Tag> {
  const t = TagInput.parse(input);
  await checkRule(db, shopId, t.rule, field);
  const [tag] = await db
    .query<Tag>(
      `insert into tags (shop_id, tag_id, name, tag_group, rule) values ($1, $2, $3, $4, $5) returning ${columns}`,
      [shopId, uuidv7(), t.name, t.group, t.rule && JSON.stringify(t.rule)],
    )
    .catch(nameTaken(t.name));
  return tag!;
}

/**
 * Renames, regroups or changes the rule, and says whether the rule changed (then it needs a back-fill). A tag that loses its rule keeps its members, now kept by hand;
 * one that gains or changes a rule is brought in line by the next back-fill.
 */
export async function updateTag(
  db: Queryable,
  shopId: string,
  tagId: string,
  input: TagInput,
  field = 'rule',
): Promise<{ tag: Tag; ruleChanged: boolean }> {
  const t = TagInput.parse(input);
  const before = await getTag(db, shopId, tagId);
  await checkRule(db, shopId, t.rule, field);
  const [tag] = await db
    .query<Tag>(
      `update tags set name = $3, tag_group = $4, rule = $5, updated_at = now()
      where shop_id = $1 and tag_id = $2 returning ${columns}`,
      [shopId, tagId, t.name, t.group, t.rule && JSON.stringify(t.rule)],
    )
    .catch(nameTaken(t.name));
  return { tag: tag!, ruleChanged: JSON.stringify(before.rule) !== JSON.stringify(tag!.rule) };
}

/** Deletes a tag; each customer who carried it gets a 'tag.removed' event. */
export async function deleteTag(db: Queryable, shopId: string, tagId: string, source: string): Promise<void> {
  const tag = await getTag(db, shopId, tagId);
  await db.query(
    `with gone as (delete from customer_tags where shop_id = $1 and tag_id = $2 returning customer_id)
     insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
     select $1, gen_random_uuid(), customer_id, 'tag.removed', now(), $3,
            jsonb_build_object('tagId', $2::uuid, 'tag', $4::text, 'deleted', true)
       from gone`,
    [shopId, tagId, source, tag.name],
  );
  await db.query('delete from tags where shop_id = $1 and tag_id = $2', [shopId, tagId]);
}

/**
 * Adds (or takes off) a manual tag for some customers. Tagging a tagged customer, or untagging an
 * untagged one, changes nothing. Rule tags follow their rule only.
 */
export async function setManualTag(
  db: Queryable,
  shopId: string,
  tagId: string,
  customerIds: string[],
  on: boolean,
  source: string,
): Promise<{ changed: number }> {
  const tag = await getTag(db, shopId, tagId);
  if (tag.rule) {
    throw AppError.invalid(`'${tag.name}' follows its rule and cannot be set by hand`, [
      { field: 'tagId', message: 'a rule tag' },
    ]);
  }
  const bad = customerIds.filter((id) => !isUuid(id));
  if (bad.length > 0) throw AppError.notFound(`Customer ${bad[0]}`);
  const found = await db.query<{ id: string }>(
    `select c.customer_id as id from customers c where c.shop_id = $1 and c.customer_id = any($2::uuid[])`,
    [shopId, customerIds],
  );
  if (found.length !== new Set(customerIds).size) {
    const known = new Set(found.map((f) => f.id));
    throw AppError.notFound(`Customer ${customerIds.find((id) => !known.has(id))}`);
  }
  const change = on
    ? `insert into customer_tags (shop_id, tag_id, customer_id, source)
         select $1, $2, unnest($3::uuid[]), $4 on conflict do nothing returning customer_id`
    : `delete from customer_tags where shop_id = $1 and tag_id = $2 and customer_id = any($3::uuid[])
         returning customer_id`;
  const [row] = await db.query<{ changed: number }>(
    `with changed as (${change}),
     events as (
       insert into customer_events (shop_id, event_id, customer_id, type, occurred_at, source, data)
       select $1, gen_random_uuid(), customer_id, $5, now(), $4, jsonb_build_object('tagId', $2::uuid, 'tag', $6::text)
         from changed),
     counted as (
       update tags set customer_count = customer_count + $7 * (select count(*) from changed)
        where shop_id = $1 and tag_id = $2)
     select count(*)::int as changed from changed`,
    [shopId, tagId, customerIds, source, on ? 'tag.added' : 'tag.removed', tag.name, on ? 1 : -1],
  );
  return { changed: row!.changed };
}

export async function customerTags(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<(Pick<Tag, 'tagId' | 'name' | 'group'> & { manual: boolean; source: string; taggedAt: Date })[]> {
  return db.query(
    `select t.tag_id as "tagId", t.name, t.tag_group as "group", t.rule is null as manual,
            ct.source, ct.tagged_at as "taggedAt"
       from customer_tags ct join tags t using (shop_id, tag_id)
      where ct.shop_id = $1 and ct.customer_id = $2
      order by t.tag_group nulls last, t.name`,
    [shopId, customerId],
  );
}

/** Two profiles became one: the survivor carries every tag either carried, and each count loses the double. */
export async function carryTags(tx: Queryable, shopId: string, survivorId: string, otherIds: string[]) {
  await tx.query(
    `with gone as (
       delete from customer_tags where shop_id = $1 and customer_id = any($3::uuid[])
       returning tag_id, source, tagged_at
     ), kept as (
       insert into customer_tags (shop_id, tag_id, customer_id, source, tagged_at)
       select distinct on (tag_id) $1, tag_id, $2, source, tagged_at from gone order by tag_id, tagged_at
       on conflict do nothing returning tag_id
     )
     update tags t set customer_count = t.customer_count - d.n + (select count(*) from kept k where k.tag_id = t.tag_id)
       from (select tag_id, count(*) as n from gone group by tag_id) d
      where t.shop_id = $1 and t.tag_id = d.tag_id`,
    [shopId, survivorId, otherIds],
  );
}

/**
 * The tags a customers export gave its people (Shopify's "Tags"), by name: a name the shop has as a
 * manual tag is put on them, a new name becomes a manual tag. A name the shop keeps as a rule tag follows
 * its rule, not the file: those are answered, by customer, for the import's report.
 */
export async function tagByName(
  tx: Queryable,
  shopId: string,
  people: { customerId: string; tags: string[] }[],
  source: string,
): Promise<{ customerId: string; tag: string }[]> {
  const names = [...new Set(people.flatMap((p) => p.tags))];
  if (names.length === 0) return [];
  await tx.query(
    `insert into tags (shop_id, tag_id, name) select $1, n.id, n.name from unnest($2::text[], $3::uuid[]) as n(name, id)
     on conflict (shop_id, name) do nothing`,
    [shopId, names, names.map(() => uuidv7())],
  );
  const tags = await tx.query<{ tagId: string; name: string; ruled: boolean }>(
    `select tag_id as "tagId", name, rule is not null as ruled from tags where shop_id = $1 and name = any($2::text[])`,
    [shopId, names],
  );
  const refused: { customerId: string; tag: string }[] = [];
  for (const tag of tags) {
    const customerIds = [
      ...new Set(people.filter((p) => p.tags.includes(tag.name)).map((p) => p.customerId)),
    ];
    if (tag.ruled) refused.push(...customerIds.map((customerId) => ({ customerId, tag: tag.name })));
    else await setManualTag(tx, shopId, tag.tagId, customerIds, true, source);
  }
  return refused;
}
