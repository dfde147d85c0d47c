// Import records: one per run of a file, with its checkpoint, counts and row-level error report.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { rowsChanged, type Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { FIELDS, fieldsRead, FORMAT_NAMES, FORMATS, type Format, type FormatName } from './formats.js';
import { isHeaderless, POSITION, ROW_NUMBER, type Mapping, type RowError } from './rows.js';

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
/** An import in one of these has ended: it runs no more, and its upload can go. */
export const hasEnded = (status: ImportStatus) => status !== 'queued' && status !== 'running';

export interface ImportRecord {
  importId: string;
  format: FormatName;
  source: string;
  fileName: string;
  filePath: string;
  fileSha256: string;
  fileBytes: number;
  mapping: Mapping | null;
  status: ImportStatus;
  rowsDone: number;
  bytesDone: number;
  ordersCreated: number;
  ordersUpdated: number;
  ordersUnchanged: number;
  customersCreated: number;
  customersUpdated: number;
  casesCreated: number;
  casesUpdated: number;
  casesUnchanged: number;
  errorRows: number;
  failure: string | null;
  /** The points expiry this import queued, its orders having earned points already due. */
  expiryJobId: string | null;
  /** When staff asked a running import to stop: it stops after the batch it is committing. */
  cancelRequestedAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const columns = `import_id as "importId", format, source, file_name as "fileName", file_path as "filePath",
  file_sha256 as "fileSha256", file_bytes as "fileBytes", mapping, status, rows_done as "rowsDone",
  bytes_done as "bytesDone", orders_created as "ordersCreated", orders_updated as "ordersUpdated",
  orders_unchanged as "ordersUnchanged", customers_created as "customersCreated",
  customers_updated as "customersUpdated", cases_created as "casesCreated",
  cases_updated as "casesUpdated", cases_unchanged as "casesUnchanged", error_rows as "errorRows", failure,
  expiry_job_id as "expiryJobId",
  cancel_requested_at as "cancelRequestedAt",
  created_at as "createdAt", started_at as "startedAt", finished_at as "finishedAt"`;

export function checkImportOptions(options: {
  format: string;
  source?: string;
  mapping?: Record<string, string>;
}): {
  format: FormatName;
  source: string;
  mapping: Mapping | null;
} {
  const details = [];
  if (!(FORMAT_NAMES as readonly string[]).includes(options.format)) {
    details.push({ field: 'format', message: `one of ${FORMAT_NAMES.join(', ')}` });
  }
  const source = options.source ?? 'import';
  if (!/^[a-z0-9_-]{1,32}$/.test(source)) {
    details.push({ field: 'source', message: 'lowercase letters, digits, - and _ (at most 32)' });
  }
  const mapped = Object.entries(options.mapping ?? {});
  const format = FORMATS[options.format as FormatName] as Format | undefined;
  // A field the format's kind of import does not read would be silently ignored: it is named instead.
  const fields = format ? fieldsRead(format.kind) : FIELDS;
  for (const [field, column] of mapped) {
    if (!(fields as readonly string[]).includes(field)) {
      details.push({
        field: `mapping.${field}`,
        message: `unknown field${format ? ` for ${format.kind}` : ''}; fields are ${fields.join(', ')}`,
      });
    } else if (typeof column !== 'string' || !column.trim() || column === '=') {
      details.push({
        field: `mapping.${field}`,
        message:
          "a column's header, its position ('#3') in a file without a header, or a fixed value ('=paid')",
      });
    } else if (column === ROW_NUMBER && (field !== 'order_id' || format?.kind !== 'orders')) {
      details.push({
        field: `mapping.${field}`,
        message: "only an orders file's order_id can be the row's number ('#row')",
      });
    } else if (
      isHeaderless(options.mapping) &&
      !POSITION.test(column) &&
      !column.startsWith('=') &&
      column !== ROW_NUMBER
    ) {
      details.push({
        field: `mapping.${field}`,
        message: "the file has no header (other fields are mapped by position): use '#N' or '=value'",
      });
    }
  }
  if (details.length > 0) throw AppError.invalid('Invalid import options', details);
  const mapping =
    options.mapping && Object.keys(options.mapping).length > 0 ? (options.mapping as Mapping) : null;
  return { format: options.format as FormatName, source, mapping };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Registers a file for import. The same file in the same format and mapping whose earlier run never
 * finished (the process was killed) is handed back, so running it again resumes at its checkpoint.
 */
export async function createImport(
  db: Queryable,
  shopId: string,
  input: {
    format: string;
    source?: string;
    mapping?: Record<string, string>;
    filePath: string;
    fileName?: string;
  },
): Promise<{ record: ImportRecord; resumed: boolean }> {
  const options = checkImportOptions(input);
  const { size } = await stat(input.filePath).catch(() => {
    throw AppError.invalid(`File not found: ${input.filePath}`, [{ field: 'file', message: 'no such file' }]);
  });
  const sha = await sha256File(input.filePath);
  const [unfinished] = await db.query<ImportRecord>(
    `select ${columns} from imports
      where shop_id = $1 and file_sha256 = $2 and format = $3 and source = $4
        and coalesce(mapping, 'null'::jsonb) = coalesce($5::jsonb, 'null'::jsonb)
        and status in ('queued', 'running')
      order by created_at desc limit 1`,
    [shopId, sha, options.format, options.source, options.mapping ? JSON.stringify(options.mapping) : null],
  );
  if (unfinished) {
    if (unfinished.filePath !== input.filePath) {
      await db.query('update imports set file_path = $3 where shop_id = $1 and import_id = $2', [
        shopId,
        unfinished.importId,
        input.filePath,
      ]);
    }
    return { record: { ...unfinished, filePath: input.filePath }, resumed: true };
  }
  const [record] = await db.query<ImportRecord>(
    `insert into imports (shop_id, import_id, format, source, file_name, file_path, file_sha256, file_bytes, mapping, status)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued') returning ${columns}`,
    [
      shopId,
      uuidv7(),
      options.format,
      options.source,
      input.fileName ?? basename(input.filePath),
      input.filePath,
      sha,
      size,
      options.mapping ? JSON.stringify(options.mapping) : null,
    ],
  );
  return { record: record!, resumed: false };
}

export async function getImport(db: Queryable, shopId: string, importId: string): Promise<ImportRecord> {
  if (!isUuid(importId)) throw AppError.notFound('Import');
  const [row] = await db.query<ImportRecord>(
    `select ${columns} from imports where shop_id = $1 and import_id = $2`,
    [shopId, importId],
  );
  if (!row) throw AppError.notFound('Import');
  return row;
}

export async function listImports(db: Queryable, shopId: string, limit: number): Promise<ImportRecord[]> {
  return db.query<ImportRecord>(
    `select ${columns} from imports where shop_id = $1 order by created_at desc limit $2`,
    [shopId, limit],
  );
}

/**
 * Stops an import: one still queued is cancelled at once and never starts; a running one is asked to stop,
 * which it does after the batch it is committing, keeping the batches before. An import that has ended
 * answers 409.
 */
export async function cancelImport(db: Queryable, shopId: string, importId: string): Promise<ImportRecord> {
  const record = await getImport(db, shopId, importId);
  // The runner starts only an import still queued (run.ts), so one cancelled here never starts.
  const [row] = await db.query<ImportRecord>(
    `update imports
        set status = case when status = 'queued' then 'cancelled' else status end,
            finished_at = case when status = 'queued' then now() else finished_at end,
            cancel_requested_at = coalesce(cancel_requested_at, now())
      where shop_id = $1 and import_id = $2 and status in ('queued', 'running')
      returning ${columns}`,
    [shopId, record.importId],
  );
  if (!row) throw new AppError('import_ended', 409, `The import has already ended: ${record.status}`);
  return row;
}

/** Imports that should be running but whose runner went silent (killed): candidates for resuming. */
export async function stalledImports(db: Queryable): Promise<{ shopId: string; importId: string }[]> {
  return db.query(
    `select shop_id as "shopId", import_id as "importId" from imports
      where status = 'queued' or (status = 'running' and coalesce(heartbeat_at, started_at, created_at) < now() - interval '1 minute')
      order by created_at`,
  );
}

export async function listImportErrors(
  db: Queryable,
  shopId: string,
  importId: string,
  options: { limit: number; afterRow?: number },
): Promise<RowError[]> {
  return db.query<RowError>(
    `select row_no as "rowNo", column_name as "column", reason, value from import_errors
      where shop_id = $1 and import_id = $2 and row_no > $3 order by row_no, seq limit $4`,
    [shopId, importId, options.afterRow ?? 0, options.limit],
  );
}

/** The error report as CSV, read page by page so a million-error report never sits in memory. */
export async function* importErrorsCsv(
  db: Queryable,
  shopId: string,
  importId: string,
): AsyncGenerator<string> {
  yield stringify([['row', 'column', 'reason', 'value']]);
  let after = { rowNo: 0, seq: 0 };
  for (;;) {
    const page = await db.query<RowError & { seq: number }>(
      `select row_no as "rowNo", column_name as "column", reason, value, seq from import_errors
        where shop_id = $1 and import_id = $2 and (row_no, seq) > ($3, $4) order by row_no, seq limit 5000`,
      [shopId, importId, after.rowNo, after.seq],
    );
    if (page.length === 0) return;
    yield stringify(page.map((e) => [e.rowNo, e.column ?? '', e.reason, e.value ?? '']));
    after = page[page.length - 1]!;
  }
}

/**
 * Clears the refused cells of the imports that ended (or were last heard of) before `before`: a mistyped
 * phone or email is still someone's, and the report keeps each row's number, column and reason. Answers
 * how many cells were cleared.
 */
export async function forgetRefusedCells(db: Queryable, shopId: string, before: Date): Promise<number> {
  return rowsChanged(
    db,
    `update import_errors e set value = null
       from imports i
      where e.shop_id = $1 and i.shop_id = $1 and i.import_id = e.import_id and e.value is not null
        and coalesce(i.finished_at, i.heartbeat_at, i.started_at, i.created_at) < $2`,
    [shopId, before.toISOString()],
  );
}

/**
 * Clears the refused cells that name one person: those holding any of `texts` (an email, a name, a card,
 * lowercase) or, digits only, any of `digits` (their phones' national numbers, however the cell spaced
 * them). For their erasure; answers how many cells were cleared.
 */
export async function forgetCellsNaming(
  db: Queryable,
  shopId: string,
  needles: { texts: string[]; digits: string[] },
): Promise<number> {
  if (needles.texts.length === 0 && needles.digits.length === 0) return 0;
  return rowsChanged(
    db,
    `update import_errors set value = null
      where shop_id = $1 and value is not null
        and (exists (select 1 from unnest($2::text[]) t where strpos(lower(value), t) > 0)
             or exists (select 1 from unnest($3::text[]) d
                         where strpos(regexp_replace(value, '\\D', '', 'g'), d) > 0))`,
    [shopId, needles.texts, needles.digits],
  );
}
