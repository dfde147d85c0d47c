// Response shapes of imports for the OpenAPI document: an import's record and row errors, saved column
// mappings, and a preview of how a file reads.
import { z } from 'zod';
import { FIELDS, FORMAT_NAMES, IMPORT_KINDS } from '../imports/formats.js';
import { IMPORT_STATUSES } from '../imports/imports.js';
import { CASE_CHANNELS, CASE_KINDS, CASE_STATUSES } from '../service/cases.js';
import { Identity, Order } from './schemas.js';

const ts = z.iso.datetime();

export const ImportRecord = z.object({
  importId: z.uuid(),
  format: z.enum(FORMAT_NAMES),
  source: z.string(),
  fileName: z.string(),
  fileBytes: z.number().int(),
  mapping: z.record(z.enum(FIELDS), z.string()).nullable(),
  status: z.enum(IMPORT_STATUSES),
  rowsDone: z.number().int().describe('every row up to this one is committed'),
  bytesDone: z.number().int(),
  ordersCreated: z.number().int(),
  ordersUpdated: z.number().int(),
  ordersUnchanged: z.number().int(),
  customersCreated: z.number().int(),
  customersUpdated: z.number().int(),
  casesCreated: z.number().int().describe('service cases opened (a help desk file)'),
  casesUpdated: z.number().int(),
  casesUnchanged: z.number().int(),
  errorRows: z.number().int(),
  failure: z.string().nullable(),
  expiryJobId: z
    .uuid()
    .nullable()
    .describe('the points expiry queued because orders of the file earned points already due'),
  cancelRequestedAt: ts
    .nullable()
    .describe('when staff asked it to stop: a running import stops after the batch it is committing'),
  createdAt: ts,
  startedAt: ts.nullable(),
  finishedAt: ts.nullable(),
});

export const RowError = z.object({
  rowNo: z.number().int(),
  column: z.string().nullable(),
  reason: z.string(),
  value: z.string().nullable(),
});

export const SavedMapping = z.object({
  mappingId: z.uuid(),
  name: z.string(),
  format: z.enum(FORMAT_NAMES),
  source: z.string(),
  mapping: z.partialRecord(z.enum(FIELDS), z.string()),
  createdAt: ts,
  updatedAt: ts,
});

const PreviewPerson = z.object({
  identities: z.array(z.object({ kind: Identity.shape.kind, value: z.string() })),
  profile: z.record(z.string(), z.unknown()).describe('name, gender, birthday, address and the like'),
});

export const ImportPreview = z.object({
  format: z.enum(FORMAT_NAMES),
  kind: z.enum(IMPORT_KINDS),
  encoding: z.enum(['utf-8', 'utf-16le', 'gb18030', 'xlsx']),
  header: z
    .array(z.string())
    .describe("the file's columns: its header row, or '#1', '#2', … for a file without one"),
  firstRow: z.array(z.string()).describe("the first data row's cells"),
  fields: z.array(
    z.object({
      field: z.enum(FIELDS),
      required: z.boolean(),
      preset: z
        .array(z.string())
        .describe('the headers the format reads the field from when the mapping is silent'),
      columns: z
        .array(z.string())
        .describe("where the field comes from now: columns found, a fixed '=value' or '#row'"),
    }),
  ),
  unfit: z.string().nullable().describe('why no row can import (a required column missing)'),
  unreadable: z.string().nullable().describe('where the reader gave up'),
  items: z.array(
    z.object({
      rows: z.array(z.number().int()).describe('the rows it was read from, duplicates included'),
      // An order as it would land: not stored yet, so without ids, and its buyer as read.
      order: Order.omit({ orderId: true, customerId: true, items: true })
        .extend({
          person: PreviewPerson,
          items: z.array(
            z.object({
              title: z.string(),
              sku: z.string().optional(),
              productId: z.string().optional(),
              category: z.string().optional(),
              quantity: z.number().int(),
              unitPriceCents: z.number().int(),
            }),
          ),
        })
        .optional(),
      person: z
        .object({
          person: PreviewPerson,
          consents: z.array(z.object({ channel: z.string(), status: z.enum(['opted_in', 'opted_out']) })),
        })
        .optional(),
      ticket: z
        .object({
          person: PreviewPerson,
          ticket: z.object({
            source: z.string(),
            externalId: z.string(),
            kind: z.enum(CASE_KINDS),
            channel: z.enum(CASE_CHANNELS),
            status: z.enum(CASE_STATUSES),
            subject: z.string(),
            body: z.string().optional(),
            orderExternalId: z.string().optional(),
            rating: z.number().int().optional(),
            openedAt: z.string(),
            resolvedAt: z.string().optional(),
            resolution: z.string().optional(),
          }),
        })
        .optional()
        .describe("a help desk's ticket as it would open its service case"),
      errors: z.array(RowError),
    }),
  ),
  complete: z.boolean().describe('whether the preview saw the whole file'),
  fileId: z
    .uuid()
    .describe(
      'the file as kept for the next preview and, when sent whole, its import: send it instead of the file',
    ),
});
