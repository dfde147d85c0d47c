// One profile per real person. Given a batch of inputs that each name a person by one or more identities,
// finds the profile each belongs to, creating profiles for new people and merging profiles that an input
// proves to be one person (a row carrying the phone of one profile and the email of another).
import { textArray, uuidArray } from '../db/arrays.js';
import type { Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { type Identity, type IdentityKind } from './identity.js';
import { mergeCustomers } from './merge.js';
import { fillableFields, foldProfiles, PROFILE_COLUMNS, PROFILE_FIELDS, type Profile } from './profile.js';
import {
  addContribution,
  noContribution,
  STATS_ARRAY_TYPES,
  STATS_COLUMNS,
  statsArrays,
  type StatsContribution,
} from './stats.js';
import { recordEvents, type NewEvent } from './timeline.js';

export interface PersonInput {
  identities: Identity[];
  profile: Profile;
}

export interface ResolveResult {
  customerIds: string[];
  /** Profiles this call created, already carrying the stats contributed by their inputs. */
  createdIds: Set<string>;
  created: number;
  updated: number;
}

/**
 * Ingestion for a shop is serialized: two transactions that both see a new phone number must not both
 * create a profile for it. One lock per shop keeps that simple and costs little, since each batch is short.
 */
export async function lockShopIngest(tx: Queryable, shopId: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 7482019))', [shopId]);
}

const keyOf = (kind: string, value: string) => `${kind}\t${value}`;

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    if (!this.parent.has(x)) this.parent.set(x, x);
    for (let cur = x; cur !== root;) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

type StoredProfile = Profile & { customerId: string };

export async function resolvePeople(
  tx: Queryable,
  shopId: string,
  people: PersonInput[],
  source: string,
  at: Date,
  /** What each input adds to its buyer's stats; a new profile is inserted with them already in place. */
  contributions?: StatsContribution[],
): Promise<ResolveResult> {
  await lockShopIngest(tx, shopId);
  const byKind = new Map<string, Set<string>>();
  for (const p of people) {
    for (const i of p.identities) {
      let values = byKind.get(i.kind);
      if (!values) byKind.set(i.kind, (values = new Set()));
      values.add(i.value);
    }
  }
  const known = new Map<string, string>(); // identity key → customer id
  for (const [kind, values] of byKind) {
    // One primary-key scan per kind with an array of values.
    for (const r of await tx.query<{ value: string; customerId: string }>(
      `select value, customer_id as "customerId" from customer_identities
        where shop_id = $1 and kind = $2 and value = any($3::text[])`,
      [shopId, kind, textArray([...values])],
    )) {
      known.set(keyOf(kind, r.value), r.customerId);
    }
  }

  const uf = new UnionFind();
  people.forEach((p, n) => {
    const node = `p\t${n}`;
    for (const i of p.identities) {
      const k = keyOf(i.kind, i.value);
      uf.union(node, k);
      const existing = known.get(k);
      if (existing) uf.union(k, `c\t${existing}`);
    }
  });

  interface Component {
    people: number[];
    existing: Set<string>;
    keys: Set<string>;
  }
  const components = new Map<string, Component>();
  people.forEach((p, n) => {
    const root = uf.find(`p\t${n}`);
    let c = components.get(root);
    if (!c) components.set(root, (c = { people: [], existing: new Set(), keys: new Set() }));
    c.people.push(n);
    for (const i of p.identities) {
      const k = keyOf(i.kind, i.value);
      c.keys.add(k);
      const existing = known.get(k);
      if (existing) c.existing.add(existing);
    }
  });

  const existingIds = [...new Set([...known.values()])];
  const stored = new Map<string, StoredProfile>();
  if (existingIds.length > 0) {
    const cols = PROFILE_FIELDS.map((f) => `${PROFILE_COLUMNS[f]} as "${f}"`).join(', ');
    for (const row of await tx.query<StoredProfile>(
      `select customer_id as "customerId", ${cols} from customers where shop_id = $1 and customer_id = any($2::uuid[])`,
      [shopId, uuidArray(existingIds)],
    )) {
      stored.set(row.customerId, row);
    }
  }

  const customerIds = new Array<string>(people.length);
  const newCustomers: NewCustomer[] = [];
  const newIdentities: { kind: string; value: string; customerId: string }[] = [];
  const fills: { id: string; profile: Profile }[] = [];
  const events: NewEvent[] = [];
  for (const c of components.values()) {
    const incoming = foldProfiles(c.people.map((n) => people[n]!.profile));
    let id: string;
    if (c.existing.size === 0) {
      id = uuidv7(at.getTime());
      newCustomers.push({
        id,
        profile: incoming,
        stats: sumContributions(c.people.map((n) => contributions?.[n])),
      });
    } else {
      // UUIDv7 ids sort by creation, so the survivor of a merge is the oldest profile.
      const [survivor, ...others] = [...c.existing].sort();
      id = survivor!;
      const current = foldProfiles([survivor!, ...others].map((x) => stored.get(x) ?? {}));
      if (others.length > 0) await mergeCustomers(tx, shopId, id, others, source, at);
      const fields = fillableFields(current, incoming);
      if (fields.length > 0) {
        fills.push({ id, profile: incoming });
        events.push({
          customerId: id,
          type: 'profile.updated',
          occurredAt: at,
          source,
          data: Object.fromEntries(fields.map((f) => [f, incoming[f]])),
        });
      }
    }
    const added: Identity[] = [];
    for (const k of c.keys) {
      if (known.has(k)) continue;
      const [kind, value] = k.split('\t') as [IdentityKind, string];
      newIdentities.push({ kind, value, customerId: id });
      added.push({ kind, value });
    }
    if (c.existing.size > 0 && added.length > 0) {
      events.push({
        customerId: id,
        type: 'identity.added',
        occurredAt: at,
        source,
        data: { identities: added },
      });
    }
    for (const n of c.people) customerIds[n] = id;
  }

  await insertCustomers(tx, shopId, newCustomers, source, at);
  if (newIdentities.length > 0) {
    await tx.query(
      `insert into customer_identities (shop_id, kind, value, customer_id, source)
       select $1, * , $5 from unnest($2::text[], $3::text[], $4::uuid[])`,
      [
        shopId,
        textArray(newIdentities.map((i) => i.kind)),
        textArray(newIdentities.map((i) => i.value)),
        uuidArray(newIdentities.map((i) => i.customerId)),
        source,
      ],
    );
  }
  await fillProfiles(tx, shopId, fills);
  await recordEvents(tx, shopId, events);
  return {
    customerIds,
    createdIds: new Set(newCustomers.map((c) => c.id)),
    created: newCustomers.length,
    updated: new Set(fills.map((f) => f.id)).size,
  };
}

