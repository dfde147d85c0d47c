import { expect, it } from 'vitest';
import { getCustomer } from '../src/customers/customers.js';
import { listEvents } from '../src/customers/timeline.js';
import { normalizeOrder, OrderInput } from '../src/orders/input.js';
import { ingestOrders } from '../src/orders/ingest.js';
import type { Shop } from '../src/shops/shops.js';
import { describeEachDb } from './support/databases.js';

function order(shop: Shop, input: Record<string, unknown>) {
  const parsed = OrderInput.parse({ status: 'paid', orderedAt: '2025-03-01T10:00:00+08:00', ...input });
  const result = normalizeOrder(parsed, shop);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.order;
}

describeEachDb('order ingestion', ({ db, newShop }) => {
  it('creates one profile per person across phone formats and keeps stats in step', async () => {
    const shop = await newShop();
    const first = await db().transaction((tx) =>
      ingestOrders(
        tx,
        shop.shopId,
        [
          order(shop, {
            externalId: 'A1',
            totalCents: 10000,
            customer: { phone: '138 1234 5678', name: '王小明' },
          }),
          order(shop, {
            externalId: 'A2',
            totalCents: 20000,
            channel: 'offline',
            storeId: 'SH-01',
            orderedAt: '2025-04-01T10:00:00+08:00',
            customer: { phone: '+86 13812345678', memberCard: 'vip001' },
          }),
          order(shop, {
            externalId: 'A3',
            totalCents: 5000,
            status: 'cancelled',
            customer: { email: 'B@x.com' },
          }),
        ],
        'test',
      ),
    );
    expect(first).toMatchObject({ created: 3, unchanged: 0, customersCreated: 2 });
    expect(first.customerIds[0]).toBe(first.customerIds[1]);
    const wang = await getCustomer(db(), shop.shopId, first.customerIds[0]!);
    expect(wang).toMatchObject({
      name: '王小明',
      phone: '+8613812345678',
      memberCard: 'VIP001',
      orderCount: 2,
      onlineOrderCount: 1,
      offlineOrderCount: 1,
      spendCents: 30000,
      refundedCents: 0,
    });
    expect(wang.firstOrderAt).toEqual(new Date('2025-03-01T02:00:00Z'));
    expect(wang.lastOrderAt).toEqual(new Date('2025-04-01T02:00:00Z'));
    const b = await getCustomer(db(), shop.shopId, first.customerIds[2]!);
    expect(b).toMatchObject({ email: 'b@x.com', orderCount: 0, spendCents: 0 });
  });

  it('changes nothing on replay and follows a refund when the order comes again', async () => {
    const shop = await newShop();
    const a1 = order(shop, { externalId: 'R1', totalCents: 10000, customer: { email: 'r@x.com' } });
    const ingest = (o: typeof a1) => db().transaction((tx) => ingestOrders(tx, shop.shopId, [o], 'test'));
    const first = await ingest(a1);
    const replay = await ingest(a1);
    expect(replay).toMatchObject({ created: 0, updated: 0, unchanged: 1, customersCreated: 0 });
    expect(replay.orderIds).toEqual(first.orderIds);
    const refunded = await ingest(
      order(shop, {
        externalId: 'R1',
        totalCents: 10000,
        status: 'partially_refunded',
        refundedCents: 2500,
        customer: { email: 'r@x.com' },
      }),
    );
    expect(refunded).toMatchObject({ updated: 1 });
    const c = await getCustomer(db(), shop.shopId, first.customerIds[0]!);
    expect(c).toMatchObject({ orderCount: 1, spendCents: 10000, refundedCents: 2500 });
    const events = await listEvents(db(), shop.shopId, c.customerId, { limit: 10 });
    expect(events.map((e) => e.type).sort()).toEqual([
      'customer.created',
      'order.placed',
      'order.updated',
      'points.earn',
      'points.reverse',
    ]);
    const byType = (type: string) => events.find((e) => e.type === type)!.data;
    expect(byType('order.updated')).toMatchObject({
      from: { status: 'paid', refundedCents: 0 },
      to: { status: 'partially_refunded', refundedCents: 2500 },
    });
    expect(byType('order.placed')).toMatchObject({ externalId: 'R1', totalCents: 10000, channel: 'online' });
    // A quarter refunded takes back a quarter of the 100 points the order earned.
    expect(byType('points.earn')).toMatchObject({ points: 100 });
    expect(byType('points.reverse')).toMatchObject({ points: -25 });
  });

  it('merges two profiles when one order proves they are one person', async () => {
    const shop = await newShop();
    const ingest = (o: ReturnType<typeof order>) =>
      db().transaction((tx) => ingestOrders(tx, shop.shopId, [o], 'test'));
    const byPhone = await ingest(
      order(shop, { externalId: 'M1', totalCents: 100, customer: { phone: '13900000001', name: 'Li' } }),
    );
    const byEmail = await ingest(
      order(shop, { externalId: 'M2', totalCents: 200, customer: { email: 'li@x.com', city: 'Hangzhou' } }),
    );
    expect(byPhone.customerIds[0]).not.toBe(byEmail.customerIds[0]);
    const both = await ingest(
      order(shop, {
        externalId: 'M3',
        totalCents: 300,
        customer: { phone: '13900000001', email: 'li@x.com' },
      }),
    );
    expect(both.customerIds[0]).toBe(byPhone.customerIds[0]);
    const merged = await getCustomer(db(), shop.shopId, byEmail.customerIds[0]!);
    expect(merged).toMatchObject({
      customerId: byPhone.customerIds[0],
      name: 'Li',
      city: 'Hangzhou',
      orderCount: 3,
      spendCents: 600,
    });
  });

  it('does not let one shop see or match another shop’s customers', async () => {
    const a = await newShop();
    const b = await newShop();
    const inA = await db().transaction((tx) =>
      ingestOrders(
        tx,
        a.shopId,
        [order(a, { externalId: 'T1', totalCents: 1, customer: { phone: '13700000000' } })],
        'test',
      ),
    );
    const inB = await db().transaction((tx) =>
      ingestOrders(
        tx,
        b.shopId,
        [order(b, { externalId: 'T1', totalCents: 1, customer: { phone: '13700000000' } })],
        'test',
      ),
    );
    expect(inB).toMatchObject({ created: 1, customersCreated: 1 });
    expect(inB.customerIds[0]).not.toBe(inA.customerIds[0]);
    await expect(getCustomer(db(), b.shopId, inA.customerIds[0]!)).rejects.toThrow('Customer not found');
  });
});
