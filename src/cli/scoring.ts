// `regulars predict` and `regulars rfm`: score every customer of the shop, in the foreground.
import type { Command } from 'commander';
import { PREDICT } from '../predict/jobs.js';
import { RFM } from '../rfm/jobs.js';
import { pickShop, withDb } from './context.js';
import { runInForeground } from './jobs.js';

export function scoringCommands(program: Command): void {
  program
    .command('rfm')
    .description("score every customer's recency, frequency and monetary value and name their RFM segment")
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(async (db) => runInForeground(db, await pickShop(db, o.shop), RFM, 'scoring')),
    );
  program
    .command('predict')
    .description("fit the shop's purchase models (BG/NBD, Gamma-Gamma) and predict for every customer")
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(async (db) => runInForeground(db, await pickShop(db, o.shop), PREDICT, 'predicting')),
    );
}
