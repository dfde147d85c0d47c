// `regulars customers erase`: a person's request to be forgotten, carried out from the shell (customers/erasure.ts).
import type { Command } from 'commander';
import { eraseCustomer, ErasureInput } from '../customers/erasure.js';
import { AppError } from '../errors.js';
import { getShop } from '../shops/shops.js';
import { findCustomer, pickShop, withDb } from './context.js';

export function customerCommands(program: Command): void {
  const customers = program.command('customers').description('customer profiles');
  customers
    .command('erase')
    .description(
      "erase a customer's personal data on their request, for good (orders, points ledger and figures stay, without a name)",
    )
    .requiredOption('--customer <who>', 'customer id, phone or member card')
    .requiredOption('--reason <text>', 'why, for the record: a ticket number, "asked by email"')
    .option('--shop <id>')
    .action((o: { customer: string; reason: string; shop?: string }) =>
      withDb(
        async (db) => {
          const shop = await getShop(db, await pickShop(db, o.shop));
          const input = ErasureInput.safeParse({ reason: o.reason });
          if (!input.success) {
            throw AppError.invalid('Cannot erase', [
              { field: '--reason', message: input.error.issues[0]!.message },
            ]);
          }
          const customerId = await findCustomer(db, shop, o.customer);
          await eraseCustomer(db, shop.shopId, customerId, input.data, null);
          console.log(`Erased the personal data of customer ${customerId}.`);
        },
        { light: true },
      ),
    );
}
