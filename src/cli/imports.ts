// `regulars import FILE`: an import in the foreground with a progress bar, or with --preview, how the
// file's first orders, people or tickets would import, with nothing written; `regulars imports`: the
// server's.
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../errors.js';
import { FIELDS, FORMAT_NAMES, FORMATS } from '../imports/formats.js';
import {
  cancelImport,
  createImport,
  hasEnded,
  importErrorsCsv,
  listImportErrors,
  listImports,
  sha256File,
  type ImportRecord,
} from '../imports/imports.js';
import { savedMappingNamed } from '../imports/mappings.js';
import { previewImport, PREVIEW_LIMIT, type ImportPreview } from '../imports/preview.js';
import { runImport } from '../imports/run.js';
import { formatAmount } from '../orders/money.js';
import { getShop, type Shop } from '../shops/shops.js';
import { pickShop, positiveInt, withDb } from './context.js';

function mappingEntry(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  const field = value.slice(0, eq);
  if (eq < 1 || !(FIELDS as readonly string[]).includes(field)) {
    throw new InvalidArgumentError(`expected field=column with a field among ${FIELDS.join(', ')}`);
  }
  return { ...previous, [field]: value.slice(eq + 1) };
}

function previewCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > PREVIEW_LIMIT) {
    throw new InvalidArgumentError(`a whole number from 1 to ${PREVIEW_LIMIT}`);
  }
  return n;
}

interface ImportOptions {
  format: string;
  shop?: string;
  source?: string;
  map?: Record<string, string>;
  mapping?: string;
  savedMapping?: string;
  preview?: number | true;
}

/** `regulars imports list | cancel`: the imports the server runs (uploads from the console and API). */
function importsCommands(program: Command): void {
  const imports = program.command('imports').description("the shop's imports: list them, stop one");
  imports
    .command('list')
    .description('the latest imports, newest first')
    .option('--shop <id>', 'the shop (needed when there are several)')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action((o: { shop?: string; limit: number }) =>
      withDb(
        async (db) => {
          const shopId = await pickShop(db, o.shop);
          for (const r of await listImports(db, shopId, o.limit)) {
            const stopping = r.cancelRequestedAt && !hasEnded(r.status) ? ' (stopping)' : '';
            console.log(
              `${r.importId}  ${r.createdAt.toISOString()}  ${r.status}${stopping}  ${r.fileName}  ` +
                `rows ${r.rowsDone}, ${landed(r)}, ${r.errorRows} rows with errors`,
            );
          }
        },
        { light: true },
      ),
    );
  imports
    .command('cancel')
    .description('stop an import: a queued one never starts; a running one stops after its current batch')
    .argument('<importId>')
    .option('--shop <id>', 'the shop (needed when there are several)')
    .action((importId: string, o: { shop?: string }) =>
      withDb(
        async (db) => {
          const shopId = await pickShop(db, o.shop);
          const r = await cancelImport(db, shopId, importId);
          console.log(
            r.status === 'cancelled'
              ? `Import ${r.importId} cancelled before it started.`
              : `Import ${r.importId} stops after the batch it is writing (rows up to ${r.rowsDone} are in).`,
          );
        },
        { light: true },
      ),
    );
}

export function importCommands(program: Command): void {
  importsCommands(program);
  program
    .command('import')
    .description("import customers, orders or a help desk's tickets from a CSV or XLSX file")
    .argument('<file>', 'CSV (UTF-8 or GBK) or XLSX')
    .requiredOption('--format <format>', FORMAT_NAMES.join(' | '))
    .option('--shop <id>', 'the shop to import into (needed when there are several)')
    .option(
      '--source <name>',
      "the system the generic format's orders, or service-cases tickets, come from (default: import)",
    )
    .option('--map <field=column>', 'read a field from a column of another name (repeatable)', mappingEntry)
    .option('--mapping <file.json>', 'a JSON object of field → column')
    .option(
      '--saved-mapping <name>',
      'a mapping saved in the console (its source too, unless --source is given)',
    )
    .option(
      '--preview [n]',
      'import nothing: show which column feeds each field and how the first n orders, people or tickets (10) read',
      previewCount,
    )
    .action((file: string, opts: ImportOptions) =>
      withDb(async (db, config) => {
        const shopId = await pickShop(db, opts.shop);
        let mapping = opts.map;
        let source = opts.source;
        if (opts.savedMapping) {
          const saved = await savedMappingNamed(db, shopId, opts.savedMapping);
          if (saved.format !== opts.format) {
            throw AppError.invalid(
              `The mapping '${saved.name}' is for the ${saved.format} format, not ${opts.format}`,
            );
          }
          // --map entries given as well override the saved ones field by field.
          mapping = { ...saved.mapping, ...mapping } as Record<string, string>;
          source = source ?? saved.source;
        }
        if (opts.mapping) {
          const parsed: unknown = JSON.parse(await readFile(opts.mapping, 'utf8'));
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw AppError.invalid(`${opts.mapping} must hold a JSON object of field → column`);
          }
          mapping = { ...(parsed as Record<string, string>), ...mapping };
        }
        const path = resolve(file);
        if (opts.preview !== undefined) {
          const shop = await getShop(db, shopId);
          const preview = await previewImport(shop, path, await sha256File(path), {
            format: opts.format,
            source,
            mapping,
            limit: opts.preview === true ? undefined : opts.preview,
          });
          printPreview(preview, shop);
          if (preview.unfit) throw new AppError('import_unfit', 422, preview.unfit);
          return;
        }
        const { record, resumed } = await createImport(db, shopId, {
          format: opts.format,
          source,
          mapping,
          filePath: path,
        });
        if (resumed) console.log(`Resuming import ${record.importId} after row ${record.rowsDone}.`);
        const bar = new SingleBar(
          { format: 'import |{bar}| {percentage}% | {rows} rows | {eta_formatted} left', hideCursor: true },
          Presets.shades_classic,
        );
        bar.start(record.fileBytes, record.bytesDone, { rows: record.rowsDone });
        const started = Date.now();
        const done = await runImport(db, shopId, record.importId, (p) =>
          bar.update(p.bytesDone, { rows: p.rowsDone }),
        );
        bar.update(record.fileBytes, { rows: done.rowsDone });
        bar.stop();
        if (done.status === 'failed')
          throw new AppError('import_failed', 422, done.failure ?? 'Import failed');
        const seconds = (Date.now() - started) / 1000;
        const cases =
          FORMATS[done.format].kind === 'cases'
            ? `${done.casesCreated} service cases opened, ${done.casesUpdated} updated, ` +
              `${done.casesUnchanged} unchanged; `
            : `${done.ordersCreated} orders created, ${done.ordersUpdated} updated, ` +
              `${done.ordersUnchanged} unchanged; `;
        console.log(
          `Import ${done.importId}: ${cases}${done.customersCreated} customers created, ` +
            `${done.customersUpdated} updated; ${done.errorRows} rows with errors; ${seconds.toFixed(1)} s.`,
        );
        if (done.errorRows > 0) {
          const reports = join(config.dataDir, 'reports');
          await mkdir(reports, { recursive: true });
          const report = join(reports, `import-${done.importId}-errors.csv`);
          await pipeline(
            Readable.from(importErrorsCsv(db, shopId, done.importId)),
            createWriteStream(report),
          );
          for (const e of await listImportErrors(db, shopId, done.importId, { limit: 5 }))
            console.log(`  ${problem(e)}`);
          console.log(`Error report: ${report}`);
        }
        if (done.expiryJobId) {
          console.log(
            'Some of these orders earned points that are already due: they expire when `regulars serve` runs ' +
              'the queued job, or now with `regulars points expire`.',
          );
        }
      }),
    );
}