interface NewCustomer {
  id: string;
  profile: Profile;
  stats: StatsContribution;
}

function sumContributions(list: (StatsContribution | undefined)[]): StatsContribution {
  const sum = noContribution();
  for (const c of list) if (c) addContribution(sum, c);
  return sum;
}

function profileArrays(rows: { profile: Profile }[]): unknown[] {
  return PROFILE_FIELDS.map((f) =>
    f === 'birthday' ? rows.map((r) => r.profile[f] ?? null) : textArray(rows.map((r) => r.profile[f])),
  );
}

const profileTypes = PROFILE_FIELDS.map((f) => (f === 'birthday' ? 'date[]' : 'text[]'));
const profileColumnList = PROFILE_FIELDS.map((f) => PROFILE_COLUMNS[f]).join(', ');
const profileUnnest = (firstParam: number) =>
  `unnest($${firstParam}::uuid[], ${profileTypes.map((t, i) => `$${firstParam + 1 + i}::${t}`).join(', ')})
     as u(customer_id, ${profileColumnList})`;

async function insertCustomers(
  tx: Queryable,
  shopId: string,
  rows: NewCustomer[],
  source: string,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const types = ['uuid[]', ...profileTypes, ...STATS_ARRAY_TYPES];
  await tx.query(
    `insert into customers (shop_id, first_source, created_at, customer_id, ${profileColumnList}, ${STATS_COLUMNS})
     select $1, $2, $3, * from unnest(${types.map((t, i) => `$${i + 4}::${t}`).join(', ')})`,
    [
      shopId,
      source,
      at.toISOString(),
      uuidArray(rows.map((r) => r.id)),
      ...profileArrays(rows),
      ...statsArrays(rows.map((r) => r.stats)),
    ],
  );
}

async function fillProfiles(
  tx: Queryable,
  shopId: string,
  rows: { id: string; profile: Profile }[],
): Promise<void> {
  if (rows.length === 0) return;
  const sets = PROFILE_FIELDS.map(
    (f) => `${PROFILE_COLUMNS[f]} = coalesce(c.${PROFILE_COLUMNS[f]}, u.${PROFILE_COLUMNS[f]})`,
  );
  await tx.query(
    `update customers c set ${sets.join(', ')}, updated_at = now()
       from ${profileUnnest(2)}
      where c.shop_id = $1 and c.customer_id = u.customer_id`,
    [shopId, uuidArray(rows.map((r) => r.id)), ...profileArrays(rows)],
  );
}
