// Orders, identities, events, tags, points and messages point at customers without a foreign key (see the migration for why), so this
// checks the code keeps them whole: after imports, replays and merges, nothing points at a missing profile.
import { expect, it } from 'vitest';
import { ingestOrders } from '../src/orders/ingest.js';
import { demoOrders } from '../src/demo/demo.js';
import { createDemoTags } from '../src/demo/layers.js';
import { backfillRuleTags } from '../src/tags/rules.js';
import { normalizeOrder, OrderInput } from '../src/orders/input.js';
import { createCampaign, launchDueCampaigns, scheduleCampaign } from '../src/engage/campaigns.js';
import { issueCoupon } from '../src/engage/couponCodes.js';
import { createCoupon } from '../src/engage/coupons.js';
import { createTemplate } from '../src/engage/templates.js';
import { runFlows } from '../src/engage/flows/engine.js';
import { activateFlow, createFlow } from '../src/engage/flows/flows.js';
import { saveSegment } from '../src/segments/segments.js';
import { snapshotSegment } from '../src/segments/snapshots.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('referential integrity', ({ db, newShop }) => {
  it('leaves no order or identity pointing at a missing customer, merges included', async () => {
    const shop = await newShop();
    // The demo's rule tags ride along, so merges carry tags too.
    await createDemoTags(db(), shop.shopId);
    const orders = [...demoOrders(300, 7, new Date('2026-01-01T00:00:00Z'))];
    for (let i = 0; i < orders.length; i += 100) {
      await db().transaction((tx) => ingestOrders(tx, shop.shopId, orders.slice(i, i + 100), 'test'));
    }
    // Every profile is in a campaign (a queued message or the holdout) and holds a coupon code, so
    // merges must carry those too.
    const template = await createTemplate(db(), shop.shopId, { name: 'Hello', channel: 'sms', body: 'Hi' });
    const everyone = await saveSegment(db(), shop.shopId, {
      name: 'Everyone',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 0 },
    });
    const coupon = await createCoupon(db(), shop.shopId, {
      name: 'Ten off',
      kind: 'amount',
      amountCents: 1000,
    });
    const campaign = await createCampaign(db(), shop.shopId, {
      name: 'Hello',
      templateId: template.templateId,
      segmentId: everyone.segmentId,
      holdoutPercent: 10,
    });
    await scheduleCampaign(db(), shop.shopId, campaign.campaignId, new Date());
    expect(await launchDueCampaigns(db(), shop.shopId, new Date())).toBe(1);
    const snapshot = await snapshotSegment(db(), shop.shopId, everyone.segmentId);
    await db().transaction((tx) =>
      issueCoupon(tx, shop.shopId, coupon.couponId, { snapshotId: snapshot.snapshotId }, 'segment:all'),
    );
    const [codes] = await db().query<{ n: number }>(
      'select count(*)::int as n from coupon_codes where shop_id = $1',
      [shop.shopId],
    );
    expect(codes!.n).toBeGreaterThan(100);
    // … and is walking a flow (a date flow let everyone in today).
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timeZone }).format(new Date());
    const flow = await createFlow(db(), shop.shopId, {
      name: 'Everyone today',
      trigger: { type: 'date', month: Number(today.slice(5, 7)), day: Number(today.slice(8)), hour: 0 },
      steps: [{ type: 'wait', days: 7 }],
    });
    await activateFlow(db(), shop.shopId, flow.flowId, 1);
    expect((await runFlows(db(), shop.shopId)).entered).toBeGreaterThan(100);
    // Every profile has a note staff kept, so merges must move notes too.
    await db().query(
      `insert into customer_notes (shop_id, note_id, customer_id, body, author, created_at)
       select shop_id, gen_random_uuid(), customer_id, 'Prefers a call', 'The operator', now()
         from customers where shop_id = $1`,
      [shop.shopId],
    );
    // … and a service case about their latest order (where they have one).
    await db().query(
      `insert into service_cases (shop_id, case_id, customer_id, kind, channel, status, subject, order_id, source,
                                  opened_at, opened_by, updated_at)
       select shop_id, gen_random_uuid(), customer_id, 'after_sale', 'phone', 'open', 'Exchange a size',
              (select o.order_id from orders o where o.shop_id = c.shop_id and o.customer_id = c.customer_id
                order by o.ordered_at desc limit 1),
              'console', now(), 'The operator', now()
         from customers c where shop_id = $1`,
      [shop.shopId],
    );
    // Orders that join pairs of existing profiles (phone of one, email of the next) force merges.
    const phones = await db().query<{ phone: string }>(
      'select phone from customers where shop_id = $1 and email is null order by customer_id limit 20',
      [shop.shopId],
    );
    const emails = await db().query<{ email: string }>(
      'select email from customers where shop_id = $1 and email is not null order by customer_id limit 20',
      [shop.shopId],
    );
    const before = await db().query<{ n: number }>(
      'select count(*)::int as n from customers where shop_id = $1',
      [shop.shopId],
    );
    const joins = phones.slice(0, Math.min(phones.length, emails.length)).map((p, i) => {
      const r = normalizeOrder(
        OrderInput.parse({
          externalId: `JOIN-${i}`,
          status: 'paid',
          totalCents: 100,
          orderedAt: '2026-01-01T10:00:00+08:00',
          customer: { phone: p.phone, email: emails[i]!.email },
        }),
        shop,
      );
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.order;
    });
    await db().transaction((tx) => ingestOrders(tx, shop.shopId, joins, 'test'));
    const after = await db().query<{ n: number }>(
      'select count(*)::int as n from customers where shop_id = $1',
      [shop.shopId],
    );
    expect(after[0]!.n).toBe(before[0]!.n - joins.length);

    // Rows of every table that points at a customer, whose customer is gone.
    const owned: [string, string][] = [
      ['orders', 'orders'],
      ['identities', 'customer_identities'],
      ['events', 'customer_events'],
      ['tags', 'customer_tags'],
      ['points', 'points_ledger'],
      ['messages', 'messages'],
      ['coupon codes', 'coupon_codes'],
      ['campaign members', 'campaign_members'],
      ['flow enrollments', 'flow_enrollments'],
      ['bought categories', 'customer_categories'],
      ['bought brands', 'customer_brands'],
      ['bought stores', 'customer_stores'],
      ['notes', 'customer_notes'],
      ['service cases', 'service_cases'],
    ];
    const orphans = await db().query<{ what: string; n: number }>(
      `${owned
        .map(
          ([what, table]) => `select '${what}' as what, count(*)::int as n from ${table} x
             where x.shop_id = $1
               and not exists (select 1 from customers c where c.shop_id = x.shop_id and c.customer_id = x.customer_id)`,
        )
        .join(' union all ')}
       union all
       select 'order lines without their order', count(*)::int from order_items i
         where i.shop_id = $1
           and not exists (select 1 from orders o where o.shop_id = i.shop_id and o.order_id = i.order_id)
       union all
       select 'points of another buyer', count(*)::int from points_ledger l join orders o using (shop_id, order_id)
         where l.shop_id = $1 and l.customer_id <> o.customer_id
       union all
       select 'cases about another buyer''s order', count(*)::int from service_cases k join orders o using (shop_id, order_id)
         where k.shop_id = $1 and k.customer_id <> o.customer_id
       order by what`,
      [shop.shopId],
    );
    expect(orphans).toEqual(
      [
        'bought brands',
        'bought categories',
        'bought stores',
        'campaign members',
        "cases about another buyer's order",
        'coupon codes',
        'events',
        'flow enrollments',
        'identities',
        'messages',
        'notes',
        'order lines without their order',
        'orders',
        'points',
        'points of another buyer',
        'service cases',
        'tags',
      ].map((what) => ({ what, n: 0 })),
    );
    // Every balance is the sum of its ledger, merged profiles' points included.
    const unbalanced = await db().query<{ n: number; points: number }>(
      `select count(*) filter (where c.points_balance <> coalesce(l.points, 0))::int as n, sum(c.points_balance)::int8 as points
         from customers c
         left join (select customer_id, sum(points) as points from points_ledger where shop_id = $1 group by customer_id) l
           using (customer_id)
        where c.shop_id = $1`,
      [shop.shopId],
    );
    expect(unbalanced[0]!.n).toBe(0);
    expect(unbalanced[0]!.points).toBeGreaterThan(0);
    // And the stats on every profile equal what its orders say.
    const drift = await db().query<{ n: number }>(
      `select count(*)::int as n from customers c
         left join (select customer_id, count(*)::int as orders, sum(total_cents)::int8 as spend from orders
                     where shop_id = $1 and status not in ('pending', 'cancelled') group by customer_id) o using (customer_id)
        where c.shop_id = $1 and (c.order_count <> coalesce(o.orders, 0) or c.spend_cents <> coalesce(o.spend, 0))`,
      [shop.shopId],
    );
    expect(drift[0]!.n).toBe(0);
    // Each tag's count is its members, and the rules applied order by order leave a full back-fill nothing to do.
    const counts = await db().query<{ name: string; kept: number; members: number }>(
      `select t.name, t.customer_count as kept, count(ct.customer_id)::int as members
         from tags t left join customer_tags ct using (shop_id, tag_id)
        where t.shop_id = $1 group by t.name, t.customer_count order by t.name`,
      [shop.shopId],
    );
    expect(counts.filter((c) => c.kept !== c.members)).toEqual([]);
    expect(counts.find((c) => c.name === 'oily-skin')!.members).toBeGreaterThan(0);
    const again = await backfillRuleTags(db(), shop.shopId, new Date());
    expect(again).toMatchObject({ added: 0, removed: 0, invalid: [] });
  });
});
