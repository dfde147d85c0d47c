// A file's rows read as what they will import: orders (a group of line-item rows sharing an order id) or
// people, each with the row errors that keep it out. The import (run.ts) commits these in batches; the
// preview (preview.ts) shows the first few before anything is written, so both read a file the same way.
import type { NormalizedOrder } from '../orders/input.js';
import type { Shop } from '../shops/shops.js';
import type { Format } from './formats.js';
import type { RowStream } from './reader.js';
import {
  bindColumns,
  isHeaderless,
  orderFromRows,
  positionalHeader,
  Row,
  type Binding,
  type Mapping,
  type RowError,
} from './rows.js';
import { personFromRow, type ImportedPerson } from './people.js';
import { ticketFromRow, type ImportedTicket } from './tickets.js';

/**
 * What a group of rows came to. `rows` lists every row it consumed, duplicates included; a run that
 * stops after an item has nothing of the file before its last row left open.
 */
export interface ParsedItem {
  rows: number[];
  order?: NormalizedOrder;
  person?: ImportedPerson;
  ticket?: ImportedTicket;
  errors: RowError[];
}

/** The file does not fit the format at all: no row of it can import. */
export class UnfitFile extends Error {
  constructor(
    message: string,
    /** The file's columns and those the fields found, and its first data row, to choose columns by. */
    readonly columns: Pick<Binding, 'header' | 'index'> = { header: [], index: new Map() },
    readonly firstRow: string[] = [],
  ) {
    super(message);
  }
}

/** The reader gave up (unbalanced quotes, a damaged XLSX) after `afterRow`. */
export class UnreadableFile extends Error {
  constructor(
    readonly afterRow: number,
    cause: Error,
  ) {
    super(cause.message);
  }
}

export interface ParseOptions {
  format: Format;
  mapping: Mapping | null;
  /** The file's fingerprint, which order ids made from row numbers carry. */
  fileId: string;
  shop: Shop;
  source: string;
}

export interface FileParse {
  /** Set once the first row is read: the file's columns bound to the format's fields. */
  binding(): Binding | undefined;
  /** The first data row's cells (hints for choosing columns), once read. */
  firstRow(): string[] | undefined;
  items: AsyncGenerator<ParsedItem>;
}

export function parseFile(stream: RowStream, options: ParseOptions): FileParse {
  let binding: Binding | undefined;
  let firstRow: string[] | undefined;
  async function* items(): AsyncGenerator<ParsedItem> {
    const { format, mapping, shop, source } = options;
    // Where each order (or ticket) id first appeared: an id seen again later is a duplicate row.
    const firstSeen = new Map<string, number>();
    let group: Row[] = [];
    let groupCells: string[] = [];
    let groupDuplicates: RowError[] = [];
    let groupRows: number[] = [];
    let lastRow = 0;
    const closeGroup = (): ParsedItem | null => {
      if (group.length === 0) return null;
      const parsed = orderFromRows(group, shop, source);
      const item: ParsedItem = parsed.ok
        ? { rows: groupRows, order: parsed.value, errors: groupDuplicates }
        : { rows: groupRows, errors: [...parsed.errors, ...groupDuplicates] };
      group = [];
      groupCells = [];
      groupDuplicates = [];
      groupRows = [];
      return item;
    };

    const rows = stream.rows[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<{ rowNo: number; cells: string[] }>;
        try {
          next = await rows.next();
        } catch (err) {
          // The order still open may be missing lines, so it is not given.
          throw new UnreadableFile(lastRow, err as Error);
        }
        if (next.done) break;
        const { rowNo, cells } = next.value;
        if (!binding) {
          // A file without a header starts with data: its columns go by position.
          const headerless = isHeaderless(mapping);
          const header = headerless ? positionalHeader(cells, mapping!) : cells;
          const bound = bindColumns(format, header, mapping ?? undefined, options.fileId);
          if ('missing' in bound) {
            throw new UnfitFile(
              `Missing columns for the ${format.name} format: ${bound.missing.join(', ')}. The file's columns are: ${bound.header.join(', ')}`,
              bound,
              headerless ? cells : await nextDataRow(rows),
            );
          }
          binding = bound;
          lastRow = rowNo;
          if (!headerless) continue;
        }
        if (cells.every((c) => c.trim() === '')) continue;
        firstRow ??= cells;
        const row = new Row(binding, rowNo, cells);
        if (format.kind === 'customers') {
          const parsed = personFromRow(row, shop, source);
          lastRow = rowNo;
          yield parsed.ok
            ? { rows: [rowNo], person: parsed.value, errors: [] }
            : { rows: [rowNo], errors: parsed.errors };
          continue;
        }
        if (format.kind === 'cases') {
          lastRow = rowNo;
          const ticketId = row.get('ticket_id');
          const seenAt = firstSeen.get(ticketId);
          if (!ticketId || seenAt !== undefined) {
            const reason = ticketId
              ? `duplicate row: ticket ${ticketId} already appeared at row ${seenAt}`
              : 'missing ticket id';
            const error = { rowNo, column: row.columnOf('ticket_id'), reason, value: ticketId || null };
            yield { rows: [rowNo], errors: [error] };
            continue;
          }
          firstSeen.set(ticketId, rowNo);
          const parsed = ticketFromRow(row, shop, source);
          yield parsed.ok
            ? { rows: [rowNo], ticket: parsed.value, errors: [] }
            : { rows: [rowNo], errors: parsed.errors };
          continue;
        }
        const orderId = row.get('order_id');
        if (group.length > 0 && group[0]!.get('order_id') === orderId) {
          groupRows.push(rowNo);
          if (cells.join('\u0001') === groupCells.join('\u0001')) {
            const previous = group[group.length - 1]!.rowNo;
            groupDuplicates.push({
              rowNo,
              column: null,
              reason: `duplicate row: same as row ${previous}`,
              value: null,
            });
          } else {
            group.push(row);
            groupCells = cells;
          }
          continue;
        }
        const closed = closeGroup();
        if (closed) yield closed;
        lastRow = rowNo;
        if (!orderId) {
          yield {
            rows: [rowNo],
            errors: [{ rowNo, column: row.columnOf('order_id'), reason: 'missing order id', value: null }],
          };
          continue;
        }
        const seenAt = firstSeen.get(orderId);
        if (seenAt !== undefined) {
          yield {
            rows: [rowNo],
            errors: [
              {
                rowNo,
                column: row.columnOf('order_id'),
                reason: `duplicate row: order ${orderId} already appeared at row ${seenAt}`,
                value: orderId,
              },
            ],
          };
          continue;
        }
        firstSeen.set(orderId, rowNo);
        group = [row];
        groupCells = cells;
        groupRows = [rowNo];
      }
    } finally {
      // A caller that stops early (a preview has its rows) lets the file go.
      await rows.return?.();
    }
    if (!binding) throw new UnfitFile('The file is empty: expected a header row');
    const closed = closeGroup();
    if (closed) yield closed;
  }
  return { binding: () => binding, firstRow: () => firstRow, items: items() };
}

/** The next row with a cell in it, or none; a reader that fails here leaves the file to the import's report. */
async function nextDataRow(rows: AsyncIterator<{ cells: string[] }>): Promise<string[]> {
  try {
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      if (next.value.cells.some((c) => c.trim() !== '')) return next.value.cells;
    }
  } catch {
    // Only a hint for choosing columns is lost; the file's fault shows once it is mapped.
  }
  return [];
}
