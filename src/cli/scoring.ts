// `regulars predict` and `regulars rfm`: score every customer of the shop, in the foreground.
import type { Command } from 'commander';
import { PREDICT } from '../predict/jobs.js';
import { RFM } from '../rfm/jobs.js';
import { jobCommand } from './jobs.js';

export function scoringCommands(program: Command): void {
  jobCommand(
    program,
    'rfm',
    "score every customer's recency, frequency and monetary value and name their RFM segment",
    RFM,
    'scoring',
  );
  jobCommand(
    program,
    'predict',
    "fit the shop's purchase models (MBG/NBD, Gamma-Gamma) and predict for every customer",
    PREDICT,
    'predicting',
  );
}
