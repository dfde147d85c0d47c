import { z } from 'zod';
import { RFM } from '../../rfm/jobs.js';
import { getRfmSettings, RfmSettings, rfmGrid, rfmSegmentCounts, saveRfmSettings } from '../../rfm/rfm.js';
import { RFM_SEGMENTS } from '../../rfm/segments.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

export const rfmRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/rfm/settings',
      {
        schema: {
          tags: ['rfm'],
          summary: 'The RFM window and scoring method',
          response: { 200: RfmSettings, ...errors },
        },
      },
      async (request) => getRfmSettings(o.db, request.shopId),
    );
    app.put(
      '/api/rfm/settings',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['rfm'],
          summary: 'Change the RFM window or scoring, and re-score every customer (a job)',
          body: RfmSettings,
          response: { 200: z.object({ settings: RfmSettings, job: Job }), ...errors },
        },
      },
      async (request) => {
        const settings = await saveRfmSettings(o.db, request.shopId, request.body);
        return { settings, job: await startJob(o, request.shopId, RFM) };
      },
    );
    app.post(
      '/api/rfm/run',
      {
        schema: {
          tags: ['rfm'],
          summary: 'Re-score every customer now (a job)',
          response: { 202: Job, ...errors },
        },
      },
      async (request, reply) => {
        return reply.code(202).send(await startJob(o, request.shopId, RFM));
      },
    );
    app.get(
      '/api/rfm/grid',
      {
        schema: {
          tags: ['rfm'],
          summary:
            'All 25 R×F cells (R5…R1 by F1…F5) with their segment, customers and window spend; and per segment',
          response: {
            200: z.object({
              cells: z.array(
                z.object({
                  r: z.number().int(),
                  f: z.number().int(),
                  customers: z.number().int(),
                  monetaryCents: z.number().int(),
                }),
              ),
              segments: z.array(
                z.object({
                  segment: z.enum(RFM_SEGMENTS),
                  customers: z.number().int(),
                  monetaryCents: z.number().int(),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({
        cells: await rfmGrid(o.db, request.shopId),
        segments: await rfmSegmentCounts(o.db, request.shopId),
      }),
    );
  };
