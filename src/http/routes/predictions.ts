import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import { PREDICT } from '../../predict/jobs.js';
import { customerCycles, latestModel } from '../../predict/predictions.js';
import { AppError } from '../../errors.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors, Job } from '../schemas.js';
import { startJob } from './jobs.js';

const ts = z.iso.datetime();
const fit = <T extends z.ZodRawShape>(params: T) =>
  z.object({ params: z.object(params), logLikelihood: z.number() });

export const predictionRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/predictions/model',
      {
        schema: {
          tags: ['predictions'],
          summary:
            "The shop's latest fitted purchase models (MBG/NBD in weeks; fits before it BG/NBD; Gamma-Gamma in minor units)",
          response: {
            200: z.object({
              modelId: z.uuid(),
              fittedAt: ts,
              calibrationEnd: z.iso.date(),
              customers: z.number().int(),
              purchases: fit({ r: z.number(), alpha: z.number(), a: z.number(), b: z.number() }).extend({
                model: z.enum(['BG/NBD', 'MBG/NBD']).describe('which model the fit is of'),
              }),
              gammaGamma: fit({ p: z.number(), q: z.number(), gamma: z.number() }).nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const model = await latestModel(o.db, request.shopId);
        if (!model) throw AppError.notFound('A fitted model (run the predictions first)');
        return model;
      },
    );

    app.post(
      '/api/predictions/run',
      {
        schema: {
          tags: ['predictions'],
          summary:
            'Fit the models on every purchase history and predict for every customer (a background job)',
          response: { 202: Job, ...errors },
        },
      },
      async (request, reply) => {
        return reply.code(202).send(await startJob(o, request.shopId, PREDICT));
      },
    );

    app.get(
      '/api/customers/:customerId/cycles',
      {
        schema: {
          tags: ['predictions'],
          summary: "The customer's purchase cycle per product category, soonest due first",
          params: CustomerParams,
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  category: z.string(),
                  purchaseDays: z.number().int(),
                  cycleDays: z.number(),
                  lastPurchaseAt: ts,
                  nextPurchaseAt: ts,
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { customerId } = await getCustomer(o.db, request.shopId, request.params.customerId);
        return { items: await customerCycles(o.db, request.shopId, customerId) };
      },
    );
  };
