// `regulars activity export --out FILE.csv [--from --to --staff]`: the shop's activity record for an audit,
// as the console's download gives it.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { activityCsv, ActivityExportQuery } from '../shops/activity.js';
import { listStaff } from '../shops/staff.js';
import { pickShop, withDb } from './context.js';

export function activityCommands(program: Command): void {
  program
    .command('activity')
    .description('what staff and API keys did')
    .command('export')
    .description("write the activity record to a CSV file, newest first, over the shop's calendar days")
    .requiredOption('--out <path>', 'where to write, a .csv file')
    .option('--from <day>', 'first day, YYYY-MM-DD')
    .option('--to <day>', 'last day (included), YYYY-MM-DD')
    .option('--staff <email>', "only this staff member's")
    .option('--shop <id>')
    .action((o: { out: string; from?: string; to?: string; staff?: string; shop?: string }) =>
      withDb(async (db) => {
        if (!/\.csv$/i.test(o.out))
          throw AppError.invalid('--out must end in .csv', [{ field: '--out', message: o.out }]);
        const shopId = await pickShop(db, o.shop);
        let staffId: string | undefined;
        if (o.staff) {
          const email = o.staff.trim().toLowerCase();
          staffId = (await listStaff(db, shopId)).find((s) => s.email === email)?.staffId;
          if (!staffId) throw AppError.notFound(`Staff member ${email} in shop ${shopId}`);
        }
        const query = ActivityExportQuery.safeParse({ from: o.from, to: o.to, staffId });
        if (!query.success)
          throw AppError.invalid(
            'Cannot export the activity',
            query.error.issues.map((i) => ({ field: `--${String(i.path[0])}`, message: i.message })),
          );
        await pipeline(Readable.from(activityCsv(db, shopId, query.data)), createWriteStream(o.out));
        console.log(`wrote ${o.out}`);
      }),
    );
}
