import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { uuidv7 } from '../../db/ids.js';
import { AppError, type ErrorDetail } from '../../errors.js';
import { FIELDS, FORMAT_NAMES } from '../../imports/formats.js';
import {
  cancelImport,
  checkImportOptions,
  createImport,
  getImport,
  importErrorsCsv,
  listImportErrors,
  listImports,
  type ImportRecord as Record_,
} from '../../imports/imports.js';
import { PREVIEW_LIMIT, previewImport, type PreviewOptions } from '../../imports/preview.js';
import { keepPreviewed, PREVIEWED_MINUTES, previewedFile, takePreviewed } from '../../imports/previewed.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import { ImportPreview, ImportRecord, RowError } from '../importSchemas.js';
import { errors } from '../schemas.js';

const Params = z.object({ importId: z.string() });

function publicImport(r: Record_) {
  const { filePath: _p, fileSha256: _s, ...rest } = r;
  return rest;
}

/** A preview reads the head of a CSV; the whole of an XLSX, which cannot be cut, up to this. */
const PREVIEW_BYTES = 64 * 1024 ** 2;

/**
 * Saves the multipart upload's file to the upload folder and collects its other fields. Without a file,
 * a `fileId` field must name a previewed file (imports/previewed.ts) instead.
 */
async function receiveUpload(
  request: FastifyRequest,
  uploadDir: string,
  maxBytes?: number,
): Promise<{ fields: Record<string, string>; saved: { path: string; name: string } | null }> {
  if (!request.isMultipart()) {
    throw new AppError('unsupported_media_type', 415, 'Send the file as multipart/form-data');
  }
  const fields: Record<string, string> = {};
  let saved: { path: string; name: string } | null = null;
  await mkdir(uploadDir, { recursive: true });
  try {
    const parts = request.parts(maxBytes ? { limits: { fileSize: maxBytes } } : undefined);
    for await (const part of parts) {
      if (part.type === 'file') {
        const name = part.filename || 'upload.csv';
        saved = { path: uploadPath(uploadDir, name), name };
        await pipeline(part.file, createWriteStream(saved.path));
        if (part.file.truncated) {
          throw new AppError(
            'file_too_large',
            413,
            maxBytes
              ? `A preview reads at most ${maxBytes / 1024 ** 2} MiB of a file`
              : 'The file is larger than 4 GiB',
          );
        }
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (err) {
    if (saved) await rm(saved.path, { force: true });
    throw err;
  }
  if (saved && fields.fileId !== undefined) {
    await rm(saved.path, { force: true });
    throw AppError.invalid('Send either a file or the fileId of a previewed one, not both', [
      { field: 'fileId', message: 'not with a file' },
    ]);
  }
  if (!saved && fields.fileId === undefined)
    throw AppError.invalid('No file uploaded', [{ field: 'file', message: 'required' }]);
  return { fields, saved };
}

/** A new file's place in the upload folder: unique, and keeping a readable form of its name. */
const uploadPath = (uploadDir: string, name: string) =>
  join(uploadDir, `${uuidv7()}-${name.replace(/[^\w.\-\u4e00-\u9fff]/g, '_').slice(-100)}`);

function mappingField(fields: Record<string, string>): Record<string, string> | undefined {
  if (!fields.mapping) return undefined;
  let mapping: unknown;
  try {
    mapping = JSON.parse(fields.mapping);
  } catch {
    throw AppError.invalid('mapping is not valid JSON', [{ field: 'mapping', message: 'a JSON object' }]);
  }
  if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) {
    throw AppError.invalid('mapping must be a JSON object', [{ field: 'mapping', message: 'a JSON object' }]);
  }
  return mapping as Record<string, string>;
}

export const importRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.post(
      '/api/imports',
      {
        schema: {
          tags: ['imports'],
          summary: 'Upload a CSV or XLSX file to import in the background',
          description:
            `multipart/form-data with fields \`format\` (${FORMAT_NAMES.join(', ')}), optional \`source\` ` +
            `(names the system the generic format's orders, or the service-cases format's tickets, come from: a ` +
            `ticket sent again from the same source updates its case) and \`mapping\` (JSON object from field to ` +
            `column header; fields: ${FIELDS.join(', ')}, those the format's kind of file reads), then \`file\` — or, instead of the file, \`fileId\` ` +
            `naming a file POST /api/imports/preview was sent whole (410 \`file_gone\` once it is no longer kept). ` +
            `Poll GET /api/imports/{importId} for progress.`,
          consumes: ['multipart/form-data'],
          response: { 202: ImportRecord, 413: errors[400], 415: errors[400], ...errors },
        },
      },
      async (request, reply) => {
        const { fields, saved: sent } = await receiveUpload(request, o.uploadDir);
        let saved = sent;
        try {
          const options = {
            format: fields.format ?? '',
            source: fields.source || undefined,
            mapping: mappingField(fields),
          };
          if (!saved) {
            // Checked before a previewed file is taken, so a mistake here leaves it for the next try.
            checkImportOptions(options);
            saved = await takePreviewed(o.uploadDir, request.shopId, fields.fileId!, (name) =>
              uploadPath(o.uploadDir, name),
            );
          }
          const { record } = await createImport(o.db, request.shopId, {
            ...options,
            filePath: saved.path,
            fileName: saved.name,
          });
          o.imports.enqueue(request.shopId, record.importId);
          return reply.code(202).send(publicImport(record));
        } catch (err) {
          if (saved) await rm(saved.path, { force: true });
          throw err;
        }
      },
    );

    app.post(
      '/api/imports/preview',
      {
        // Nothing is written and nothing of the shop's is read back: the caller sees its own file.
        config: { access: 'operate', activity: false },
        schema: {
          tags: ['imports'],
          summary: "How a file's first orders, people or tickets would import, with nothing written",
          description:
            'multipart/form-data with the fields of POST /api/imports, optional `limit` (orders, people or tickets to ' +
            `show, 1–${PREVIEW_LIMIT}, default 10) and \`head\` ('true' when the file is only the first part of ` +
            'a larger CSV, whose last order may be cut short), then `file` (at most 64 MiB). Answers which ' +
            'column feeds each field, the orders, people or tickets the first rows make and every row error, as the ' +
            'import would read them. A file the format cannot read at all answers 200 with `unfit` saying why. ' +
            `The file is kept for the shop ${PREVIEWED_MINUTES} minutes after its last use: the answer's ` +
            '`fileId`, sent instead of the file, previews it again (with another format or mapping) or, when ' +
            'it was sent whole, imports it (POST /api/imports).',
          consumes: ['multipart/form-data'],
          response: { 200: ImportPreview, 413: errors[400], 415: errors[400], ...errors },
        },
      },
      async (request) => {
        const { fields, saved } = await receiveUpload(request, o.uploadDir, PREVIEW_BYTES);
        let options: PreviewOptions;
        try {
          const limit = fields.limit === undefined ? undefined : Number(fields.limit);
          const problems: ErrorDetail[] = [];
          if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= PREVIEW_LIMIT))
            problems.push({ field: 'limit', message: `a whole number from 1 to ${PREVIEW_LIMIT}` });
          if (fields.head !== undefined && fields.head !== 'true' && fields.head !== 'false')
            problems.push({ field: 'head', message: "'true' or 'false'" });
          if (problems.length > 0)
            throw AppError.invalid(`Invalid ${problems.map((p) => p.field).join(' and ')}`, problems);
          options = {
            format: fields.format ?? '',
            source: fields.source || undefined,
            mapping: mappingField(fields),
            limit,
          };
        } catch (err) {
          // Refused before it is kept: the caller would have no id for it.
          if (saved) await rm(saved.path, { force: true });
          throw err;
        }
        const file = saved
          ? await keepPreviewed(o.uploadDir, request.shopId, saved.path, {
              name: saved.name,
              head: fields.head === 'true',
            })
          : await previewedFile(o.uploadDir, request.shopId, fields.fileId!);
        const shop = await getShop(o.db, request.shopId);
        // A kept file is the head of a larger one or not as it was sent, whatever `head` says now.
        const preview = await previewImport(shop, file.path, file.sha256, { ...options, head: file.head });
        return { ...preview, fileId: file.fileId };
      },
    );

    app.get(
      '/api/imports',
      {
        schema: {
          tags: ['imports'],
          summary: 'Recent imports, newest first',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
          response: { 200: z.object({ items: z.array(ImportRecord) }) },
        },
      },
      async (request) => ({
        items: (await listImports(o.db, request.shopId, request.query.limit)).map(publicImport),
      }),
    );

    app.get(
      '/api/imports/:importId',
      {
        schema: {
          tags: ['imports'],
          summary: 'One import and its progress',
          params: Params,
          response: { 200: ImportRecord, ...errors },
        },
      },
      async (request) => publicImport(await getImport(o.db, request.shopId, request.params.importId)),
    );

    app.post(
      '/api/imports/:importId/cancel',
      {
        schema: {
          tags: ['imports'],
          summary: 'Stop an import',
          description:
            'A queued import is cancelled at once and never starts. A running one stops after the batch it is ' +
            'committing (`cancelRequestedAt` is set until it does): the orders and row errors of the batches ' +
            'before stay, as a look at it shows. 409 for an import that has already ended.',
          params: Params,
          response: { 200: ImportRecord, 409: errors[400], ...errors },
        },
      },
      async (request) => {
        const record = await cancelImport(o.db, request.shopId, request.params.importId);
        await o.imports.discardUpload(record);
        return publicImport(record);
      },
    );

    app.get(
      '/api/imports/:importId/errors',
      {
        schema: {
          tags: ['imports'],
          summary: 'The row-level error report; page with afterRow',
          params: Params,
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            afterRow: z.coerce.number().int().min(0).default(0),
          }),
          response: { 200: z.object({ items: z.array(RowError) }), ...errors },
        },
      },
      async (request) => {
        const { importId } = await getImport(o.db, request.shopId, request.params.importId);
        return { items: await listImportErrors(o.db, request.shopId, importId, request.query) };
      },
    );

    app.get(
      '/api/imports/:importId/errors.csv',
      {
        config: { activity: true },
        schema: {
          tags: ['imports'],
          summary: 'The row-level error report as CSV (row, column, reason, value)',
          params: Params,
          produces: ['text/csv'],
        },
      },
      async (request, reply) => {
        const record = await getImport(o.db, request.shopId, request.params.importId);
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="import-${record.importId}-errors.csv"`);
        // A BOM so that Excel opens the Chinese reasons and values as UTF-8.
        return reply.send(
          Readable.from(
            (async function* () {
              yield '\uFEFF';
              yield* importErrorsCsv(o.db, request.shopId, record.importId);
            })(),
          ),
        );
      },
    );
  };
