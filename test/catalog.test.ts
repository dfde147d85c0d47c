// Citus readiness: every table can be distributed by shop_id. It must carry shop_id, lead its primary
// key and every unique key with it, and put it in every foreign key on both sides.
import { expect, it } from 'vitest';
import { describeEachDb } from './support/databases.js';

// Global bookkeeping that Citus would keep as reference tables: the migrations run, and the wrong
// passwords counted per client address (an address belongs to no shop).
const GLOBAL = new Set(['schema_migrations', 'sign_in_addresses']);

describeEachDb('schema', ({ db }) => {
  it('leads every key of every table with shop_id and includes it in every foreign key', async () => {
    const tables = await db().query<{ table: string; hasShop: boolean }>(
      `select c.relname as table,
              exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'shop_id' and not a.attisdropped) as "hasShop"
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`,
    );
    const constraints = await db().query<{
      table: string;
      name: string;
      type: string;
      columns: string[];
      refColumns: string[] | null;
    }>(
      `select c.conrelid::regclass::text as table, c.conname as name, c.contype as type,
              array(select a.attname from unnest(c.conkey) with ordinality k(n, i)
                      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
              case when c.contype = 'f' then
                array(select a.attname from unnest(c.confkey) with ordinality k(n, i)
                        join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i)::text[] end as "refColumns"
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'public' and c.contype in ('p', 'u', 'f')`,
    );
    const uniqueIndexes = await db().query<{ table: string; name: string; first: string | null }>(
      `select t.relname as table, i.relname as name,
              (select a.attname from pg_attribute a where a.attrelid = t.oid and a.attnum = x.indkey[0]) as first
         from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
         join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = 'public' and x.indisunique`,
    );
    expect(tables.length).toBeGreaterThan(8);

    const problems: string[] = [];
    for (const t of tables) {
      if (GLOBAL.has(t.table)) continue;
      if (!t.hasShop) problems.push(`${t.table}: no shop_id column`);
      if (!constraints.some((c) => c.table === t.table && c.type === 'p'))
        problems.push(`${t.table}: no primary key`);
    }
    for (const c of constraints) {
      if (GLOBAL.has(c.table)) continue;
      if ((c.type === 'p' || c.type === 'u') && c.columns[0] !== 'shop_id') {
        problems.push(`${c.table}.${c.name}: key (${c.columns.join(', ')}) does not lead with shop_id`);
      }
      if (
        c.type === 'f' &&
        !(c.columns.includes('shop_id') && c.refColumns?.[c.columns.indexOf('shop_id')] === 'shop_id')
      ) {
        problems.push(
          `${c.table}.${c.name}: foreign key (${c.columns.join(', ')}) does not carry shop_id to shop_id`,
        );
      }
    }
    for (const i of uniqueIndexes) {
      if (!GLOBAL.has(i.table) && i.first !== 'shop_id')
        problems.push(`${i.table}.${i.name}: unique index does not lead with shop_id`);
    }
    expect(problems).toEqual([]);
  });
});
