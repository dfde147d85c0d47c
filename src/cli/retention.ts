// `regulars retention show | set | prune`: how long the shop keeps its activity record and the refused
// cells of its imports, as the owner sets them on the Shop & staff page.
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { getRetention, PRUNE, RetentionSettings, setRetention } from '../shops/retention.js';
import { pickShop, positiveInt, withDb } from './context.js';
import { jobCommand, runInForeground } from './jobs.js';

const FLAGS: Record<keyof RetentionSettings, string> = {
  activityDays: '--activity-days',
  importCellsDays: '--import-cells-days',
};

function describe(s: RetentionSettings): string {
  return `activity record: ${s.activityDays} days; refused import cells: ${s.importCellsDays} days after the import ends`;
}

export function retentionCommands(program: Command): void {
  const retention = program
    .command('retention')
    .description('how long the shop keeps its activity record and refused import cells');
  retention
    .command('show')
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(async (db) => console.log(describe(await getRetention(db, await pickShop(db, o.shop)))), {
        light: true,
      }),
    );
  retention
    .command('set')
    .description('change either period; what is older goes at once')
    .option('--activity-days <n>', 'days of activity to keep (180 to 3650)', positiveInt)
    .option('--import-cells-days <n>', "days an ended import's refused cells stay (1 to 3650)", positiveInt)
    .option('--shop <id>')
    .action(({ shop, ...given }: Partial<RetentionSettings> & { shop?: string }) =>
      withDb(async (db, config) => {
        // Commander sets only the options given: the rest keep their current periods.
        if (Object.keys(given).length === 0)
          throw AppError.invalid('Say what to change: --activity-days, --import-cells-days or both');
        const shopId = await pickShop(db, shop);
        const wanted = RetentionSettings.safeParse({ ...(await getRetention(db, shopId)), ...given });
        if (!wanted.success)
          throw AppError.invalid(
            'Cannot set these periods',
            wanted.error.issues.map((i) => ({
              field: FLAGS[i.path[0] as keyof RetentionSettings],
              message: i.message,
            })),
          );
        console.log(describe(await setRetention(db, shopId, wanted.data)));
        await runInForeground(db, config, shopId, PRUNE, 'pruning');
      }),
    );
  jobCommand(
    retention,
    'prune',
    'let go now of what the periods no longer keep (the server does it every midnight)',
    PRUNE,
    'pruning',
  );
}
