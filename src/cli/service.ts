// `regulars service list`: the service desk's queue in the terminal — open cases, the longest waiting
// first (or resolved ones, latest first), by kind, by who handles them, by their words, with each
// customer's name: the morning's check of what still waits for an answer.
import type { Command } from 'commander';
import { CASE_KINDS, CaseQuery, listCases } from '../service/cases.js';
import { listStaff } from '../shops/staff.js';
import { pickShop, withDb } from './context.js';

const DAY_MS = 86_400_000;

export function serviceCommands(program: Command): void {
  const service = program.command('service').description("the service desk's cases");
  service
    .command('list')
    .description(
      "open cases, priority members' first, the longest waiting first (or resolved ones, latest first)",
    )
    .option('--status <status>', 'open, resolved or all', 'open')
    .option('--kind <kind>', CASE_KINDS.join(', '))
    .option('--assignee <email>', "the staff member handling them, by email, or 'none' for nobody yet")
    .option('--overdue', "only open cases past their kind's target")
    .option('--priority', 'only the cases of members whose tier grants priority service')
    .option('--search <words>', "words in the subject, details or resolution, or a help desk's ticket number")
    .option('--limit <n>', 'at most this many (1–200)', '50')
    .option('--shop <id>')
    .action(
      (o: {
        status: string;
        kind?: string;
        assignee?: string;
        search?: string;
        overdue?: boolean;
        priority?: boolean;
        limit: string;
        shop?: string;
      }) =>
        withDb(
          async (db) => {
            const shopId = await pickShop(db, o.shop);
            let assignee: string | undefined;
            if (o.assignee !== undefined) {
              const email = o.assignee.trim().toLowerCase();
              const found = (await listStaff(db, shopId)).find((s) => s.email === email);
              if (email !== 'none' && !found)
                throw new Error(`--assignee must be a staff member's email or 'none', not '${o.assignee}'`);
              assignee = found?.staffId ?? 'none';
            }
            const query = CaseQuery.safeParse({
              status: o.status === 'all' ? undefined : o.status,
              kind: o.kind,
              assignee,
              q: o.search,
              overdue: o.overdue ? 'true' : undefined,
              priority: o.priority ? 'true' : undefined,
              limit: o.limit,
            });
            if (!query.success) {
              const field = query.error.issues[0]!.path[0] as 'status' | 'kind' | 'q' | 'limit';
              const bad = field === 'q' ? 'search' : field;
              const hint = {
                status: 'open, resolved or all',
                kind: CASE_KINDS.join(', '),
                search: 'from 1 to 100 characters',
                limit: 'a whole number from 1 to 200',
              }[bad];
              throw new Error(`--${bad} must be ${hint}, not '${o[bad] ?? ''}'`);
            }
            const { items, total } = await listCases(db, shopId, query.data);
            const now = Date.now();
            for (const k of items) {
              const waited = Math.floor((now - k.openedAt.getTime()) / DAY_MS);
              const when =
                k.status === 'open' ? `${waited}d waiting` : `resolved ${k.resolvedAt!.toISOString()}`;
              const order = k.orderExternalId ? `  order ${k.orderExternalId}` : '';
              const handler = k.assigneeName ? `  → ${k.assigneeName}` : '';
              const late = k.status === 'open' && k.dueAt && k.dueAt.getTime() < now ? '  OVERDUE' : '';
              const priority = k.priority ? '  PRIORITY' : '';
              console.log(
                `${k.caseId}  ${k.kind.padEnd(10)}  ${when.padEnd(12)}  ${k.customerName ?? '(no name)'}: ${k.subject}${order}${handler}${late}${priority}`,
              );
            }
            console.log(`${items.length} of ${total} cases`);
          },
          { light: true },
        ),
    );
}
