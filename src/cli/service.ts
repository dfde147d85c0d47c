// `regulars service list`: the service desk's queue in the terminal — open cases, the longest waiting
// first (or resolved ones, latest first), by kind, with each customer's name: the morning's check of
// what still waits for an answer.
import type { Command } from 'commander';
import { CASE_KINDS, CaseQuery, listCases } from '../service/cases.js';
import { pickShop, withDb } from './context.js';

const DAY_MS = 86_400_000;

export function serviceCommands(program: Command): void {
  const service = program.command('service').description("the service desk's cases");
  service
    .command('list')
    .description('open cases, the longest waiting first (or resolved ones, latest first)')
    .option('--status <status>', 'open, resolved or all', 'open')
    .option('--kind <kind>', CASE_KINDS.join(', '))
    .option('--limit <n>', 'at most this many (1–200)', '50')
    .option('--shop <id>')
    .action((o: { status: string; kind?: string; limit: string; shop?: string }) =>
      withDb(
        async (db) => {
          const query = CaseQuery.safeParse({
            status: o.status === 'all' ? undefined : o.status,
            kind: o.kind,
            limit: o.limit,
          });
          if (!query.success) {
            const bad = query.error.issues[0]!.path[0] as 'status' | 'kind' | 'limit';
            const hint = {
              status: 'open, resolved or all',
              kind: CASE_KINDS.join(', '),
              limit: 'a whole number from 1 to 200',
            }[bad];
            throw new Error(`--${bad} must be ${hint}, not '${o[bad] ?? ''}'`);
          }
          const { items, total } = await listCases(db, await pickShop(db, o.shop), query.data);
          const now = Date.now();
          for (const k of items) {
            const waited = Math.floor((now - k.openedAt.getTime()) / DAY_MS);
            const when =
              k.status === 'open' ? `${waited}d waiting` : `resolved ${k.resolvedAt!.toISOString()}`;
            const order = k.orderExternalId ? `  order ${k.orderExternalId}` : '';
            console.log(
              `${k.caseId}  ${k.kind.padEnd(10)}  ${when.padEnd(12)}  ${k.customerName ?? '(no name)'}: ${k.subject}${order}`,
            );
          }
          console.log(`${items.length} of ${total} cases`);
        },
        { light: true },
      ),
    );
}