/** What an import brought, by its kind: orders, or a help desk's cases. */
const landed = (r: ImportRecord) =>
  FORMATS[r.format].kind === 'cases'
    ? `${r.casesCreated} service cases opened`
    : `${r.ordersCreated} orders created`;

const problem = (e: { rowNo: number; column: string | null; reason: string; value: string | null }) =>
  `row ${e.rowNo}${e.column ? `, ${e.column}` : ''}: ${e.reason}${e.value ? ` (${e.value})` : ''}`;

const ENCODINGS: Record<ImportPreview['encoding'], string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16',
  gb18030: 'GBK/GB18030',
  xlsx: 'XLSX (first sheet)',
};

function printPreview(p: ImportPreview, shop: Shop): void {
  console.log(`Read as ${ENCODINGS[p.encoding]}, ${p.format} format (${p.kind}); nothing was imported.`);
  if (p.unfit) return; // the caller says why, as an error
  console.log('Columns:');
  const width = Math.max(...FIELDS.map((f) => f.length));
  for (const f of p.fields) {
    if (f.columns.length === 0 && !f.required) continue;
    const from = f.columns.length > 0 ? f.columns.join(' or ') : '(not found)';
    console.log(`  ${f.field.padEnd(width)}  ← ${from}${f.required ? '  (required)' : ''}`);
  }
  const unused = p.header.filter((h) => !p.fields.some((f) => f.columns.includes(h)));
  if (unused.length > 0) console.log(`Not read: ${unused.join(', ')}`);
  const local = (d: Date) => d.toLocaleString('sv-SE', { timeZone: shop.timeZone }).slice(0, 16);
  console.log({ orders: 'First orders:', customers: 'First people:', cases: 'First tickets:' }[p.kind]);
  for (const item of p.items) {
    const rows = item.rows.length > 1 ? `rows ${item.rows[0]}–${item.rows.at(-1)}` : `row ${item.rows[0]}`;
    const who = (item.order?.person ?? item.person?.person ?? item.ticket?.person)?.identities
      .map((i) => i.value)
      .join(', ');
    if (item.order) {
      const o = item.order;
      const lines = o.items.length === 1 ? '1 item' : `${o.items.length} items`;
      console.log(
        `  ${rows}: ${o.externalId}  ${local(o.orderedAt)}  ${o.status}  ${o.channel}${o.storeId ? ` ${o.storeId}` : ''}  ` +
          `${formatAmount(o.totalCents, o.currency)} ${o.currency}  ${who}  ${lines}`,
      );
    } else if (item.person) {
      const name = item.person.person.profile.name;
      console.log(`  ${rows}: ${name ? `${name}  ` : ''}${who}`);
    } else if (item.ticket) {
      const k = item.ticket.ticket;
      const order = k.orderExternalId ? `  order ${k.orderExternalId}` : '';
      console.log(
        `  ${rows}: ${k.externalId}  ${local(new Date(k.openedAt!))}  ${k.kind}  ${k.status}  ` +
          `${k.subject}  ${who}${order}`,
      );
    }
    for (const e of item.errors) console.log(`  ${problem(e)}`);
  }
  if (p.unreadable) console.log(p.unreadable);
  else if (!p.complete) console.log('… and the file goes on.');
}
