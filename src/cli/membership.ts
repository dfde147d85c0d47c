// `regulars tiers …` and `regulars points …`: the membership jobs, where a member stands, and points
// adjustments by staff.
import type { Command } from 'commander';
import { dayOf } from '../analytics/period.js';
import { AppError } from '../errors.js';
import type { Shortfall } from '../membership/grading.js';
import { adjustPoints, AdjustmentInput } from '../membership/redemptions.js';
import { getProgram } from '../membership/program.js';
import { EXPIRE, holdUntilNextReview, REGRADE, REVIEW } from '../membership/schedule.js';
import { memberTiers } from '../membership/standing.js';
import { formatAmount } from '../orders/money.js';
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
  tiers
    .command('show')
    .description("a member's tier, what the next one still wants, and whether they keep theirs")
    .requiredOption('--customer <who>', 'customer id, phone or member card')
    .option('--shop <id>')
    .action((o: { customer: string; shop?: string }) =>
      withDb(
        async (db) => {
          const shop = await getShop(db, await pickShop(db, o.shop));
          const customerId = await findCustomer(db, shop, o.customer);
          const stored = await getProgram(db, shop.shopId);
          const { program } = stored;
          const at = new Date();
          const reviewAt = holdUntilNextReview(stored, shop.timeZone, at);
          const m = (await memberTiers(db, shop.shopId, program, [customerId], at, reviewAt)).get(
            customerId,
          )!;
          const name = (rank: number) => program.tiers[Math.min(rank, program.tiers.length - 1)]!.name;
          const day = (d: Date) => dayOf(d, shop.timeZone);
          const amount = (cents: number) => `${formatAmount(cents, shop.currency)} ${shop.currency}`;
          const purchases = (n: number) => `${n} purchase${n === 1 ? '' : 's'}`;
          const wanted = (s: Shortfall) =>
            [
              s.spendCents ? `${amount(s.spendCents)} more` : null,
              s.orders ? `${s.orders} more purchase${s.orders === 1 ? '' : 's'}` : null,
            ]
              .filter((x) => x !== null)
              .join(program.match === 'any' ? ' or ' : ' and ');
          const standing = [
            m.since ? `since ${day(m.since)}` : null,
            m.holdUntil && m.holdUntil > at ? `set by hand until ${day(m.holdUntil)}` : null,
            m.graceUntil ? `below its keep threshold, grace until ${day(m.graceUntil)}` : null,
          ].filter((x) => x !== null);
          const window = program.window === 'lifetime' ? 'all purchases ever' : 'the last 12 months';
          const lines = [
            `${name(m.rank)}${standing.length > 0 ? ` (${standing.join('; ')})` : ''}`,
            `Counted: ${amount(m.standing.spendCents)} and ${purchases(m.standing.orders)} (${window})`,
          ];
          if (m.next)
            lines.push(
              m.next.met
                ? `Meets ${name(m.next.rank)}'s threshold (the tier set by hand holds it)`
                : `To ${name(m.next.rank)}: ${wanted(m.next)}`,
            );
          if (m.keep)
            lines.push(
              m.keep.met
                ? `Keeps ${name(m.rank)} at the review on ${day(reviewAt)}`
                : `To keep ${name(m.rank)} at the review on ${day(reviewAt)}: ${wanted(m.keep)}`,
            );
          console.log(lines.join('\n'));
        },
        { light: true },
      ),
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
