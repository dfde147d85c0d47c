// A segment's members as a bitmap over customer numbers (analytics/members.ts): the test in SQL must pick
// out exactly the members, whatever numbers other shops' customers took in between.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  isMember,
  memberParams,
  membersFromNumbers,
  membersOf,
  type Members,
} from '../src/analytics/members.js';
import { audienceOf } from '../src/analytics/period.js';
import { saveSegment } from '../src/segments/segments.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('segment members as a bitmap', ({ db, newShop }) => {
  it('holds exactly the members, across blocks and among other shops’ customers', async () => {
    const [shop, other] = [await newShop(), await newShop()];
    // 300 customers of the shop, each followed by 0–40 of the other shop's (so the numbers interleave),
    // with order counts 0–4: the members (3+ orders) are scattered over two 4,096-number blocks or more.
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      const id = randomUUID();
      if (i % 5 >= 3) expected.push(id);
      await db().query(
        `insert into customers (shop_id, customer_id, first_source, order_count) values ($1, $2, 'test', $3)`,
        [shop.shopId, id, i % 5],
      );
      await db().query(
        `insert into customers (shop_id, customer_id, first_source, order_count)
         select $1, gen_random_uuid(), 'test', 4 from generate_series(1, $2::int)`,
        [other.shopId, (i * 7) % 41],
      );
    }
    const regulars = await saveSegment(db(), shop.shopId, {
      name: 'Regulars',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 3 },
    });
    const members = await membersOf(
      db(),
      shop.shopId,
      await audienceOf(db(), shop.shopId, regulars.segmentId),
    );
    expect(members.size).toBeGreaterThan(4096);
    // Asked of every customer of both shops, as a pass over purchase days asks of each row's number.
    const pick = async (m: Members) =>
      (
        await db().query<{ customer_id: string }>(
          `select customer_id from customers c where c.shop_id in ($4, $5) and ${isMember('c.customer_no', 1)}`,
          [...memberParams(m), shop.shopId, other.shopId],
        )
      )
        .map((r) => r.customer_id)
        .sort();
    expect(await pick(members)).toEqual(expected.sort());
    // The same bitmap built from the member numbers, as the dashboard's customer-row pass collects them.
    const numbers = await db().query<{ no: number }>(
      `select customer_no as no from customers where customer_id = any($1::uuid[])`,
      [expected],
    );
    expect(await pick(membersFromNumbers(numbers.map((r) => r.no)))).toEqual(expected.sort());

    const nobody = await saveSegment(db(), shop.shopId, {
      name: 'Nobody',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 5 },
    });
    const none = await membersOf(db(), shop.shopId, await audienceOf(db(), shop.shopId, nobody.segmentId));
    expect(none.size).toBe(0);
    const [{ n }] = (await db().query<{ n: number }>(
      `select count(*)::int as n from customers c where c.shop_id in ($4, $5) and ${isMember('c.customer_no', 1)}`,
      [...memberParams(none), shop.shopId, other.shopId],
    )) as [{ n: number }];
    expect(n).toBe(0);
  });
});
