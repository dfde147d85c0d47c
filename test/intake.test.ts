// A customer added without an order (POST /api/customers): a sign-up at the counter or from a
// mini-program. Recognised as an order's buyer is, so the same person twice is one profile; every
// identity typed must hold; consent is recorded as given; each shop its own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  signedInStaff,
  signInAs,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';
import { describeEachDb } from './support/databases.js';

describeEachDb('customer intake', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
  });
  afterAll(() => t.app.close());

  const add = (
    payload: object,
    who: { headers?: Record<string, string>; cookies?: Record<string, string> } = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/customers',
      payload,
      ...(who.cookies ? { cookies: who.cookies } : { headers: who.headers ?? a.auth }),
    });

  it('adds a person once, completes them when they come again, and records their consent', async () => {
    const first = await add({
      phone: '139 0000 4321',
      memberCard: 'N-1',
      name: '周宁',
      consents: { sms: 'opted_in' },
    });
    expect(first.statusCode).toBe(201);
    const { customerId } = first.json();
    expect(first.json()).toEqual({ customerId, outcome: 'created' });
    const again = await add({ phone: '+8613900004321', email: 'ning@example.com', city: '杭州' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ customerId, outcome: 'found' });
    const profile = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${customerId}`, headers: a.auth })
    ).json();
    expect(profile).toMatchObject({ name: '周宁', city: '杭州', orderCount: 0 });
    expect(
      profile.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort(),
    ).toEqual(['email:ning@example.com', 'member_card:N-1', 'phone:+8613900004321']);
    const consents = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${customerId}/consents`, headers: a.auth })
    ).json().items;
    expect(consents).toEqual([
      expect.objectContaining({ channel: 'sms', status: 'opted_in', source: 'api' }),
    ]);
    // The first order by the card lands on the same profile.
    const order = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: a.auth,
      payload: {
        externalId: 'N-ORDER-1',
        channel: 'offline',
        storeId: 'SH-01',
        status: 'paid',
        totalCents: 5_000,
        orderedAt: '2026-09-01T10:00:00+08:00',
        customer: { memberCard: 'N-1' },
      },
    });
    expect(order.json().customerId).toBe(customerId);
    // Another shop's same phone is another shop's customer.
    const theirs = await add({ phone: '13900004321' }, { headers: b.auth });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().customerId).not.toBe(customerId);
  });

  it('refuses a person with any identity that does not hold, naming it, and keeps sign-ups to operators', async () => {
    const typo = await add({ phone: '1390000432', email: 'ok@example.com' });
    expect(typo.statusCode).toBe(400);
    expect(typo.json()).toMatchObject({
      message: 'The customer was not recorded',
      details: [{ field: 'phone', message: 'not a valid phone number' }],
    });
    const nobody = await add({ name: 'No contact' });
    expect(nobody.json().details).toEqual([
      { field: 'body', message: 'no usable identity: give a phone, email, member card or platform id' },
    ]);
    expect((await add({ phone: '13900004322', consents: { sms: 'maybe' } })).statusCode).toBe(400);
    expect((await add({ phone: '13900004322', favourite: 'tea' })).statusCode).toBe(400);
    const viewer = await signedInStaff(t, a, 'viewer');
    expect((await add({ phone: '13900004322' }, { cookies: viewer })).statusCode).toBe(403);
    // Staff at the console: the sign-up is in the activity record.
    const owner = (await signInAs(t.app, a.email, a.password))!;
    const added = await add({ phone: '13900004322', name: '柜台' }, { cookies: owner });
    expect(added.statusCode).toBe(201);
    const entry = (await t.app.inject({ method: 'GET', url: '/api/activity', cookies: owner })).json()
      .items[0];
    expect(entry).toMatchObject({
      route: '/api/customers',
      params: { customerId: added.json().customerId, outcome: 'created' },
    });
  });
});
