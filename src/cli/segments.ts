// `regulars segment count|export FILE.json` and `regulars tags backfill`: segments from the terminal.
// FILE.json holds a rule tree (segments/rule.ts), alone or as the `rule` of a saved segment's JSON.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { prepareExport, segmentCsv, segmentXlsx } from '../segments/export.js';
import { countSegment } from '../segments/segments.js';
import { TAGS_BACKFILL } from '../tags/jobs.js';
import { pickShop, withDb } from './context.js';
import { jobCommand } from './jobs.js';

async function readRule(file: string): Promise<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw AppError.invalid(`${file} is not a JSON file: ${err instanceof Error ? err.message : String(err)}`);
  }
  const wrapped = json !== null && typeof json === 'object' && !('type' in json) && 'rule' in json;
  return wrapped ? (json as { rule: unknown }).rule : json;
}

export function segmentCommands(program: Command): void {
  const segment = program.command('segment').description('segments: rule trees over customers');
  segment
    .command('count')
    .argument('<file>', 'a JSON rule tree')
    .description('count the customers the rule matches now')
    .option('--shop <id>')
    .action((file: string, o: { shop?: string }) =>
      withDb(async (db) => {
        const rule = await readRule(file);
        const shopId = await pickShop(db, o.shop);
        const started = performance.now();
        const { customers, of } = await countSegment(db, shopId, rule);
        const ms = (performance.now() - started).toFixed(1);
        const share = of > 0 ? ((100 * customers) / of).toFixed(1) : '0.0';
        console.log(`${customers} of ${of} customers (${share}%) in ${ms} ms`);
      }),
    );
  segment
    .command('export')
    .argument('<file>', 'a JSON rule tree')
    .requiredOption('--out <path>', 'where to write: .csv or .xlsx')
    .description("write the matching customers' profiles to a CSV or XLSX file")
    .option('--shop <id>')
    .action((file: string, o: { out: string; shop?: string }) =>
      withDb(async (db) => {
        const format = /\.xlsx$/i.test(o.out) ? 'xlsx' : /\.csv$/i.test(o.out) ? 'csv' : null;
        if (!format)
          throw AppError.invalid('--out must end in .csv or .xlsx', [{ field: '--out', message: o.out }]);
        const prepared = await prepareExport(db, await pickShop(db, o.shop), { rule: await readRule(file) });
        const source =
          format === 'xlsx' ? segmentXlsx(db, prepared) : Readable.from(segmentCsv(db, prepared));
        await pipeline(source, createWriteStream(o.out));
        console.log(`wrote ${o.out}`);
      }),
    );

  const tags = program.command('tags').description('customer tags');
  jobCommand(tags, 'backfill', 'apply every rule tag to every customer now', TAGS_BACKFILL, 'tagging');
}
