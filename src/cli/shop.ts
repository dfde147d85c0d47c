// `regulars shop create | set | list | export | delete`: the shops (tenants), their settings, and a shop's
// offboarding.
import type { Command } from 'commander';
import { REBUILD_ROLLUP } from '../analytics/jobs.js';
import { AppError } from '../errors.js';
import { deleteShop } from '../shops/deletion.js';
import { exportShop } from '../shops/export.js';
import { removeShopFiles } from '../shops/files.js';
import { createShop, getShop, listShops, ShopChange, updateShop } from '../shops/shops.js';
import { pickShop, withDb } from './context.js';
import { runInForeground } from './jobs.js';

const FLAGS: Record<keyof ShopChange, string> = {
  name: '--name',
  currency: '--currency',
  timeZone: '--time-zone',
  phoneRegion: '--phone-region',
};

const line = (s: { shopId: string; name: string; currency: string; timeZone: string; phoneRegion: string }) =>
  `${s.shopId}  ${s.name}  ${s.currency}  ${s.timeZone}  ${s.phoneRegion}`;

export function shopCommands(program: Command): void {
  const shop = program.command('shop').description('shops (tenants)');
  shop
    .command('create')
    .requiredOption('--name <name>')
    .option('--currency <code>', 'ISO 4217', 'CNY')
    .option('--time-zone <zone>', 'IANA time zone', 'Asia/Shanghai')
    .option('--phone-region <code>', 'country for phone numbers without a country code', 'CN')
    .action((o: { name: string; currency: string; timeZone: string; phoneRegion: string }) =>
      withDb(
        async (db) => {
          const s = await createShop(db, o);
          console.log(`Shop ${s.shopId} created.`);
        },
        { light: true },
      ),
    );
  shop
    .command('set')
    .description("change the shop's name, currency (only while it has no orders), time zone or phone region")
    .option('--name <name>')
    .option('--currency <code>', 'ISO 4217')
    .option('--time-zone <zone>', "IANA time zone; the dashboard's days are recomputed")
    .option('--phone-region <code>', 'country for phone numbers without a country code')
    .option('--shop <id>')
    .action(({ shop: id, ...wanted }: ShopChange & { shop?: string }) =>
      withDb(async (db, config) => {
        const shopId = await pickShop(db, id);
        const change = ShopChange.safeParse(wanted);
        if (!change.success)
          throw AppError.invalid(
            'Cannot change the shop',
            change.error.issues.map((i) => ({
              field: FLAGS[i.path[0] as keyof ShopChange] ?? 'options',
              message: i.message,
            })),
          );
        const before = await getShop(db, shopId);
        const after = await updateShop(db, shopId, change.data);
        console.log(line(after));
        if (after.timeZone !== before.timeZone)
          await runInForeground(
            db,
            config,
            shopId,
            REBUILD_ROLLUP,
            "recomputing the dashboard's days",
            'days',
          );
      }),
    );
  shop.command('list').action(() =>
    withDb(
      async (db) => {
        for (const s of await listShops(db)) console.log(line(s));
      },
      { light: true },
    ),
  );
  shop
    .command('export')
    .description("write every table's rows of the shop as CSV files, with a manifest, into a new folder")
    .requiredOption('--shop <id>')
    .requiredOption('--out <dir>', 'a new or empty folder')
    .action((o: { shop: string; out: string }) =>
      withDb(async (db) => {
        const manifest = await exportShop(db, await pickShop(db, o.shop), o.out, {
          onTable: (table, rows) => console.log(`${table}.csv: ${rows} rows`),
        });
        const rows = Object.values(manifest.tables).reduce((a, b) => a + b, 0);
        console.log(
          `wrote ${rows} rows of ${Object.keys(manifest.tables).length} tables to ${o.out} (manifest.json says what is there)`,
        );
      }),
    );
  shop
    .command('delete')
    .description('delete a shop and everything it holds, for good (not while its imports or jobs run)')
    .requiredOption('--shop <id>')
    .requiredOption('--confirm <name>', "the shop's name, exactly, to say this is the one")
    .action((o: { shop: string; confirm: string }) =>
      withDb(async (db, config) => {
        const shopId = await pickShop(db, o.shop);
        const { name } = await getShop(db, shopId);
        if (o.confirm !== name)
          throw AppError.invalid(`Not deleted: --confirm must be the shop's name exactly`, [
            { field: '--confirm', message: `the shop is named "${name}"` },
          ]);
        const deleted = await deleteShop(db, shopId);
        await removeShopFiles(deleted, config);
        const total = Object.values(deleted.rows).reduce((a, b) => a + b, 0);
        console.log(
          `Deleted shop ${shopId} (${name}): ${total} rows from ${Object.keys(deleted.rows).length} tables.`,
        );
      }),
    );
}
