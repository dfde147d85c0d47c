// Flow benchmark: a calendar flow (the Double 11 recall) letting a whole shop in at once — N customers
// enter, each is issued a coupon code, queued a message and tagged, then waits — and the next run, which
// must find nothing new to do. Prints customers per second for each phase.
//
//   npm run bench:flows -- [--customers 200000] [--db postgres|pglite]
//   (postgres reads BENCH_DATABASE_URL: a database it may fill)
import { migrate } from '../src/db/migrate.js';
import { createCoupon } from '../src/engage/coupons.js';
import { runFlows } from '../src/engage/flows/engine.js';
import { activateFlow, createFlow } from '../src/engage/flows/flows.js';
import { createTemplate } from '../src/engage/templates.js';
import { createShop } from '../src/shops/shops.js';
import { createTag } from '../src/tags/tags.js';
import { arg, openBenchDb, seconds } from './options.js';
import { buildShop } from './shop.js';

const CUSTOMERS = Number(arg('customers', '200000'));
const DB = arg('db', 'postgres');

async function main(): Promise<void> {
  const db = await openBenchDb(DB);
  await migrate(db);
  const shop = await createShop(db, {
    name: `Flow bench ${new Date().toISOString()}`,
    timeZone: 'Asia/Shanghai',
  });
  await buildShop(db, shop.shopId, CUSTOMERS);
  const coupon = await createCoupon(db, shop.shopId, {
    name: '满200减30',
    kind: 'amount',
    amountCents: 3000,
    minSpendCents: 20000,
    validDays: 30,
    codePrefix: 'D11',
  });
  const template = await createTemplate(db, shop.shopId, {
    name: 'Recall',
    channel: 'sms',
    body: '【Lotus】{{ customer.name }}，双11专属券 {{ coupon.code }}，满200减30。回T退订',
  });
  const tag = await createTag(db, shop.shopId, { name: 'double-11-recalled' });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timeZone }).format(new Date());
  const flow = await createFlow(db, shop.shopId, {
    name: 'Double 11 recall',
    trigger: { type: 'date', month: Number(today.slice(5, 7)), day: Number(today.slice(8)), hour: 0 },
    steps: [
      { type: 'coupon', couponId: coupon.couponId },
      { type: 'send', templateId: template.templateId },
      { type: 'tag', tagId: tag.tagId, action: 'add' },
      { type: 'wait', days: 3 },
    ],
  });
  await activateFlow(db, shop.shopId, flow.flowId, 1);
  let t = performance.now();
  let entered = 0;
  const first = await runFlows(db, shop.shopId, new Date(), async (done) => {
    if (entered === 0 && done > 0) {
      entered = done;
      console.log(`entered: ${done.toLocaleString('en')} customers in ${seconds(t).toFixed(1)} s`);
      t = performance.now();
    }
  });
  const moveSeconds = seconds(t);
  console.log(
    `moved through coupon, send, tag to the wait: ${first.moved.toLocaleString('en')} in ${moveSeconds.toFixed(1)} s ` +
      `(${Math.round(first.moved / moveSeconds).toLocaleString('en')}/s); messages queued ${first.queued.toLocaleString('en')}`,
  );
  t = performance.now();
  const again = await runFlows(db, shop.shopId, new Date());
  console.log(
    `next run: entered ${again.entered}, moved ${again.moved}, queued ${again.queued} in ${seconds(t).toFixed(1)} s`,
  );
  await db.close();
}

await main();
