import { createReadStream } from 'node:fs';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import {
  ARCHIVE_DAYS,
  getShopArchive,
  listShopArchives,
  openShopArchive,
  removeShopArchive,
  SHOP_EXPORT,
} from '../../shops/archive.js';
import { deleteShop } from '../../shops/deletion.js';
import { removeShopFiles } from '../../shops/files.js';
import { getShop, ShopChange, updateShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import { SESSION_COOKIE } from '../auth.js';
import { errors, ErrorBody } from '../schemas.js';
import { startJob } from './jobs.js';

export const ShopBody = z.object({
  shopId: z.uuid(),
  name: z.string(),
  currency: z.string().describe('ISO 4217; amounts are integers in its minor units'),
  timeZone: z.string().describe("IANA time zone: the shop's calendar"),
  phoneRegion: z.string().describe('ISO 3166 country of phone numbers written without a country code'),
});

const ShopArchive = z.object({
  jobId: z.uuid(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
  done: z.number().int().describe('tables written so far'),
  total: z.number().int().nullable().describe('tables to write'),
  failure: z.string().nullable(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  bytes: z.number().int().nullable().describe("the archive's size"),
  rows: z.number().int().nullable().describe('rows in its files'),
  expiresAt: z.iso
    .datetime()
    .nullable()
    .describe(`when it is removed: ${ARCHIVE_DAYS} days after it was made`),
  available: z.boolean().describe('whether it can be downloaded now'),
});

const ExportParams = z.object({ jobId: z.string() });

/**
 * The shop's own settings: every role reads them; admins change them, as they do the shop's other
 * settings. Its offboarding is the owner's: an export of every row of the shop (every customer's personal
 * data) as a zip made by a background job, and the shop's deletion.
 */
export const shopRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/shop',
      {
        schema: {
          tags: ['shop'],
          summary: "The shop's name, currency, time zone and phone region",
          response: { 200: ShopBody, ...errors },
        },
      },
      async (request) => getShop(o.db, request.shopId),
    );
    app.patch(
      '/api/shop',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['shop'],
          summary:
            "Change the shop's name, currency (only while it has no orders), time zone (the dashboard's days are recomputed in a rollup.rebuild job) or phone region",
          body: ShopChange,
          response: { 200: ShopBody, 409: errors[400], ...errors },
        },
      },
      async (request) => updateShop(o.db, request.shopId, request.body),
    );

    app.post(
      '/api/shop/exports',
      {
        config: { access: 'own' },
        schema: {
          tags: ['shop'],
          summary: `Export every table's rows of the shop as CSV files in a zip, made by a ${SHOP_EXPORT} job and kept ${ARCHIVE_DAYS} days (asking again while one waits joins it)`,
          response: { 202: ShopArchive, ...errors },
        },
      },
      async (request, reply) => {
        const job = await startJob(o, request.shopId, SHOP_EXPORT);
        return reply.code(202).send(await getShopArchive(o.db, o.exportDir, request.shopId, job.jobId));
      },
    );
    app.get(
      '/api/shop/exports',
      {
        config: { access: 'own' },
        schema: {
          tags: ['shop'],
          summary: "The shop's last 20 exports, newest first, each saying whether it can be downloaded",
          response: {
            200: z.object({
              items: z.array(ShopArchive),
              keptDays: z.number().int().describe('how long an archive is kept once made'),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({
        items: await listShopArchives(o.db, o.exportDir, request.shopId),
        keptDays: ARCHIVE_DAYS,
      }),
    );
    app.get(
      '/api/shop/exports/:jobId/archive',
      {
        config: { access: 'own', activity: true },
        schema: {
          tags: ['shop'],
          summary:
            "An export's zip: one CSV per table and manifest.json (409 while it is made, 410 once removed)",
          params: ExportParams,
          produces: ['application/zip'],
          response: { 409: ErrorBody, 410: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        const { path, archive } = await openShopArchive(
          o.db,
          o.exportDir,
          request.shopId,
          request.params.jobId,
        );
        const day = archive.finishedAt!.toISOString().slice(0, 10);
        reply.header('content-type', 'application/zip');
        reply.header('content-length', archive.bytes);
        reply.header('content-disposition', `attachment; filename="regulars-export-${day}.zip"`);
        return reply.send(createReadStream(path));
      },
    );
    app.delete(
      '/api/shop/exports/:jobId',
      {
        config: { access: 'own' },
        schema: {
          tags: ['shop'],
          summary: "Remove an export's archive before its time (the export stays listed)",
          params: ExportParams,
          response: { 204: z.null(), 409: ErrorBody, ...errors },
        },
      },
      async (request, reply) => {
        await removeShopArchive(o.db, o.exportDir, request.shopId, request.params.jobId);
        return reply.code(204).send(null);
      },
    );
    app.delete(
      '/api/shop',
      {
        // The activity record is the shop's, and goes with it.
        config: { access: 'own', activity: false },
        schema: {
          tags: ['shop'],
          summary:
            'Delete the shop and everything it holds, for good: every row, its uploads and its export archives (409 while its imports or jobs run). The owner, signed in: not an API key',
          body: z.strictObject({ confirm: z.string().describe("the shop's name, exactly") }),
          response: {
            200: z.object({
              shopId: z.uuid(),
              name: z.string(),
              rows: z.record(z.string(), z.number().int()).describe('rows deleted, by table'),
            }),
            409: ErrorBody,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        // What cannot be undone is not left to a key that may sit in a webhook's settings or leak
        // from one: the owner signs in to do it.
        if (!request.staff)
          throw new AppError(
            'owner_only',
            403,
            "Only the shop's owner, signed in, can delete the shop: an API key cannot",
          );
        const { name } = await getShop(o.db, request.shopId);
        if (request.body.confirm !== name)
          throw AppError.invalid("Not deleted: confirm must be the shop's name exactly", [
            { field: 'body.confirm', message: "not the shop's name" },
          ]);
        const deleted = await deleteShop(o.db, request.shopId);
        await removeShopFiles(deleted, o);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { shopId: deleted.shopId, name: deleted.name, rows: deleted.rows };
      },
    );
  };
