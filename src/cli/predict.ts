// `regulars predict`: fit the shop's purchase models and score every customer, in the foreground.
import type { Command } from 'commander';
import { PREDICT } from '../predict/jobs.js';
import { pickShop, withDb } from './context.js';
import { runInForeground } from './jobs.js';

export function predictCommand(program: Command): void {
  program
    .command('predict')
    .description("fit the shop's purchase models (BG/NBD, Gamma-Gamma) and predict for every customer")
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(async (db) => runInForeground(db, await pickShop(db, o.shop), PREDICT, 'predicting')),
    );
}
