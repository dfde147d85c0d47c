// The demo shop as `npm start` builds it, at a small size: customers, orders, layers and the engage
// set-up (consent, templates, a coupon, a campaign ready to send) all in place and consistent.
import { expect, it } from 'vitest';
import { consentsOf } from '../src/customers/consent.js';
import { listEvents } from '../src/customers/timeline.js';
import { loadDemo } from '../src/demo/demo.js';
import { listCampaigns } from '../src/engage/campaigns.js';
import { listCoupons } from '../src/engage/coupons.js';
import { boughtCatalog } from '../src/orders/bought.js';
import { countSegment, listSegments } from '../src/segments/segments.js';
import { runFlows } from '../src/engage/flows/engine.js';
import { activateFlow, listFlows } from '../src/engage/flows/flows.js';
import { flowReport } from '../src/engage/flows/report.js';
import { previewMessage } from '../src/engage/preview.js';
import { serviceHours } from '../src/service/hours.js';
import { listTemplates } from '../src/engage/templates.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('demo shop', ({ db }) => {
  it('builds a shop with consent, templates, coupons (one for points) and a campaign draft', async () => {
    const now = new Date('2026-11-01T00:00:00Z');
    const { shop, created } = await loadDemo(db(), {
      customers: 300,
      seed: 7,
      now,
      shopName: `Demo ${Math.random().toString(36).slice(2, 8)}`,
    });
    expect(created).toBe(true);
    const [counts] = await db().query<{
      withEmail: number;
      emailIn: number;
      withPhone: number;
      smsIn: number;
    }>(
      `select count(*) filter (where c.email is not null)::int as "withEmail",
              count(*) filter (where e.status = 'opted_in')::int as "emailIn",
              count(*) filter (where c.phone is not null)::int as "withPhone",
              count(*) filter (where s.status = 'opted_in')::int as "smsIn"
         from customers c
         left join customer_consents e on e.shop_id = c.shop_id and e.customer_id = c.customer_id and e.channel = 'email'
         left join customer_consents s on s.shop_id = c.shop_id and s.customer_id = c.customer_id and s.channel = 'sms'
        where c.shop_id = $1`,
      [shop.shopId],
    );
    expect(counts!.emailIn / counts!.withEmail).toBeGreaterThan(0.4);
    expect(counts!.emailIn / counts!.withEmail).toBeLessThan(0.85);
    expect(counts!.smsIn / counts!.withPhone).toBeGreaterThan(0.25);
    expect(counts!.smsIn / counts!.withPhone).toBeLessThan(0.65);

    // The service desk's history: each refunded order's after-sale case, reviews, complaints, questions;
    // each about its own customer's order; only recent ones still open, none resolved after the demo's now.
    const [service] = await db().query<{
      refunds: number;
      afterSale: number;
      kinds: string[];
      stale: number;
      foreign: number;
      badRatings: number;
    }>(
      `select (select count(*)::int from orders where shop_id = $1 and status in ('refunded', 'partially_refunded')
                and ordered_at + interval '3 days' <= $2) as refunds,
              count(*) filter (where k.kind = 'after_sale')::int as "afterSale",
              array_agg(distinct k.kind order by k.kind) as kinds,
              count(*) filter (where (k.status = 'open' and k.opened_at < $2::timestamptz - interval '30 days')
                                  or k.resolved_at > $2)::int as stale,
              count(*) filter (where o.customer_id <> k.customer_id)::int as foreign,
              count(*) filter (where (k.kind = 'review') <> (k.rating between 1 and 5))::int as "badRatings"
         from service_cases k left join orders o on o.shop_id = k.shop_id and o.order_id = k.order_id
        where k.shop_id = $1`,
      [shop.shopId, now.toISOString()],
    );
    expect(service).toMatchObject({
      afterSale: service!.refunds,
      kinds: ['after_sale', 'complaint', 'inquiry', 'review'],
      stale: 0,
      foreign: 0,
      badRatings: 0,
    });
    // Its desk works 9 to 10 every day: a case's due time falls within those hours.
    expect((await serviceHours(db(), shop.shopId)).days).toHaveLength(7);
    const dues = await db().query<{ hour: number }>(
      `select extract(hour from service_due_at(k.shop_id, k.opened_at, 24) at time zone 'Asia/Shanghai')::int as hour
         from service_cases k where k.shop_id = $1`,
      [shop.shopId],
    );
    expect(dues.length).toBeGreaterThan(0);
    expect(dues.every((d) => d.hour >= 9 && d.hour <= 22)).toBe(true);

    // Part refunds are returns of something, where the basket allows, refunded what it was paid.
    const [returns] = await db().query<{ parts: number; returned: number; exact: number }>(
      `select count(*)::int as parts, count(r.order_id)::int as returned,
              count(*) filter (where r.worth = o.refunded_cents)::int as exact
         from orders o left join lateral (
           select i.order_id, round(sum(i.refunded_quantity * i.unit_price_cents) * o.total_cents
                                    / sum(sum(i.quantity * i.unit_price_cents)) over ()) as worth
             from order_items i where i.shop_id = o.shop_id and i.order_id = o.order_id
            group by i.order_id having sum(i.refunded_quantity) > 0) r on true
        where o.shop_id = $1 and o.status = 'partially_refunded'`,
      [shop.shopId],
    );
    expect(returns!.returned).toBeGreaterThan(returns!.parts * 0.1);
    expect(returns!.returned).toBeLessThan(returns!.parts);
    expect(returns!.exact).toBe(returns!.returned);

    // It sells eight brands, offered with their buyers; the brand segment finds the regulars of one.
    const brands = (await boughtCatalog(db(), shop.shopId, 50)).brands;
    expect(brands.map((b) => b.brand).sort()).toEqual([
      'Bloom & Co',
      'Cera Pure',
      'Clear Leaf',
      'Dew Garden',
      'Hydra Lab',
      'Northman',
      'Suncrest',
      'Velvet Lip',
    ]);
    expect(brands.every((b, i) => b.buyers > 0 && (i === 0 || brands[i - 1]!.buyers >= b.buyers))).toBe(true);
    const brandFans = (await listSegments(db(), shop.shopId)).find((s) => s.name === 'Velvet Lip regulars')!;
    const fans = await countSegment(db(), shop.shopId, brandFans.rule);
    expect(fans.customers).toBeGreaterThan(0);
    expect(fans.customers).toBeLessThan(fans.of);

    // Scored as the nightly runs would have: every buyer has an RFM segment, and every one the models
    // were fitted on (buyers with a purchase not refunded in full) has predictions.
    const [scores] = await db().query<{
      buyers: number;
      segmented: number;
      predicted: number;
      sane: number;
      fitted: number;
    }>(
      `select count(*)::int as buyers, count(rfm_segment)::int as segmented, count(p_alive)::int as predicted,
              count(*) filter (where p_alive between 0 and 1 and predicted_value_cents >= 0)::int as sane,
              (select customers from prediction_models m where m.shop_id = $1) as fitted
         from customers where shop_id = $1 and last_order_at is not null`,
      [shop.shopId],
    );
    expect(scores!.buyers).toBeGreaterThan(250);
    expect(scores!.segmented).toBe(scores!.buyers);
    expect(scores!.predicted).toBe(scores!.fitted);
    expect(scores!.sane).toBe(scores!.fitted);
    expect(scores!.fitted).toBeGreaterThan(0.95 * scores!.buyers);

    // New buyers arrive to the end of the history, as in a live shop: the dashboard opens on the last 30
    // days, which must have some. Half the demo's people buy once, on a day drawn evenly from the two
    // years; a third of their even share is the floor.
    const [arrivals] = await db().query<{ recent: number; buyers: number }>(
      `select count(*) filter (where first_order_at >= $2::timestamptz - interval '30 days')::int as recent,
              count(*)::int as buyers
         from customers where shop_id = $1 and first_order_at is not null`,
      [shop.shopId, now],
    );
    expect(arrivals!.recent).toBeGreaterThan(((arrivals!.buyers * 0.5 * 30) / 730) * (1 / 3));

    // Points, their expiry and tier upgrades are dated when they happened, as in a shop running all along:
    // the last 30 days earned about their share of two years' points, not all of them; points expired on
    // the New Year's Days the history passed; upgrades spread over the two years.
    const [ledger] = await db().query<{
      recent: number;
      earned: number;
      newYears: string[];
      upgrades: number;
    }>(
      `select (select coalesce(sum(points), 0)::int8 from points_ledger
                where shop_id = $1 and kind = 'earn' and created_at >= $2::timestamptz - interval '30 days') as recent,
              (select sum(points)::int8 from points_ledger where shop_id = $1 and kind = 'earn') as earned,
              (select array_agg(distinct to_char(created_at at time zone 'Asia/Shanghai', 'MM-DD HH24:MI'))
                 from points_ledger where shop_id = $1 and kind = 'expire' and created_at < $2) as "newYears",
              (select count(*)::int from customer_events
                where shop_id = $1 and type = 'tier.changed' and occurred_at < $2::timestamptz - interval '1 year')
                as upgrades`,
      [shop.shopId, now],
    );
    expect(Number(ledger!.recent)).toBeGreaterThan(0);
    expect(Number(ledger!.recent)).toBeLessThan(Number(ledger!.earned) * 0.15);
    expect(ledger!.newYears).toEqual(['01-01 00:00']);
    expect(ledger!.upgrades).toBeGreaterThan(0);

    // Each consent is on the customer's timeline, as if given one by one.
    const [someone] = await db().query<{ customerId: string }>(
      `select customer_id as "customerId" from customer_consents where shop_id = $1 and status = 'opted_in' limit 1`,
      [shop.shopId],
    );
    const consent = (await consentsOf(db(), shop.shopId, someone!.customerId)).find(
      (c) => c.status === 'opted_in',
    )!;
    const events = await listEvents(db(), shop.shopId, someone!.customerId, { limit: 100 });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'consent.changed',
        data: { channel: consent.channel, from: 'none', to: 'opted_in' },
      }),
    );

    const templates = await listTemplates(db(), shop.shopId);
    expect(templates.map((t) => t.channel).sort()).toEqual(['email', 'sms', 'sms', 'sms', 'sms']);
    const [coupon, forPoints] = await listCoupons(db(), shop.shopId);
    expect(forPoints).toMatchObject({ name: '积分兑换 满100减10', pointsPrice: 500 });
    const [campaign] = await listCampaigns(db(), shop.shopId);
    expect(campaign).toMatchObject({ status: 'draft', holdoutPercent: 10, couponId: coupon!.couponId });
    const winBack = templates.find((t) => t.channel === 'email')!;
    const preview = await previewMessage(
      db(),
      shop.shopId,
      {
        name: winBack.name,
        channel: winBack.channel,
        subject: winBack.subject!,
        body: winBack.body,
        transactional: winBack.transactional,
      },
      someone!.customerId,
      'https://crm.demo.example',
    );
    expect(preview.body).toContain('<strong>CODE-AT-SEND</strong>：满[coupon.min_spend]减[coupon.value]');
    // The demo shop sets no address of its own: its links go to the server's.
    expect(preview.body).toContain('href="https://crm.demo.example/u/');
    expect(preview.subject).toContain(shop.name);

    // The seed's flows wait as drafts; switched on, care after purchase takes the last weeks' buyers.
    const flows = await listFlows(db(), shop.shopId);
    expect(flows.map((f) => f.trigger.type).sort()).toEqual(
      ['birthday', 'date', 'no_order', 'order_paid', 'purchase_cycle', 'service_resolved'].sort(),
    );
    expect(new Set(flows.map((f) => f.status))).toEqual(new Set(['draft']));
    const care = flows.find((f) => f.trigger.type === 'order_paid')!;
    await activateFlow(db(), shop.shopId, care.flowId, 30);
    const run = await runFlows(db(), shop.shopId);
    expect(run.entered).toBeGreaterThan(0);
    const r = await flowReport(db(), shop.shopId, care.flowId);
    const [wait, send, branch] = care.steps.map((s) => r.steps[s.id] ?? { passed: 0, here: 0 });
    expect(wait!.passed + wait!.here).toBe(r.entered);
    expect(send!.passed).toBe(wait!.passed);
    expect(branch!.passed).toBe(send!.passed);
    expect(r.messages.queued).toBe(send!.passed);
  });
});
