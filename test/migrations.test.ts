// Migrations that rebuild a table with rows in it. The suite's databases are migrated while empty, so a
// rebuild is run here a second time over a shop with customers. PGlite only: each test file has a
// database of its own there, while the PostgreSQL server is shared with the files running beside it.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchCustomers } from '../src/customers/customers.js';
import type { Db } from '../src/db/db.js';
import { ingestOrders } from '../src/orders/ingest.js';
import { normalizeOrder, OrderInput } from '../src/orders/input.js';
import { createShop, type Shop } from '../src/shops/shops.js';
import { openTestDb } from './support/databases.js';

const REBUILD = fileURLToPath(new URL('../src/db/migrations/0021_customer_row_layout.sql', import.meta.url));
const ERASURE = fileURLToPath(new URL('../src/db/migrations/0032_customer_erasure.sql', import.meta.url));

function order(shop: Shop, input: Record<string, unknown>) {
  const parsed = OrderInput.parse({ status: 'paid', orderedAt: '2025-03-01T10:00:00+08:00', ...input });
  const result = normalizeOrder(parsed, shop);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.order;
}

describe('customer table rebuild (0021) [pglite]', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb('pglite');
  });
  afterAll(async () => {
    await db.close();
  });

  it('keeps every row, numbers new customers after the last, and keeps the counter and the name search', async () => {
    const shop = await createShop(db, { name: 'Rebuilt' });
    await db.transaction((tx) =>
      ingestOrders(
        tx,
        shop.shopId,
        [
          order(shop, {
            externalId: 'R1',
            totalCents: 12000,
            customer: { phone: '13800000001', name: 'Ann Lee' },
          }),
          order(shop, {
            externalId: 'R2',
            totalCents: 8000,
            channel: 'offline',
            storeId: 'S1',
            customer: { phone: '13800000002', name: 'Bo Chen', memberCard: 'C2' },
          }),
          order(shop, { externalId: 'R3', totalCents: 3000, customer: { email: 'cy@example.com' } }),
        ],
        'test',
      ),
    );
    // 0021 lists the columns of its day: those added since (0032's erased_at, 0056's member year) come off
    // first, leaving the table as 0021 found it, and are put back after it.
    await db.query('alter table customers drop column erased_at');
    await db.query('alter table customers drop column year_order_count, drop column year_spend_cents');
    await db.query(
      // A distinct value in every column, so that two columns of one type traded places would show.
      `update customers set gender = 'female', birthday = '1990-05-01', country = 'CN', province = '浙江省',
              city = '杭州市', address = '西湖区 1 号', company = 'Acme', job_title = 'Buyer', refunded_cents = 700,
              tier_rank = 1, tier_since = '2025-01-01', tier_hold_until = '2025-02-01',
              tier_grace_until = '2025-03-01', points_balance = 120, p_alive = 0.5, expected_orders_12m = 1.5,
              purchase_cycle_days = 30.5, predicted_value_cents = 4400, next_purchase_at = '2025-04-01',
              predicted_at = '2025-03-02', rfm_recency_days = 9, rfm_frequency = 2, rfm_monetary_cents = 11300,
              rfm_r = 5, rfm_f = 3, rfm_m = 1, rfm_segment = 'New', rfm_at = '2025-03-03',
              tag_ids = array[gen_random_uuid()]
        where shop_id = $1 and name = 'Ann Lee'`,
      [shop.shopId],
    );
    const rows = () =>
      db.query<{ row: Record<string, unknown> }>(
        `select to_jsonb(c) as row from customers c where shop_id = $1 order by customer_no`,
        [shop.shopId],
      );
    const before = await rows();
    expect(before).toHaveLength(3);

    const script = await readFile(REBUILD, 'utf8');
    await db.transaction((tx) => tx.exec(script));

    expect(await rows()).toEqual(before);
    await db.transaction(async (tx) => tx.exec(await readFile(ERASURE, 'utf8')));
    await db.query(
      `alter table customers add column year_order_count integer not null default 0,
                             add column year_spend_cents bigint not null default 0`,
    );
    const created = await db.transaction((tx) =>
      ingestOrders(
        tx,
        shop.shopId,
        [
          order(shop, {
            externalId: 'R4',
            totalCents: 500,
            customer: { phone: '13800000004', name: 'Di Wu' },
          }),
        ],
        'test',
      ),
    );
    expect(created.customersCreated).toBe(1);
    const numbers = await db.query<{ no: string }>(
      `select customer_no::text as no from customers where shop_id = $1 order by customer_no`,
      [shop.shopId],
    );
    expect(numbers.map((n) => BigInt(n.no))).toEqual([
      ...before.map((b) => BigInt(b.row.customer_no as number)),
      BigInt(before[2]!.row.customer_no as number) + 1n,
    ]);
    const [count] = await db.query<{ customers: number }>(
      'select customers::int from shop_customer_counts where shop_id = $1',
      [shop.shopId],
    );
    expect(count!.customers).toBe(4);
    const found = await searchCustomers(db, shop, { q: 'Bo', limit: 10, offset: 0 });
    expect(found.items.map((c) => c.name)).toEqual(['Bo Chen']);
  });
});
