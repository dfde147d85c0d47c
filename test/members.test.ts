// A segment's members as a bitmap over customer numbers (analytics/members.ts): the test in SQL must pick
// out exactly the members, whatever numbers other shops' customers took in between.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { isMember, memberParams, membersOf } from '../src/analytics/members.js';
import { audienceOf } from '../src/analytics/period.js';
import { saveSegment } from '../src/segments/segments.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('segment members as a bitmap', ({ db, newShop }) => {
  it('holds exactly the members, across words and among other shops’ customers', async () => {
    const [shop, other] = [await newShop(), await newShop()];
    // 300 customers of the shop, each followed by 0–2 of the other shop's (so the numbers interleave),
    // with order counts 0–4: the members (3+ orders) are scattered over several 64-number words.
    const expected: string[] = [];
    for (let i = 0; i < 300; i++) {
      const id = randomUUID();
      if (i % 5 >= 3) expected.push(id);
      await db().query(
        `insert into customers (shop_id, customer_id, first_source, order_count) values ($1, $2, 'test', $3)`,
        [shop.shopId, id, i % 5],
      );
      for (let k = 0; k < i % 3; k++)
        await db().query(
          `insert into customers (shop_id, customer_id, first_source, order_count) values ($1, $2, 'test', 4)`,
          [other.shopId, randomUUID()],
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
    expect(members.size).toBeGreaterThan(128);
    // Asked of every customer of both shops, as a pass over purchase days asks of each row's number.
    const picked = await db().query<{ customer_id: string }>(
      `select customer_id from customers c where c.shop_id in ($4, $5) and ${isMember('c.customer_no', 1)}`,
      [...memberParams(members), shop.shopId, other.shopId],
    );
    expect(picked.map((r) => r.customer_id).sort()).toEqual(expected.sort());

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
