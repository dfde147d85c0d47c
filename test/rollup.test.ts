// The purchase rollups the dashboard reads are kept by ingestion, change by change. Whatever arrives —
// orders out of time order, an order cancelled or refunded later, a pending order paid, profiles merged —
// they must stay exactly what a rebuild from the orders gives, and agree with the customer stats. So must
// what each customer has bought by category and by store (orders/bought.ts).
import { expect, it } from 'vitest';
import { rebuildLineSales } from '../src/analytics/lineRollup.js';
import { rebuildPurchaseDays } from '../src/analytics/rollup.js';
import { refreshBought } from '../src/orders/bought.js';
import { ingestOrders } from '../src/orders/ingest.js';
import { normalizeOrder, OrderInput, type NormalizedOrder } from '../src/orders/input.js';
import { PURCHASE_SQL } from '../src/orders/status.js';
import type { Shop } from '../src/shops/shops.js';
import { compileSegment } from '../src/segments/compile.js';
import { countSegment } from '../src/segments/segments.js';
import { createTag } from '../src/tags/tags.js';
import { segmentContext } from '../src/segments/context.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('purchase rollups', ({ db, newShop }) => {
  const order = (shop: Shop, input: Record<string, unknown>): NormalizedOrder => {
    const r = normalizeOrder(
      OrderInput.parse({ status: 'paid', totalCents: 1000, channel: 'online', ...input }),
      shop,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.order;
  };
  const ingest = (shop: Shop, orders: NormalizedOrder[]) =>
    db().transaction((tx) => ingestOrders(tx, shop.shopId, orders, 'test'));

  /**
   * Every customer's purchase days computed from scratch over all their orders, written here apart from
   * the migration's function (which continues from the stored days), so the two check each other.
   */
  const rebuilt = `
    select shop_id, customer_id, day, orders, gross_cents, refunded_cents, refunded_orders, discounted_orders,
           discounted_gross_cents, online_orders, offline_orders, opening_net_cents,
           min(day) over w as first_day,
           coalesce(lag(day) over w, '-infinity') as prev_day,
           coalesce(lead(day) over w, 'infinity') as next_day,
           coalesce(max(day) filter (where online_orders > 0) over before, '-infinity') as prev_online_day,
           coalesce(max(day) filter (where offline_orders > 0) over before, '-infinity') as prev_offline_day,
           coalesce(sum(orders) over before, 0)::int as purchases_before,
           coalesce(sum(discounted_orders) over before, 0)::int as discounted_before,
           (select c.customer_no from customers c
             where c.shop_id = d.shop_id and c.customer_id = d.customer_id) as customer_no
           , date_trunc('month', (min(day) over w)::timestamp)::date as first_month
      from (
        select o.shop_id, o.customer_id, (o.ordered_at at time zone s.time_zone)::date as day,
               count(*)::int as orders, sum(o.total_cents)::bigint as gross_cents,
               sum(o.refunded_cents)::bigint as refunded_cents,
               count(*) filter (where o.refunded_cents > 0)::int as refunded_orders,
               count(*) filter (where o.discount_cents > 0 or o.coupon_code is not null)::int as discounted_orders,
               coalesce(sum(o.total_cents) filter (where o.discount_cents > 0 or o.coupon_code is not null), 0)::bigint
                 as discounted_gross_cents,
               count(*) filter (where o.channel = 'online')::int as online_orders,
               count(*) filter (where o.channel = 'offline')::int as offline_orders,
               (array_agg(o.total_cents - o.refunded_cents order by o.ordered_at, o.order_id))[1] as opening_net_cents
          from orders o join shops s on s.shop_id = o.shop_id
         where o.shop_id = $1 and o.${PURCHASE_SQL}
         group by 1, 2, 3
      ) d
    window w as (partition by customer_id order by day),
           before as (partition by customer_id order by day rows between unbounded preceding and 1 preceding)`;

  /** Rows of the kept rollups that a rebuild would not write, and rows a rebuild writes that are missing. */
  const drift = (shopId: string) =>
    db().query<{ side: string; n: number }>(
      `with kept as (select * from purchase_days where shop_id = $1),
            fresh as (${rebuilt}),
            kept_pairs as (select day, next_day, customers from purchase_pairs where shop_id = $1 and customers <> 0),
            kept_stores as (
              select customer_id, store_id, channel, first_at, last_at, orders from customer_stores where shop_id = $1),
            fresh_stores as (
              select customer_id, store_id, channel, min(ordered_at), max(ordered_at), count(*)::int
                from orders
               where shop_id = $1 and status not in ('pending', 'cancelled', 'refunded') and store_id is not null
               group by 1, 2, 3),
            kept_categories as (
              select customer_id, category, first_at, last_at, orders from customer_categories where shop_id = $1),
            fresh_categories as (
              select o.customer_id, lower(i.category), min(o.ordered_at), max(o.ordered_at), count(distinct o.order_id)::int
                from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
               where o.shop_id = $1 and o.status not in ('pending', 'cancelled', 'refunded') and i.category is not null
                 and i.refunded_quantity < i.quantity
               group by 1, 2),
            kept_brands as (
              select customer_id, brand, first_at, last_at, orders from customer_brands where shop_id = $1),
            fresh_brands as (
              select o.customer_id, lower(i.brand), min(o.ordered_at), max(o.ordered_at), count(distinct o.order_id)::int
                from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
               where o.shop_id = $1 and o.status not in ('pending', 'cancelled', 'refunded') and i.brand is not null
                 and i.refunded_quantity < i.quantity
               group by 1, 2),
            kept_lines as (
              select kind, day, name, orders, units, gross_cents, returned_units, returned_cents from line_sales
               where shop_id = $1
                 and not (orders = 0 and units = 0 and gross_cents = 0 and returned_units = 0 and returned_cents = 0)),
            -- Every purchase's lines, by the shop's day, category and brand ('' for none); a wholly refunded
            -- order gave all its units back.
            fresh_lines as (
              select k.kind, (o.ordered_at at time zone sh.time_zone)::date, lower(k.name), count(distinct o.order_id)::int,
                     sum(i.quantity)::int8, sum(i.quantity * i.unit_price_cents)::int8,
                     sum(case when o.status = 'refunded' then i.quantity else i.refunded_quantity end)::int8,
                     sum(case when o.status = 'refunded' then i.quantity else i.refunded_quantity end * i.unit_price_cents)::int8
                from orders o join shops sh on sh.shop_id = o.shop_id
                join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
                cross join lateral (values ('category', coalesce(i.category, '')), ('brand', coalesce(i.brand, ''))) k(kind, name)
               where o.shop_id = $1 and o.status not in ('pending', 'cancelled')
               group by 1, 2, 3),
            fresh_pairs as (
              select day, next_day, count(*)::int as customers from fresh group by 1, 2
              union all
              select '-infinity', day, count(*)::int from fresh where prev_day = '-infinity' group by 2)
       select 'days kept, not rebuilt' as side, count(*)::int as n from (select * from kept except all select * from fresh) x
       union all select 'days rebuilt, not kept', count(*)::int from (select * from fresh except all select * from kept) x
       union all select 'pairs kept, not rebuilt', count(*)::int from (select * from kept_pairs except all select * from fresh_pairs) x
       union all select 'pairs rebuilt, not kept', count(*)::int from (select * from fresh_pairs except all select * from kept_pairs) x
       union all select 'stores kept, not rebuilt', count(*)::int
         from (select * from kept_stores except all select * from fresh_stores) x
       union all select 'stores rebuilt, not kept', count(*)::int
         from (select * from fresh_stores except all select * from kept_stores) x
       union all select 'categories kept, not rebuilt', count(*)::int
         from (select * from kept_categories except all select * from fresh_categories) x
       union all select 'categories rebuilt, not kept', count(*)::int
         from (select * from fresh_categories except all select * from kept_categories) x
       union all select 'brands kept, not rebuilt', count(*)::int
         from (select * from kept_brands except all select * from fresh_brands) x
       union all select 'brands rebuilt, not kept', count(*)::int
         from (select * from fresh_brands except all select * from kept_brands) x
       union all select 'line sales kept, not rebuilt', count(*)::int
         from (select * from kept_lines except all select * from fresh_lines) x
       union all select 'line sales rebuilt, not kept', count(*)::int
         from (select * from fresh_lines except all select * from kept_lines) x
       order by 1`,
      [shopId],
    );

  const NO_DRIFT = [
    { side: 'brands kept, not rebuilt', n: 0 },
    { side: 'brands rebuilt, not kept', n: 0 },
    { side: 'categories kept, not rebuilt', n: 0 },
    { side: 'categories rebuilt, not kept', n: 0 },
    { side: 'days kept, not rebuilt', n: 0 },
    { side: 'days rebuilt, not kept', n: 0 },
    { side: 'line sales kept, not rebuilt', n: 0 },
    { side: 'line sales rebuilt, not kept', n: 0 },
    { side: 'pairs kept, not rebuilt', n: 0 },
    { side: 'pairs rebuilt, not kept', n: 0 },
    { side: 'stores kept, not rebuilt', n: 0 },
    { side: 'stores rebuilt, not kept', n: 0 },
  ];

  it('stays what a rebuild gives through late orders, status changes, refunds and merges', async () => {
    const shop = await newShop({ timeZone: 'Asia/Shanghai' });
    const days = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i * 3, 4)));
    const orders: NormalizedOrder[] = [];
    for (let c = 0; c < 30; c++) {
      for (let k = 0; k < 1 + (c % 5); k++) {
        orders.push(
          order(shop, {
            externalId: `R-${c}-${k}`,
            orderedAt: days[(c * 7 + k * 5) % days.length]!.toISOString(),
            totalCents: 1000 + c * 10 + k,
            // Every status that is a purchase (orders/status.ts), which purchase_days_to_add lists again.
            ...[
              {},
              { status: 'shipped' },
              { status: 'completed' },
              { status: 'partially_refunded', refundedCents: 100 },
            ][(c + k) % 4],
            discountCents: k % 2 ? 100 : 0,
            channel: (c + k) % 3 ? 'online' : 'offline',
            // Offline orders name store S1 or S2; some online ones name S2 as well.
            storeId: (c + k) % 3 ? ((c + k) % 5 === 1 ? 'S2' : undefined) : ['S1', 'S2'][c % 2],
            // Categories as shops write them (case varies), sometimes two in one order, sometimes none.
            items: [
              {
                title: 'A',
                category: ['Skincare/Oily', 'skincare/oily', 'Makeup'][(c + k) % 3],
                // Brands as sources write them too: case varies, and some lines name none.
                ...(c % 4 === 3 ? {} : { brand: ['Acme', 'ACME', 'Bloom'][(c + 2 * k) % 3] }),
                quantity: 1,
                unitPriceCents: 500,
              },
              ...(k % 3 === 1
                ? [{ title: 'B', category: 'makeup', brand: 'bloom', quantity: 3, unitPriceCents: 300 }]
                : []),
              ...(c % 7 === 0 ? [{ title: 'C', quantity: 1, unitPriceCents: 200 }] : []),
            ],
            customer:
              c % 2 ? { phone: `+86138000000${String(c).padStart(2, '0')}` } : { email: `r${c}@example.com` },
          }),
        );
      }
    }
    // Out of time order, in batches: later batches hold days before earlier ones.
    const shuffled = orders
      .map((o, i) => ({ o, key: (i * 37) % orders.length }))
      .sort((a, b) => a.key - b.key);
    for (let i = 0; i < shuffled.length; i += 13) {
      await ingest(
        shop,
        shuffled.slice(i, i + 13).map((s) => s.o),
      );
    }
    expect(await drift(shop.shopId)).toEqual(NO_DRIFT);
    // Replaying every order changes nothing: none adds to a rollup twice.
    await ingest(shop, orders);
    expect(await drift(shop.shopId)).toEqual(NO_DRIFT);

    // Cancel some first orders, refund some, pay a pending one, add a same-day second order, then join
    // profiles by an order carrying one's phone and another's email.
    const resent = orders.flatMap((o, i): NormalizedOrder[] => {
      if (i % 4 === 0) return [{ ...o, status: 'cancelled' }];
      if (i % 4 === 1) return [{ ...o, status: 'refunded', refundedCents: o.totalCents }];
      // Its first line returned in full: that line's category and brand were not bought after all.
      if (i % 8 === 2) {
        return [
          {
            ...o,
            status: 'partially_refunded',
            refundedCents: 500,
            items: o.items.map((it, n) => (n === 0 ? { ...it, refundedQuantity: it.quantity } : it)),
          },
        ];
      }
      // One unit of three returned: the line is still bought, and its sales lose a unit.
      if (i % 8 === 6 && o.items.length > 1) {
        return [
          {
            ...o,
            status: 'partially_refunded',
            refundedCents: 300,
            items: o.items.map((it, n) => (n === 1 ? { ...it, refundedQuantity: 1 } : it)),
          },
        ];
      }
      return [];
    });
    expect(resent.some((o) => o.items[1]?.refundedQuantity === 1)).toBe(true);
    await ingest(shop, resent);
    await ingest(shop, [
      order(shop, {
        externalId: 'PENDING',
        status: 'pending',
        orderedAt: days[3]!.toISOString(),
        customer: { email: 'r0@example.com' },
      }),
      order(shop, {
        externalId: 'SAME-DAY',
        orderedAt: new Date(days[0]!.getTime() - 3_600_000).toISOString(),
        customer: { email: 'r2@example.com' },
      }),
    ]);
    await ingest(shop, [
      order(shop, {
        externalId: 'PENDING',
        status: 'paid',
        orderedAt: days[3]!.toISOString(),
        customer: { email: 'r0@example.com' },
      }),
    ]);
    const before = await db().query<{ n: number }>(
      'select count(*)::int as n from customers where shop_id = $1',
      [shop.shopId],
    );
    await ingest(shop, [
      order(shop, {
        externalId: 'JOIN',
        orderedAt: days[20]!.toISOString(),
        customer: { phone: '+8613800000001', email: 'r4@example.com' },
      }),
      order(shop, {
        externalId: 'JOIN-2',
        orderedAt: days[1]!.toISOString(),
        customer: { phone: '+8613800000003', email: 'r6@example.com' },
      }),
    ]);
    const [after] = await db().query<{ n: number }>(
      'select count(*)::int as n from customers where shop_id = $1',
      [shop.shopId],
    );
    expect(after!.n).toBe(before[0]!.n - 2);
    // The shop's counter of customers (migration 0019) followed the creations and the merges, and is
    // what a count over the order history gives as the whole.
    const [counted] = await db().query<{ n: number }>(
      'select customers::int as n from shop_customer_counts where shop_id = $1',
      [shop.shopId],
    );
    expect(counted!.n).toBe(after!.n);
    const whole = await countSegment(db(), shop.shopId, { type: 'purchased', categories: ['makeup'] });
    expect(whole.of).toBe(after!.n);
    expect(await drift(shop.shopId)).toEqual(NO_DRIFT);
    // The whole-shop rebuilds, for orders loaded around ingestion (the benchmarks' shops), write the same.
    await db().transaction(async (tx) => {
      await rebuildPurchaseDays(tx, shop.shopId);
      await rebuildLineSales(tx, shop.shopId);
      await refreshBought(tx, shop.shopId, null);
    });
    expect(await drift(shop.shopId)).toEqual(NO_DRIFT);

    // And the rollup agrees with the customer stats ingestion keeps by its own path.
    const disagreements = await db().query<{ customer_id: string }>(
      `select c.customer_id
         from customers c
         left join lateral (
           select count(*)::int as days, coalesce(sum(d.orders), 0)::int as orders,
                  coalesce(sum(d.gross_cents), 0)::int8 as spend, min(d.first_day) as first_day,
                  max(d.day) as last_day, bool_and(d.purchases_before = (
                    select coalesce(sum(e.orders), 0) from purchase_days e
                     where e.shop_id = d.shop_id and e.customer_id = d.customer_id and e.day < d.day)) as counted
             from purchase_days d where d.shop_id = c.shop_id and d.customer_id = c.customer_id
         ) r on true
        where c.shop_id = $1
          and (r.orders <> c.order_count or r.spend <> c.spend_cents
               or r.first_day is distinct from (c.first_order_at at time zone 'Asia/Shanghai')::date
               or r.last_day is distinct from (c.last_order_at at time zone 'Asia/Shanghai')::date
               or not coalesce(r.counted, true))`,
      [shop.shopId],
    );
    expect(disagreements).toEqual([]);
    // Customers whose only order was cancelled have no purchase days at all.
    const [cancelled] = await db().query<{ customers: number; days: number }>(
      `select count(*)::int as customers,
              coalesce(sum((select count(*) from purchase_days d
                             where d.shop_id = c.shop_id and d.customer_id = c.customer_id)), 0)::int as days
         from customers c where c.shop_id = $1 and c.order_count = 0`,
      [shop.shopId],
    );
    expect(cancelled!.customers).toBeGreaterThan(0);
    expect(cancelled!.days).toBe(0);

    // The price-sensitivity rule reads each customer's last purchase day; it must pick exactly whom
    // counting their purchases from the orders picks (shares of 2/5, 1/2 and 2/4 sit on the lines).
    const ctx = await segmentContext(db(), shop.shopId);
    const picked: number[] = [];
    for (const atLeast of [0.4, 0.5, 2 / 3]) {
      for (const minOrders of [1, 2, 3]) {
        const rule = compileSegment({ type: 'discountShare', atLeast, minOrders }, ctx, { firstParam: 2 });
        const matched = await db().query<{ customer_id: string }>(
          `select c.customer_id from customers c where c.shop_id = $1 and ${rule.where} order by 1`,
          [shop.shopId, ...rule.params],
        );
        const counted = await db().query<{ customer_id: string }>(
          `select customer_id from orders where shop_id = $1 and ${PURCHASE_SQL}
            group by customer_id
           having count(*) >= $2
              and avg(case when discount_cents > 0 or coupon_code is not null then 1.0 else 0 end) >= $3::float8
            order by 1`,
          [shop.shopId, minOrders, atLeast],
        );
        expect(matched, `${atLeast} of at least ${minOrders}`).toEqual(counted);
        picked.push(matched.length);
      }
    }
    expect(Math.min(...picked)).toBeGreaterThan(0);

    // Category and store conditions read the buyers' category or store rows where those answer
    // exactly, the orders otherwise; both must pick whom the orders say, counted here from the orders.
    const march = { ...ctx, now: new Date('2026-03-15T00:00:00Z') };
    const cases: {
      condition: {
        categories?: string[];
        brands?: string[];
        storeIds?: string[];
        channel?: string;
        withinDays?: number;
        minOrders?: number;
      };
      reads: string;
    }[] = [
      { condition: { categories: ['Skincare/Oily'] }, reads: 'customer_categories' },
      {
        condition: { categories: ['skincare/oily', 'MAKEUP'], withinDays: 30 },
        reads: 'customer_categories',
      },
      { condition: { categories: ['makeup'], minOrders: 2 }, reads: 'customer_categories' },
      { condition: { categories: ['skincare/oily', 'makeup'], minOrders: 3 }, reads: 'order_items' },
      { condition: { categories: ['makeup'], withinDays: 45, minOrders: 2 }, reads: 'order_items' },
      { condition: { brands: ['acme'] }, reads: 'customer_brands' },
      { condition: { brands: ['Bloom', 'ACME'], withinDays: 30 }, reads: 'customer_brands' },
      { condition: { brands: ['bloom'], minOrders: 2 }, reads: 'customer_brands' },
      { condition: { brands: ['acme', 'bloom'], minOrders: 2 }, reads: 'order_items' },
      { condition: { brands: ['Acme'], categories: ['makeup'] }, reads: 'order_items' },
      { condition: { storeIds: ['S1'], channel: 'offline' }, reads: 'customer_stores' },
      { condition: { storeIds: ['S2'] }, reads: 'customer_stores' },
      { condition: { storeIds: ['S1', 'S2'], channel: 'offline', withinDays: 30 }, reads: 'customer_stores' },
      { condition: { storeIds: ['S1'], channel: 'offline', minOrders: 2 }, reads: 'customer_stores' },
      { condition: { storeIds: ['S2'], minOrders: 2 }, reads: 'from orders' },
      { condition: { storeIds: ['S1'], categories: ['makeup'] }, reads: 'order_items' },
      { condition: { channel: 'offline' }, reads: 'customer_stores' },
      { condition: { channel: 'offline', withinDays: 30 }, reads: 'customer_stores' },
      { condition: { channel: 'offline', minOrders: 2 }, reads: 'from orders' },
      { condition: { channel: 'online' }, reads: 'from orders' },
    ];
    for (const { condition, reads } of cases) {
      const rule = compileSegment({ type: 'purchased', ...condition }, march, { firstParam: 2 });
      expect(rule.where, JSON.stringify(condition)).toContain(reads);
      const matched = await db().query<{ customer_id: string }>(
        `select c.customer_id from customers c where c.shop_id = $1 and ${rule.where} order by 1`,
        [shop.shopId, ...rule.params],
      );
      const bought = await db().query<{ customer_id: string }>(
        `select o.customer_id from orders o left join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
          where o.shop_id = $1 and o.status in ('paid', 'shipped', 'completed', 'partially_refunded')
            and ($2::text[] is null or lower(i.category) = any($2::text[]))
            and ($8::text[] is null or lower(i.brand) = any($8::text[]))
            and (($2::text[] is null and $8::text[] is null) or i.refunded_quantity < i.quantity)
            and ($3::text[] is null or o.store_id = any($3::text[]))
            and ($4::text is null or o.channel = $4::text)
            and o.ordered_at >= $5::timestamptz - $6::int * interval '1 day'
          group by 1 having count(distinct o.order_id) >= $7 order by 1`,
        [
          shop.shopId,
          condition.categories?.map((c) => c.toLowerCase()) ?? null,
          condition.storeIds ?? null,
          condition.channel ?? null,
          march.now.toISOString(),
          condition.withinDays ?? 100_000,
          condition.minOrders ?? 1,
          condition.brands?.map((b) => b.toLowerCase()) ?? null,
        ],
      );
      expect(matched, JSON.stringify(condition)).toEqual(bought);
      expect(matched.length, JSON.stringify(condition)).toBeGreaterThan(0);
    }

    // An order tags its buyer in its own transaction, so the rule must read the purchase days that very
    // order moved: one discounted order is not yet a habit, the second makes it one.
    const { tagId } = await createTag(db(), shop.shopId, {
      name: 'price-sensitive',
      rule: { type: 'discountShare', atLeast: 0.5 },
    });
    const tagged = async () =>
      (
        await db().query<{ n: number }>(
          `select count(*)::int as n from customer_tags t join customer_identities i
              on i.shop_id = t.shop_id and i.customer_id = t.customer_id
            where t.shop_id = $1 and t.tag_id = $2 and i.value = 'eve@example.com'`,
          [shop.shopId, tagId],
        )
      )[0]!.n;
    const discounted = (externalId: string, day: number) =>
      order(shop, {
        externalId,
        orderedAt: days[day]!.toISOString(),
        discountCents: 100,
        customer: { email: 'eve@example.com' },
      });
    await ingest(shop, [discounted('EVE-1', 1)]);
    expect(await tagged()).toBe(0);
    await ingest(shop, [discounted('EVE-2', 2)]);
    expect(await tagged()).toBe(1);
  });
});
