// The prediction run as a background job (console and API) or in the foreground (CLI).
import type { Handlers } from '../jobs/runner.js';
import { runPredictions } from './predictions.js';

export const PREDICT = 'predictions.run';

export const predictionJobs: Handlers = {
  async [PREDICT](db, job, progress) {
    const model = await runPredictions(db, job.shopId, new Date(), progress);
    return {
      customers: model.customers,
      r: model.bgnbd.params.r,
      alpha: model.bgnbd.params.alpha,
      a: model.bgnbd.params.a,
      b: model.bgnbd.params.b,
      logLikelihood: model.bgnbd.logLikelihood,
    };
  },
};
