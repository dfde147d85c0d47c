// An import's dry run: how a file's first rows would import with a format and a column mapping — which
// column feeds each field, the orders, people or tickets the rows make, and each row error — with
// nothing written. A mapping mistake (the pay date read as the order date, a status column left out)
// shows here on ten orders, instead of in a report of a million rows after the import.
import type { Shop } from '../shops/shops.js';
import { fieldsRead, FORMATS, type Field, type FormatName, type ImportKind } from './formats.js';
import { checkImportOptions } from './imports.js';
import { parseFile, UnfitFile, UnreadableFile, type ParsedItem } from './parse.js';
import { readRows, type Encoding } from './reader.js';
import { ROW_NUMBER, type Binding, type Mapping } from './rows.js';

export interface FieldSource {
  field: Field;
  required: boolean;
  /** The headers the format reads this field from, in order of preference, when the mapping is silent. */
  preset: string[];
  /** Where the field comes from now: the columns found, a fixed '=value', '#row', or nothing. */
  columns: string[];
}

export interface ImportPreview {
  format: FormatName;
  kind: ImportKind;
  encoding: Encoding;
  /** The file's columns: its header row, or positions ('#1', '#2', …) for a file without one. */
  header: string[];
  /** The first data row's cells, to recognise the columns by. */
  firstRow: string[];
  /** The fields this kind of import reads. */
  fields: FieldSource[];
  /** Why no row of the file can import (a required column missing), or null. */
  unfit: string | null;
  /** Where the reader gave up, or null. */
  unreadable: string | null;
  items: ParsedItem[];
  /** Whether the preview saw the whole file (else only its first orders, people or tickets). */
  complete: boolean;
}

export interface PreviewOptions {
  format: string;
  source?: string;
  mapping?: Record<string, string>;
  /** Orders (or people, or tickets) to show; at most 100. */
  limit?: number;
  /**
   * The file is only the head of a larger one (the console sends the first few hundred kilobytes of a
   * CSV), so its last order may be cut short: it is left out rather than shown with missing lines.
   */
  head?: boolean;
}

export const PREVIEW_LIMIT = 100;

export async function previewImport(
  shop: Shop,
  path: string,
  fileId: string,
  options: PreviewOptions,
): Promise<ImportPreview> {
  const { format: formatName, source, mapping } = checkImportOptions(options);
  const format = FORMATS[formatName];
  const limit = Math.min(Math.max(options.limit ?? 10, 1), PREVIEW_LIMIT);
  const stream = await readRows(path);
  const parse = parseFile(stream, { format, mapping, fileId, shop, source });
  const items: ParsedItem[] = [];
  let unfit: UnfitFile | null = null;
  let unreadable: string | null = null;
  let complete = false;
  try {
    // One more than shown: an order is only whole once the next one starts (or the file ends).
    for (;;) {
      const next = await parse.items.next();
      if (next.done) {
        complete = true;
        break;
      }
      items.push(next.value);
      if (items.length > limit) break;
    }
  } catch (err) {
    if (err instanceof UnfitFile) unfit = err;
    else if (err instanceof UnreadableFile)
      unreadable = `The file cannot be read after row ${err.afterRow}: ${err.message}`;
    else throw err;
  } finally {
    // Stops the reader (and closes the file) when the preview has what it shows.
    await parse.items.return(undefined);
  }
  // The head of a file ends where the whole file goes on: its last order may lack lines, or a cell
  // cut off inside its quotes stops the reader, which is no fault of the file.
  if (options.head) {
    if (complete) items.pop();
    complete = false;
    unreadable = null;
  }
  const binding = parse.binding() ?? unfit?.columns;
  return {
    format: formatName,
    kind: format.kind,
    encoding: stream.encoding,
    header: binding?.header ?? [],
    firstRow: parse.firstRow() ?? unfit?.firstRow ?? [],
    fields: fieldSources(formatName, binding, mapping),
    unfit: unfit?.message ?? null,
    unreadable,
    items: items.slice(0, limit),
    complete,
  };
}

function fieldSources(
  format: FormatName,
  binding: Pick<Binding, 'header' | 'index'> | undefined,
  mapping: Mapping | null,
) {
  const f = FORMATS[format];
  return fieldsRead(f.kind).map((field): FieldSource => {
    const mapped = mapping?.[field];
    const preset = f.columns[field] ?? [];
    let columns: string[];
    if (mapped?.startsWith('=') || mapped === ROW_NUMBER) columns = [mapped];
    else if (binding) columns = (binding.index.get(field) ?? []).map((i) => binding.header[i]!);
    else columns = [];
    return { field, required: f.required.includes(field), preset, columns };
  });
}
