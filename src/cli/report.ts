// `regulars report --from --to [--by category|brand]`: the dashboard's main figures in the terminal, and
// the period's sales by category or brand.
import type { Command } from 'commander';
import { dashboard } from '../analytics/dashboard.js';
import { lineSales, type LineSalesInput } from '../analytics/lineSales.js';
import { formatAmount } from '../orders/money.js';
import { percent, pickShop, withDb } from './context.js';

export function reportCommand(program: Command): void {
  program
    .command('report')
    .description("the main figures for a period of the shop's calendar")
    .requiredOption('--from <day>', 'first day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last day (included), YYYY-MM-DD')
    .option('--segment <id>', 'only this segment’s members')
    .option('--by <what>', 'also the sales by category or brand (the 10 with most net sales)')
    .option('--shop <id>')
    .action((o: { from: string; to: string; segment?: string; by?: string; shop?: string }) =>
      withDb(async (db) => {
        const shopId = await pickShop(db, o.shop);
        const period = { from: o.from, to: o.to, segmentId: o.segment };
        // The sales by line first: a bad --by is refused before anything is printed.
        const byLine = o.by
          ? await lineSales(db, shopId, { ...period, by: o.by as LineSalesInput['by'], limit: 10 })
          : null;
        const d = await dashboard(db, shopId, period);
        const s = d.sales;
        const money = (cents: number | null) =>
          cents === null ? '–' : `${formatAmount(cents, d.currency)} ${d.currency}`;
        const lines: [string, string][] = [
          ['period', `${d.from} – ${d.to} (${d.timeZone})`],
          ['orders', `${s.orders} from ${s.customers} customers`],
          [
            'net sales',
            `${money(s.netCents)} (gross ${money(s.grossCents)}, refunds ${money(s.refundedCents)})`,
          ],
          ['new customers', `${s.newCustomers}, ${money(s.newNetCents)}`],
          [
            'returning customers',
            `${s.returningCustomers}, ${money(s.returningNetCents)} (${percent(s.returningShare)} of sales)`,
          ],
          [
            'returning conversion',
            `${percent(s.returningConversion)} of ${s.previousBuyers} previous buyers`,
          ],
          [
            'repurchase rate',
            `${percent(s.repurchaseRate)}; median ${s.medianDaysToSecondOrder ?? '–'} days to a second order`,
          ],
          ['average order', `${money(s.aovCents)}; ${s.frequency?.toFixed(2) ?? '–'} orders per customer`],
          ['refunds', `${percent(s.refundOrderRate)} of orders, ${percent(s.refundAmountRate)} of sales`],
          [
            'discounted',
            `${percent(s.discountOrderShare)} of orders, ${percent(s.discountRevenueShare)} of sales`,
          ],
          [
            'reactivated',
            `${d.dormancy.reactivated} of ${d.dormancy.dormant} dormant ${d.dormancy.days}+ days (${percent(d.dormancy.rate)})`,
          ],
          ['churned at the end', `${percent(d.dormancy.churnRate)} of ${d.dormancy.buyers} buyers`],
          ['acquisition cost', `${money(d.acquisition.cacCents)} (spend ${money(d.acquisition.spendCents)})`],
          [
            'points',
            `earned ${d.points.earned + d.points.added}, redeemed ${d.points.redeemed}, expired ${d.points.expired}; outstanding ${d.points.outstanding}`,
          ],
        ];
        if (byLine) {
          lines.push([`sales by ${byLine.by}`, `${money(byLine.total.netCents)} net, all lines`]);
          for (const r of byLine.rows)
            lines.push([
              `  ${r.name ?? `(no ${byLine.by})`}`,
              `${money(r.netCents)} (${percent(r.share)}); ${r.orders} orders, ${r.units} units, ${r.returnedUnits} returned; ${r.newBuyers} new buyers`,
            ]);
          if (byLine.others)
            lines.push([
              `  ${byLine.others.names} more`,
              `${money(byLine.others.netCents)} (${percent(byLine.others.share)})`,
            ]);
        }
        const width = Math.max(...lines.map(([k]) => k.length));
        for (const [k, v] of lines) console.log(`${k.padEnd(width)}  ${v}`);
      }),
    );
}
