// Reads an export file as a stream of rows of text cells, never holding the whole file: CSV in UTF-8
// (with or without BOM), UTF-16 or GBK/GB18030 — detected, since Taobao/Tmall exports are GBK — or XLSX;
// cells separated by commas, tabs, semicolons or runs of spaces, also detected.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

export type Encoding = 'utf-8' | 'utf-16le' | 'gb18030' | 'xlsx';

export interface RowStream {
  encoding: Encoding;
  /** Rows with their 1-based row number as a spreadsheet shows it (the header is row 1). */
  rows: AsyncIterable<{ rowNo: number; cells: string[] }>;
  bytesRead(): number;
}

const SAMPLE = 64 * 1024;

async function detectEncoding(path: string): Promise<Encoding> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE);
    const { bytesRead } = await handle.read(buf, 0, SAMPLE, 0);
    const head = buf.subarray(0, bytesRead);
    if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
    if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
    return isUtf8(head, bytesRead === SAMPLE) ? 'utf-8' : 'gb18030';
  } finally {
    await handle.close();
  }
}

/** Valid UTF-8, allowing a multi-byte character cut off at the end of a truncated sample. */
function isUtf8(bytes: Buffer, truncated: boolean): boolean {
  let end = bytes.length;
  if (truncated) {
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (bytes[end - back - 1]! & 0xc0) === 0x80) back++;
    const lead = bytes[end - back - 1];
    if (lead !== undefined && lead >= 0xc0) end = end - back - 1;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/**
 * How a text file separates its cells, from its first line: commas, tabs or semicolons; failing all
 * three, runs of spaces (fixed-width research data such as CDNOW's), since no export has a single column.
 */
async function detectDelimiter(path: string, encoding: Encoding): Promise<string | null> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const first = new TextDecoder(encoding).decode(buf.subarray(0, bytesRead)).split(/\r?\n/)[0] ?? '';
    return [',', '\t', ';'].find((d) => first.includes(d)) ?? (/\S\s+\S/.test(first) ? null : ',');
  } finally {
    await handle.close();
  }
}

export async function readRows(path: string): Promise<RowStream> {
  const encoding = await detectEncoding(path);
  // Sniffed before the file stream opens: its byte counter starts it flowing.
  const delimiter = encoding === 'xlsx' ? ',' : await detectDelimiter(path, encoding);
  let bytes = 0;
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  file.on('data', (chunk) => (bytes += chunk.length));
  if (encoding === 'xlsx') {
    file.destroy();
    return { encoding, rows: xlsxRows(path, (n) => (bytes = n)), bytesRead: () => bytes };
  }
  const decoder = new TextDecoder(encoding);
  const decode = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
  const text = file.pipe(decode);
  const cellsOf: AsyncIterable<string[]> =
    delimiter === null
      ? spaceSeparated(text)
      : text.pipe(
          parse({
            delimiter,
            relax_column_count: true,
            relax_quotes: true,
            skip_empty_lines: true,
            bom: true,
          }),
        );
  async function* rows() {
    let rowNo = 0;
    try {
      for await (const cells of cellsOf) {
        rowNo++;
        yield { rowNo, cells };
      }
    } finally {
      // A reader stopped early (a preview has its rows) lets go of the file; the parser alone would not.
      file.destroy();
    }
  }
  return { encoding, rows: rows(), bytesRead: () => bytes };
}

async function* spaceSeparated(text: Transform): AsyncGenerator<string[]> {
  for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
    const trimmed = line.replace(/^\uFEFF/, '').trim();
    if (trimmed) yield trimmed.split(/\s+/);
  }
}

async function* xlsxRows(
  path: string,
  progress: (bytes: number) => void,
): AsyncGenerator<{ rowNo: number; cells: string[] }> {
  const { size } = await (await import('node:fs/promises')).stat(path);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield { rowNo: row.number, cells };
    }
    break; // the first sheet holds the data; later sheets are notes and pivots
  }
  progress(size);
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    // Spreadsheet dates carry no zone: ExcelJS gives the wall-clock time as if it were UTC.
    return v.toISOString().slice(0, 19).replace('T', ' ');
  }
  if (typeof v === 'number') return String(Number(v.toPrecision(15)));
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (o.richText) return o.richText.map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result);
    if (o.text !== undefined) return cellText(o.text);
  }
  return '';
}
