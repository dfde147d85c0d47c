// `regulars flow list|run|report|activate|pause`: flows from the terminal. `run` does now what the server's
// scheduler does every minute (lets in new occurrences, moves customers on), then delivers what it queued.
import type { Command } from 'commander';
import { activateFlow, listFlows, pauseFlow } from '../engage/flows/flows.js';
import { flowReport } from '../engage/flows/report.js';
import { FLOWS_RUN, MESSAGES_DELIVER } from '../engage/jobs.js';
import { percent, pickShop, withDb } from './context.js';
import { jobCommand, runInForeground } from './jobs.js';

export function flowCommands(program: Command): void {
  const flow = program.command('flow').description('flows: a trigger starts steps for each customer');
  flow
    .command('list')
    .description('flows, newest first')
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(
        async (db) => {
          for (const f of await listFlows(db, await pickShop(db, o.shop)))
            console.log(`${f.flowId}  ${f.status.padEnd(6)}  ${f.trigger.type.padEnd(15)}  ${f.name}`);
        },
        { light: true },
      ),
    );
  jobCommand(flow, 'run', 'run the active flows now', FLOWS_RUN, 'running flows', 'moves');
  flow
    .command('activate')
    .argument('<flowId>')
    .description('start (or resume) a flow, then run it and deliver its messages')
    .option('--catch-up-days <n>', 'also let in occurrences of the last n days (0–30)', '0')
    .option('--shop <id>')
    .action((flowId: string, o: { shop?: string; catchUpDays: string }) =>
      withDb(async (db, config) => {
        const days = Number(o.catchUpDays);
        if (!Number.isInteger(days) || days < 0 || days > 30)
          throw new Error(`--catch-up-days must be a whole number from 0 to 30, not '${o.catchUpDays}'`);
        const shopId = await pickShop(db, o.shop);
        await activateFlow(db, shopId, flowId, days);
        await runInForeground(db, config, shopId, FLOWS_RUN, 'running flows', 'moves');
        await runInForeground(db, config, shopId, MESSAGES_DELIVER, 'delivering', 'messages');
      }),
    );
  flow
    .command('pause')
    .argument('<flowId>')
    .description('no one enters or moves on until it is activated again')
    .option('--shop <id>')
    .action((flowId: string, o: { shop?: string }) =>
      withDb(
        async (db) => {
          const f = await pauseFlow(db, await pickShop(db, o.shop), flowId);
          console.log(`${f.name}: ${f.status}`);
        },
        { light: true },
      ),
    );
  flow
    .command('report')
    .argument('<flowId>')
    .description("a flow's entries, per-step counts, messages, conversions and lift")
    .option('--shop <id>')
    .action((flowId: string, o: { shop?: string }) =>
      withDb(async (db) => {
        const r = await flowReport(db, await pickShop(db, o.shop), flowId);
        console.log(
          `entered ${r.entered} (holdout ${r.holdout}): active ${r.active}, completed ${r.completed}, exited ${r.exited}`,
        );
        for (const [reason, n] of Object.entries(r.exitedBecause)) console.log(`  exited (${reason}): ${n}`);
        for (const [step, c] of Object.entries(r.steps))
          console.log(
            `  step ${step}: passed ${c.passed}${c.yes + c.no > 0 ? ` (yes ${c.yes}, no ${c.no})` : ''}, here now ${c.here}`,
          );
        const m = r.messages;
        console.log(
          `messages: sent ${m.sent + m.delivered}, delivered ${m.delivered}, failed ${m.failed}, suppressed ${m.suppressed}, waiting ${m.queued + m.sending}`,
        );
        console.log(
          `opened ${r.opened}, clicked ${r.clicked}; coupons issued ${r.coupons.issued}, redeemed ${r.coupons.redeemed}`,
        );
        console.log(
          `converted: walked ${r.walked.converted}/${r.walked.customers} (${percent(r.walked.conversionRate)}), holdout ${r.control.converted}/${r.control.customers} (${percent(r.control.conversionRate)}); lift ${percent(r.lift)}`,
        );
      }),
    );
}
