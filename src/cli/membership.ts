// `regulars tiers …` and `regulars points …`: the membership jobs, and points adjustments by staff.
import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { adjustPoints, AdjustmentInput } from '../membership/points.js';
import { EXPIRE, REGRADE, REVIEW } from '../membership/schedule.js';
import { getShop } from '../shops/shops.js';
import { findCustomer, pickShop, withDb } from './context.js';
import { jobCommand } from './jobs.js';

export function membershipCommands(program: Command): void {
  const tiers = program.command('tiers').description('member tiers');
  jobCommand(
    tiers,
    'regrade',
    'grade every customer against the current thresholds now',
    REGRADE,
    're-grading',
  );
  jobCommand(
    tiers,
    'review',
    'run the periodic review now: downgrades after the grace period',
    REVIEW,
    'reviewing',
  );

  const points = program.command('points').description('the points ledger');
  points
    .command('adjust')
    .description('add (or with a minus sign, take back) points, with a reason')
    .requiredOption('--customer <who>', 'customer id, phone or member card')
    .requiredOption('--points <n>', 'points to add; negative to take back')
    .requiredOption('--reason <text>')
    .option('--key <key>', 'idempotency key: running the command again with it changes nothing')
    .option('--shop <id>')
    .action((o: { customer: string; points: string; reason: string; key?: string; shop?: string }) =>
      withDb(
        async (db) => {
          const shop = await getShop(db, await pickShop(db, o.shop));
          const input = AdjustmentInput.safeParse({
            points: Number(o.points),
            reason: o.reason,
            idempotencyKey: o.key,
          });
          if (!input.success) {
            throw AppError.invalid(
              'Cannot adjust',
              input.error.issues.map((i) => ({
                field: `--${i.path.join('.') === 'idempotencyKey' ? 'key' : i.path.join('.')}`,
                // Said of what was typed, not of the number it failed to become.
                message:
                  i.path[0] === 'points' && !Number.isInteger(Number(o.points))
                    ? `a whole number of points, such as 200 or -50, not ${JSON.stringify(o.points)}`
                    : i.message,
              })),
            );
          }
          const customerId = await findCustomer(db, shop, o.customer);
          const move = await adjustPoints(db, shop, customerId, input.data, null);
          console.log(
            move.applied
              ? `${move.entry.points > 0 ? 'Added' : 'Took back'} ${Math.abs(move.entry.points)} points; balance ${move.balance}.`
              : `Already done with this key; balance ${move.balance}.`,
          );
        },
        { light: true },
      ),
    );
  jobCommand(points, 'expire', 'expire every points lot that is due now', EXPIRE, 'expiring');
}
