// `regulars campaign list|send|cancel|report|usage|deliver`: campaigns from the terminal. `send` launches a
// campaign now and delivers it in the foreground; `cancel` stops one; `deliver` drains the outbox (what
// the server does by itself), which is also how a delivery cut off by a crash is finished from the
// command line. `usage` is what the shop sent and what it cost, month by month.
import type { Command } from 'commander';
import { cancelCampaign, listCampaigns, scheduleCampaign } from '../engage/campaigns.js';
import { MESSAGES_DELIVER } from '../engage/jobs.js';
import { campaignReport } from '../engage/report.js';
import { sendingUsage, UsageQuery } from '../engage/usage.js';
import { formatAmount } from '../orders/money.js';
import { getShop } from '../shops/shops.js';
import { percent, pickShop, withDb } from './context.js';
import { jobCommand, runInForeground } from './jobs.js';

export function campaignCommands(program: Command): void {
  const campaign = program
    .command('campaign')
    .description('campaigns: a template to a segment, with a holdout');
  campaign
    .command('list')
    .description('campaigns, newest first')
    .option('--shop <id>')
    .action((o: { shop?: string }) =>
      withDb(
        async (db) => {
          for (const c of await listCampaigns(db, await pickShop(db, o.shop)))
            console.log(`${c.campaignId}  ${c.status.padEnd(9)}  ${c.channel.padEnd(7)}  ${c.name}`);
        },
        { light: true },
      ),
    );
  campaign
    .command('send')
    .argument('<campaignId>')
    .description('launch a draft or scheduled campaign now and deliver it')
    .option('--shop <id>')
    .action((campaignId: string, o: { shop?: string }) =>
      withDb(async (db, config) => {
        const shopId = await pickShop(db, o.shop);
        await scheduleCampaign(db, shopId, campaignId, new Date());
        await runInForeground(db, config, shopId, MESSAGES_DELIVER, 'delivering', 'messages');
      }),
    );
  campaign
    .command('cancel')
    .argument('<campaignId>')
    .description('stop a scheduled or sending campaign; messages not yet sent are not sent')
    .option('--shop <id>')
    .action((campaignId: string, o: { shop?: string }) =>
      withDb(
        async (db) => {
          const c = await cancelCampaign(db, await pickShop(db, o.shop), campaignId);
          console.log(`${c.name}: ${c.status}`);
        },
        { light: true },
      ),
    );
  campaign
    .command('usage')
    .description(
      'what the providers took each month, by channel and kind, with the parts billed and the cost (campaigns, flows, other, member-card codes)',
    )
    .option('--months <n>', 'this month and the months before it (1–24)', '6')
    .option('--shop <id>')
    .action((o: { months: string; shop?: string }) =>
      withDb(
        async (db) => {
          const query = UsageQuery.safeParse({ months: o.months });
          if (!query.success)
            throw new Error(`--months must be a whole number from 1 to 24, not '${o.months}'`);
          const shop = await getShop(db, await pickShop(db, o.shop));
          const rows = await sendingUsage(db, shop.shopId, shop.timeZone, query.data.months);
          if (rows.length === 0) console.log('nothing sent in these months');
          for (const r of rows)
            console.log(
              `${r.month}  ${r.channel.padEnd(7)}  ${r.kind.padEnd(8)}  ${r.messages} sent, ${r.parts} parts, ${formatAmount(Math.round(r.costCents), shop.currency)} ${shop.currency}`,
            );
        },
        { light: true },
      ),
    );
  campaign
    .command('report')
    .argument('<campaignId>')
    .description("a campaign's delivery, engagement, conversions and lift")
    .option('--shop <id>')
    .action((campaignId: string, o: { shop?: string }) =>
      withDb(async (db) => {
        const r = await campaignReport(db, await pickShop(db, o.shop), campaignId);
        const m = r.messages;
        console.log(`audience ${r.audience} (holdout ${r.holdout})`);
        console.log(
          `messages: sent ${m.sent + m.delivered}, delivered ${m.delivered}, failed ${m.failed}, suppressed ${m.suppressed}, waiting ${m.queued + m.sending}`,
        );
        for (const [reason, n] of Object.entries(r.suppressedBecause))
          console.log(`  suppressed (${reason}): ${n}`);
        console.log(`opened ${r.opened}, clicked ${r.clicked}, unsubscribed ${r.unsubscribed}`);
        console.log(
          `converted: recipients ${r.recipients.converted}/${r.recipients.customers} (${percent(r.recipients.conversionRate)}), control ${r.control.converted}/${r.control.customers} (${percent(r.control.conversionRate)}); lift ${percent(r.lift)}`,
        );
      }),
    );
  jobCommand(
    campaign,
    'deliver',
    "send every message waiting in the shop's outbox",
    MESSAGES_DELIVER,
    'delivering',
    'messages',
  );
}
