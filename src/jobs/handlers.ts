// Every kind of background job there is, by area.
import { membershipJobs } from '../membership/schedule.js';
import { predictionJobs } from '../predict/jobs.js';
import type { Handlers } from './runner.js';

export const JOB_HANDLERS: Handlers = { ...membershipJobs, ...predictionJobs };
