import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BODY_LIMIT } from '../src/http/app.js';
import { createImport } from '../src/imports/imports.js';
import { sweepPreviewed } from '../src/imports/previewed.js';
import { DEFAULT_PROGRAM } from '../src/membership/program.js';
import { recordActivity } from '../src/shops/activity.js';
import { createStaff } from '../src/shops/staff.js';
import { describeEachDb } from './support/databases.js';
import {
  multipart,
  settleJobs,
  signInAs,
  signedInStaff,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';

const order = (over: Record<string, unknown> = {}) => ({
  source: 'webhook',
  externalId: 'W-1',
  status: 'paid',
  totalCents: 12900,
  orderedAt: '2025-05-01T09:30:00+08:00',
  customer: { phone: '13600000001', name: '陈静' },
  items: [{ title: '控油精华', sku: 'OIL-9', category: 'skincare/oily', quantity: 1, unitPriceCents: 12900 }],
  ...over,
});

describeEachDb('REST API', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
  });
  afterAll(() => t.app.close());
  it('signs staff in with an HttpOnly session cookie and refuses a wrong password', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: a.email, password: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'unauthorized', message: 'Wrong email or password' });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: a.email, password: a.password },
    });
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'regulars_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      cookies: { regulars_session: cookie.value },
    });
    expect(me.json()).toMatchObject({ staff: { email: a.email }, shop: { shopId: a.shop.shopId } });
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      cookies: { regulars_session: cookie.value },
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      cookies: { regulars_session: cookie.value },
    });
    expect(after.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/customers' })).statusCode).toBe(401);
    const badKey = await t.app.inject({
      method: 'GET',
      url: '/api/customers',
      headers: { authorization: 'Bearer rk_nope' },
    });
    expect(badKey.json()).toMatchObject({ error: 'unauthorized', message: 'Unknown or revoked API key' });
  });

  it('locks an email after ten wrong passwords in a row, until the time is up or the owner sets a new one', async () => {
    const email = `guessed-${a.shop.shopId.slice(-6)}@example.com`;
    const member = await createStaff(db(), a.shop.shopId, {
      email,
      name: 'Guessed',
      password: 'the real password',
      role: 'operator',
    });
    const owner = (await signInAs(t.app, a.email, a.password))!;
    // Each guess from an address of its own, as a guesser spread over many machines sends them: the
    // lock per email is what stops that (the pause per address is the next test's).
    let guesses = 0;
    const login = (password: string, who = email, cookies: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: who, password },
        cookies,
        remoteAddress: `198.51.100.${(guesses += 1) % 250}`,
      });
    const lock = async () =>
      (
        await db().query<{ failed: number; lockedUntil: Date | null }>(
          `select failed_sign_ins as failed, locked_until as "lockedUntil" from staff
            where shop_id = $1 and staff_id = $2`,
          [a.shop.shopId, member.staffId],
        )
      )[0]!;

    // A right password resets the count: nine wrong, one right, nine wrong again is not ten in a row.
    for (let i = 0; i < 9; i++) expect((await login(`guess ${i}`)).statusCode).toBe(401);
    const right = await login('the real password');
    expect(right.statusCode).toBe(200);
    // This browser is trusted from now on: its cookie goes back to the sign-in only.
    const deviceCookie = right.cookies.find((c) => c.name === 'regulars_device')!;
    expect(deviceCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth/login' });
    const usual = { regulars_device: deviceCookie.value };
    for (let i = 0; i < 9; i++) expect((await login(`guess ${i}`)).statusCode).toBe(401);
    expect(await lock()).toEqual({ failed: 9, lockedUntil: null });
    expect((await login('guess 9')).statusCode).toBe(401);
    const locked = await login('the real password');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({
      error: 'locked',
      message: expect.stringMatching(
        /^Too many wrong passwords: sign-in for this email is locked until \d{4}-\d\d-\d\dT[\d:.]+Z, or until the owner sets a new password; a browser that signed in as this email before still can$/,
      ),
    });
    const until = (await lock()).lockedUntil!.getTime();
    expect(Math.abs(until - Date.now() - 15 * 60_000)).toBeLessThan(60_000);
    // The staff list tells the owner, who can lift it.
    const listed = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/staff', cookies: owner }))
        .json()
        .items.find((s: { staffId: string }) => s.staffId === member.staffId).lockedUntil;
    expect(await listed()).toBe(new Date(until).toISOString());
    // Guesses while locked are not even checked, and do not lengthen the lock; other staff sign in.
    expect((await login('guess 10')).statusCode).toBe(429);
    expect((await lock()).lockedUntil!.getTime()).toBe(until);
    expect((await login(a.password, a.email)).statusCode).toBe(200);
    // The member's usual browser is not shut out by guesses from elsewhere, and its sign-in leaves the
    // lock on for everyone else; a made-up cookie is no key.
    expect((await login('the real password', email, usual)).statusCode).toBe(200);
    expect((await lock()).lockedUntil!.getTime()).toBe(until);
    expect((await login('the real password', email, { regulars_device: 'made-up' })).statusCode).toBe(429);
    // Its own wrong passwords count against it: the tenth in a row makes it a stranger, locked out too.
    for (let i = 0; i < 9; i++) expect((await login(`guess ${i}`, email, usual)).statusCode).toBe(401);
    expect((await login('the real password', email, usual)).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await login(`guess ${i}`, email, usual)).statusCode).toBe(401);
    expect((await login('the real password', email, usual)).statusCode).toBe(429);
    expect((await lock()).lockedUntil!.getTime()).toBe(until);
    // Fifteen minutes on, the right password opens it and clears the count.
    await db().query(
      `update staff set locked_until = now() - interval '1 second' where shop_id = $1 and staff_id = $2`,
      [a.shop.shopId, member.staffId],
    );
    expect((await login('the real password')).statusCode).toBe(200);
    expect(await lock()).toEqual({ failed: 0, lockedUntil: null });
    // Locked again, the owner's new password lifts it at once.
    for (let i = 0; i < 10; i++) await login(`guess ${i}`);
    expect((await login('the real password')).statusCode).toBe(429);
    const reset = await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${member.staffId}`,
      cookies: owner,
      payload: { password: 'a new password' },
    });
    expect(reset.statusCode).toBe(200);
    expect(reset.json().lockedUntil).toBeNull();
    expect(await listed()).toBeNull();
    const renewed = await login('a new password');
    expect(renewed.statusCode).toBe(200);
    // A new password set by the owner is proved again everywhere: no browser stays trusted from before.
    const trusted = { regulars_device: renewed.cookies.find((c) => c.name === 'regulars_device')!.value };
    for (let i = 0; i < 10; i++) await login(`guess ${i}`);
    expect((await login('a new password', email, trusted)).statusCode).toBe(200);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${member.staffId}`,
      cookies: owner,
      payload: { password: 'another password' },
    });
    for (let i = 0; i < 10; i++) await login(`guess ${i}`);
    expect((await login('another password', email, trusted)).statusCode).toBe(429);
    // An email no one has answers as a wrong password does.
    expect((await login('anything', 'nobody@example.com')).json()).toMatchObject({ error: 'unauthorized' });
  });

  it('pauses sign-ins from an address after fifty wrong passwords, counted across server processes, except from a browser trusted before', async () => {
    // A second app on the same database stands for another server process of the installation.
    const other = await testApp(db());
    const from = (
      remoteAddress: string,
      email: string,
      password: string,
      cookies: Record<string, string> = {},
      app = t.app,
    ) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email, password },
        cookies,
        remoteAddress,
      });
    // The PostgreSQL test database outlives a run: start these addresses with no count.
    await db().query(
      "delete from sign_in_addresses where address <<= '203.0.113.0/24' or address <<= '2001:db8::/32'",
    );
    const before = await from('203.0.113.7', a.email, a.password);
    expect(before.statusCode).toBe(200);
    const usual = { regulars_device: before.cookies.find((c) => c.name === 'regulars_device')!.value };
    // One password tried on fifty emails, half through each process, some as a dual-stack socket reports
    // the address: no email is locked, but the address is, in both processes.
    for (let i = 0; i < 50; i++) {
      const address = i % 3 === 0 ? '::ffff:203.0.113.7' : '203.0.113.7';
      const res = await from(address, `staff${i}@example.com`, 'Summer2026!', {}, i % 2 ? other.app : t.app);
      expect(res.statusCode).toBe(401);
    }
    const paused = await from('203.0.113.7', a.email, a.password);
    expect(paused.statusCode).toBe(429);
    expect(paused.json()).toMatchObject({
      error: 'throttled',
      message: expect.stringMatching(
        /^Too many wrong passwords from this address: sign-in from it is paused until \S+Z; a browser that signed in here before still can$/,
      ),
    });
    const until = Date.parse(/until (\S+Z);/.exec(paused.json().message)![1]!);
    expect(Math.abs(until - Date.now() - 15 * 60_000)).toBeLessThan(60_000);
    expect((await from('203.0.113.7', a.email, 'a guess')).statusCode).toBe(429);
    expect((await from('203.0.113.7', a.email, a.password, {}, other.app)).statusCode).toBe(429);
    // Another address is not, and the owner's usual browser on this one still gets in.
    expect((await from('203.0.113.8', a.email, a.password)).statusCode).toBe(200);
    expect((await from('203.0.113.7', a.email, a.password, usual)).statusCode).toBe(200);

    // IPv6 counts by the /64: fifty addresses of one network are one address, the next network is not.
    for (let i = 0; i < 50; i++) {
      const res = await from(`2001:db8:7:1:${(i + 1).toString(16)}::1`, `v6-${i}@example.com`, 'a guess');
      expect(res.statusCode).toBe(401);
    }
    expect((await from('2001:db8:7:1:ffff::9', a.email, a.password)).statusCode).toBe(429);
    expect((await from('2001:db8:7:2::1', a.email, a.password)).statusCode).toBe(200);
    // Once its window has passed, a pause is over, and the next wrong password from anywhere sweeps it.
    await db().query(
      "update sign_in_addresses set since = since - interval '15 minutes' where address = '203.0.113.7'",
    );
    expect((await from('203.0.113.7', a.email, a.password)).statusCode).toBe(200);
    expect((await from('203.0.113.9', a.email, 'a guess')).statusCode).toBe(401);
    const left = await db().query<{ address: string; failures: number }>(
      "select host(address) as address, failures from sign_in_addresses where address <<= '203.0.113.0/24' order by 1",
    );
    expect(left).toEqual([{ address: '203.0.113.9', failures: 1 }]);
    await other.app.close();
  });

  it('holds each staff role to what it may do, and lets an API key do all of it', async () => {
    const as: Record<string, { regulars_session: string }> = {};
    for (const role of ['viewer', 'operator', 'admin', 'owner'] as const) {
      const email = `${role}-${a.shop.shopId.slice(-6)}@example.com`;
      await createStaff(db(), a.shop.shopId, { email, name: role, password: a.password, role });
      as[role] = (await signInAs(t.app, email, a.password))!;
    }
    const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
      t.app.inject(
        who === 'key'
          ? { method, url, payload, headers: a.auth }
          : { method, url, payload, cookies: as[who] },
      );
    const policy = { maxMessages: 3, perDays: 7, quietHours: null };
    const rule = { type: 'field', field: 'orderCount', op: 'gte', value: 1 };
    const roleOrder = order({ externalId: 'ROLE-1', customer: { phone: '13600000077', name: 'Role Test' } });

    // Each learns what their role may do, which the console shows or hides its controls by.
    const me = async (who: string) => (await call(who, 'GET', '/api/me')).json();
    expect(await me('viewer')).toMatchObject({
      staff: { role: 'viewer' },
      access: ['read'],
      roles: ['viewer', 'operator', 'admin', 'owner'],
    });
    expect((await me('admin')).access).toEqual(['read', 'operate', 'administer']);
    expect((await me('owner')).access).toEqual(['read', 'operate', 'administer', 'own']);

    // A viewer reads, counts a segment and signs out, and changes nothing.
    expect((await call('viewer', 'GET', '/api/customers')).statusCode).toBe(200);
    expect((await call('viewer', 'POST', '/api/segments/count', { rule })).statusCode).toBe(200);
    const refused = await call('viewer', 'POST', '/api/orders', roleOrder);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: 'forbidden',
      message: 'Your role (viewer) cannot change data: that takes an operator or above',
    });
    expect((await call('viewer', 'GET', '/api/customers?q=13600000077')).json().items).toEqual([]);
    // The day's work is the operator's; the shop's settings are not.
    expect((await call('operator', 'POST', '/api/orders', roleOrder)).statusCode).toBe(201);
    expect((await call('operator', 'POST', '/api/tags', { name: 'role test' })).statusCode).toBe(201);
    expect((await call('operator', 'PUT', '/api/contact-policy', policy)).json()).toMatchObject({
      message: "Your role (operator) cannot change the shop's settings: that takes an admin or above",
    });
    expect((await call('operator', 'GET', '/api/contact-policy')).json().maxMessages).not.toBe(3);
    // Settings are the admin's; API keys, which act with the whole API, the owner's alone.
    expect((await call('admin', 'PUT', '/api/contact-policy', policy)).statusCode).toBe(200);
    expect((await call('admin', 'POST', '/api/api-keys', { name: 'shop site' })).json()).toMatchObject({
      message: "Your role (admin) cannot manage the shop's staff and API keys: that takes an owner",
    });
    expect((await call('owner', 'POST', '/api/api-keys', { name: 'shop site' })).statusCode).toBe(201);
    expect((await call('key', 'PUT', '/api/contact-policy', policy)).statusCode).toBe(200);
    expect((await call('viewer', 'POST', '/api/auth/logout')).statusCode).toBe(204);
  });

  it('lets the owner add staff, change their role or password and remove them, keeping an owner', async () => {
    const login = (email: string, password = 'a staff password') => signInAs(t.app, email, password);
    const owner = (await login(b.email, b.password))!;
    const asOwner = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({ method, url, payload, cookies: owner });
    const email = `lin-${b.shop.shopId.slice(-6)}@example.com`;
    const added = await asOwner('POST', '/api/staff', {
      email: email.toUpperCase(),
      name: 'Lin',
      password: 'a staff password',
      role: 'operator',
    });
    expect(added.statusCode).toBe(201);
    const lin = added.json();
    expect(lin).toMatchObject({ email, name: 'Lin', role: 'operator' });
    expect(
      (await asOwner('POST', '/api/staff', { email, name: 'Lin', password: 'another one' })).json(),
    ).toMatchObject({ error: 'invalid_input', details: [{ field: 'body.role' }] });
    const twice = await asOwner('POST', '/api/staff', {
      email,
      name: 'Lin again',
      password: 'a staff password',
      role: 'viewer',
    });
    expect(twice.statusCode).toBe(409);
    const names = (await asOwner('GET', '/api/staff')).json().items.map((s: { name: string }) => s.name);
    expect(names).toEqual(['Owner', 'Lin']);

    // Lin works as an operator until made a viewer: the next request already holds to the new role.
    const linSession = (await login(email))!;
    const tag = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/tags',
        payload: { name: `t${Math.random()}` },
        cookies: linSession,
      });
    expect((await tag()).statusCode).toBe(201);
    expect(
      (
        await asOwner('POST', '/api/staff', {
          email: 'x@example.com',
          name: 'X',
          password: 'xxxxxxxx',
          role: 'owner',
        })
      ).statusCode,
    ).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/api/staff', cookies: linSession })).statusCode).toBe(
      200,
    );
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/staff/${lin.staffId}`, cookies: linSession }))
        .statusCode,
    ).toBe(403);
    expect((await asOwner('PATCH', `/api/staff/${lin.staffId}`, { role: 'viewer' })).json().role).toBe(
      'viewer',
    );
    expect((await tag()).statusCode).toBe(403);
    // A new password ends Lin's sessions; the old password no longer signs in.
    expect((await asOwner('PATCH', `/api/staff/${lin.staffId}`, { password: 'short' })).statusCode).toBe(400);
    await asOwner('PATCH', `/api/staff/${lin.staffId}`, { password: 'a new staff password' });
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: linSession })).statusCode).toBe(401);
    expect(await login(email)).toBeNull();
    expect(await login(email, 'a new staff password')).not.toBeNull();

    // The shop keeps an owner: with X gone, the first owner can be neither demoted nor removed.
    const x = (await asOwner('GET', '/api/staff')).json().items.find((s: { name: string }) => s.name === 'X');
    expect((await asOwner('DELETE', `/api/staff/${x.staffId}`)).statusCode).toBe(204);
    const me = (await t.app.inject({ method: 'GET', url: '/api/me', cookies: owner })).json().staff;
    const demote = await asOwner('PATCH', `/api/staff/${me.staffId}`, { role: 'admin' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().message).toBe('A shop keeps at least one owner: make someone else owner first');
    expect((await asOwner('DELETE', `/api/staff/${me.staffId}`)).statusCode).toBe(409);
    // Removing Lin ends what is left of Lin's access; another shop's staff are not this owner's.
    const linAgain = (await login(email, 'a new staff password'))!;
    expect((await asOwner('DELETE', `/api/staff/${lin.staffId}`)).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: linAgain })).statusCode).toBe(401);
    const aOwner = (await t.app.inject({ method: 'GET', url: '/api/staff', headers: a.auth })).json()
      .items[0];
    expect((await asOwner('PATCH', `/api/staff/${aOwner.staffId}`, { role: 'viewer' })).statusCode).toBe(404);
    expect((await asOwner('DELETE', `/api/staff/${aOwner.staffId}`)).statusCode).toBe(404);
  });

  it('keeps a record of what staff and keys changed or exported, for the shop admins only', async () => {
    const shop = await testTenant(db());
    const owner = (await signInAs(t.app, shop.email, shop.password))!;
    const viewer = await signedInStaff(t, shop, 'viewer');
    const operator = await signedInStaff(t, shop, 'operator');
    const as = (
      cookies: Record<string, string> | null,
      method: 'GET' | 'POST' | 'PATCH',
      url: string,
      payload?: object,
    ) => t.app.inject({ method, url, payload, ...(cookies ? { cookies } : { headers: shop.auth }) });

    // The order intake from integrations, reads and rule counts are not listed; changes, refusals and
    // exports are, and so is an order staff enter by hand (it earns points), with what it was.
    const placed = await as(null, 'POST', '/api/orders', order({ externalId: 'ACT-1' }));
    const customerId = placed.json().customerId as string;
    await as(owner, 'GET', `/api/customers/${customerId}`);
    const rule = { type: 'field', field: 'orderCount', op: 'gte', value: 1 };
    await as(operator, 'POST', '/api/segments/count', { rule });
    const byHand = order({
      source: 'console',
      externalId: 'M-1',
      totalCents: 5000,
      customer: { phone: '13600000001', email: 'told-at-the-counter@example.com' },
    });
    expect((await as(operator, 'POST', '/api/orders', byHand)).statusCode).toBe(201);
    expect((await as(owner, 'PATCH', `/api/customers/${customerId}`, { city: '杭州市' })).statusCode).toBe(
      200,
    );
    expect((await as(viewer, 'POST', '/api/tags', { name: 'vip' })).statusCode).toBe(403);
    expect((await as(null, 'POST', '/api/tags', { name: 'from the ERP' })).statusCode).toBe(201);
    expect((await as(viewer, 'POST', '/api/segments/export?format=csv', { rule })).statusCode).toBe(200);

    const activity = await as(owner, 'GET', '/api/activity');
    expect(activity.statusCode).toBe(200);
    type Entry = {
      actor: string;
      address: string;
      method: string;
      route: string;
      params: object;
      status: number;
    };
    const entries = activity.json().items as Entry[];
    // The three sign-ins came first (newest first here), each with who and from where.
    expect(
      entries.filter((e) => e.route === '/api/auth/login').map((e) => [e.actor, e.address, e.status]),
    ).toEqual([
      [`The operator <operator-${shop.shop.shopId.slice(-8)}@example.com>`, '127.0.0.1', 200],
      [`The viewer <viewer-${shop.shop.shopId.slice(-8)}@example.com>`, '127.0.0.1', 200],
      [`Owner <${shop.email}>`, '127.0.0.1', 200],
    ]);
    expect(
      entries
        .filter((e) => e.route !== '/api/auth/login')
        .map((e) => [e.actor, e.method, e.route, e.params, e.status]),
    ).toEqual([
      [
        `The viewer <viewer-${shop.shop.shopId.slice(-8)}@example.com>`,
        'POST',
        '/api/segments/export',
        { format: 'csv' },
        200,
      ],
      ['API key "tests"', 'POST', '/api/tags', {}, 201],
      [`The viewer <viewer-${shop.shop.shopId.slice(-8)}@example.com>`, 'POST', '/api/tags', {}, 403],
      [`Owner <${shop.email}>`, 'PATCH', '/api/customers/:customerId', { customerId }, 200],
      [
        `The operator <operator-${shop.shop.shopId.slice(-8)}@example.com>`,
        'POST',
        '/api/orders',
        { externalId: 'M-1', totalCents: 5000, outcome: 'created', customerId },
        201,
      ],
    ]);
    // What the order set off (here the email it added) is put down to staff at the console.
    const added = await db().query<{ source: string }>(
      "select source from customer_events where shop_id = $1 and customer_id = $2 and type = 'identity.added'",
      [shop.shop.shopId, customerId],
    );
    expect(added).toEqual([{ source: 'console' }]);
    // One member's, a page at a time.
    const first = activity.json().items[0].entryId as string;
    const older = await as(owner, 'GET', `/api/activity?before=${first}&limit=1`);
    expect(older.json().items.map((e: { route: string }) => e.route)).toEqual(['/api/tags']);
    const viewerId = activity.json().items[0].staffId as string;
    const theirs = await as(owner, 'GET', `/api/activity?staffId=${viewerId}`);
    expect(theirs.json().items.map((e: { route: string }) => e.route)).toEqual([
      '/api/segments/export',
      '/api/tags',
      '/api/auth/login',
    ]);
    // Only admins and owners read it, each their own shop's.
    expect((await as(operator, 'GET', '/api/activity')).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/activity', headers: b.auth })).json().items,
    ).not.toEqual(expect.arrayContaining([expect.objectContaining({ route: '/api/customers/:customerId' })]));
    expect((await as(owner, 'GET', '/api/activity?limit=0')).statusCode).toBe(400);

    // The same record as CSV for an audit, over a range of the shop's days; the export is itself recorded.
    const csv = await as(owner, 'GET', '/api/activity.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="activity.csv"');
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parse(csv.body.slice(1)) as string[][];
    expect(header).toEqual(['at (Asia/Shanghai)', 'actor', 'address', 'method', 'route', 'params', 'status']);
    const edit = rows.find((r) => r[4] === '/api/customers/:customerId')!;
    expect(edit).toEqual([
      expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      `Owner <${shop.email}>`,
      '127.0.0.1',
      'PATCH',
      '/api/customers/:customerId',
      JSON.stringify({ customerId }),
      '200',
    ]);
    expect(rows.filter((r) => r[4] !== '/api/activity.csv').map((r) => [r[4], r[6]])).toEqual(
      entries.map((e) => [e.route, String(e.status)]),
    );
    const today = edit[0]!.slice(0, 10);
    const onlyBefore = await as(owner, 'GET', '/api/activity.csv?to=2000-01-01');
    expect(parse(onlyBefore.body.slice(1))).toEqual([header]);
    expect(onlyBefore.headers['content-disposition']).toBe(
      'attachment; filename="activity-to-2000-01-01.csv"',
    );
    const fromToday = parse(
      (await as(owner, 'GET', `/api/activity.csv?from=${today}&to=${today}`)).body.slice(1),
    );
    expect(fromToday.length).toBeGreaterThan(entries.length);
    const viewersOnly = parse(
      (await as(owner, 'GET', `/api/activity.csv?staffId=${viewerId}`)).body.slice(1),
    );
    expect(viewersOnly.slice(1).map((r: string[]) => r[4])).toEqual([
      '/api/segments/export',
      '/api/tags',
      '/api/auth/login',
    ]);
    expect(
      (await as(owner, 'GET', '/api/activity.csv?from=2026-11-30&to=2026-11-01')).json().details,
    ).toEqual([{ field: 'querystring.from', message: 'from is after to' }]);
    expect((await as(owner, 'GET', '/api/activity.csv?from=2026-13-01')).statusCode).toBe(400);
    expect((await as(operator, 'GET', '/api/activity.csv')).statusCode).toBe(403);
    const other = await t.app.inject({ method: 'GET', url: '/api/activity.csv', headers: b.auth });
    expect(other.body).not.toContain(customerId);
    const exports = (await as(owner, 'GET', '/api/activity?limit=20'))
      .json()
      .items.filter((e: { route: string }) => e.route === '/api/activity.csv');
    expect(exports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: `Owner <${shop.email}>`,
          params: { to: '2000-01-01' },
          status: 200,
        }),
        expect.objectContaining({ actor: expect.stringContaining('The operator'), status: 403 }),
      ]),
    );
  });

  it("keeps the activity record and refused import values only as long as the owner says, one shop's alone", async () => {
    const shop = await testTenant(db());
    const owner = (await signInAs(t.app, shop.email, shop.password))!;
    const admin = await signedInStaff(t, shop, 'admin');
    const operator = await signedInStaff(t, shop, 'operator');
    const as = (cookies: Record<string, string>, method: 'GET' | 'PUT', url: string, payload?: object) =>
      t.app.inject({ method, url, cookies, ...(payload ? { payload } : {}) });

    expect((await as(admin, 'GET', '/api/retention')).json()).toEqual({
      activityDays: 365,
      importCellsDays: 90,
    });
    expect((await as(operator, 'GET', '/api/retention')).statusCode).toBe(403);

    // What there is to let go of: activity 400 and 200 days old, here and in another shop, and two imports'
    // refused phones, one import ended 100 days ago.
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    for (const [tenant, days] of [
      [shop, 400],
      [shop, 200],
      [b, 400],
    ] as const) {
      await recordActivity(
        db(),
        {
          shopId: tenant.shop.shopId,
          staff: null,
          apiKey: { keyId: '01a00000-0000-7000-8000-0000000000a1', name: `${days} days ago` },
          address: '192.0.2.1',
          method: 'POST',
          route: '/api/tags',
          params: {},
          status: 201,
        },
        daysAgo(days),
      );
    }
    const upload = async (phone: string) => {
      const m = multipart(
        { format: 'generic' },
        {
          name: 'refused.csv',
          content: `order_id,ordered_at,status,total,phone\nRET-${phone},2025-07-01,paid,10.00,${phone}\n`,
        },
      );
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/imports',
        payload: m.payload,
        headers: { ...m.headers, ...shop.auth },
      });
      await t.imports.idle();
      return res.json().importId as string;
    };
    const old = await upload('139-0000-01');
    const recent = await upload('139-0000-02');
    await db().query('update imports set finished_at = $3 where shop_id = $1 and import_id = $2', [
      shop.shop.shopId,
      old,
      daysAgo(100).toISOString(),
    ]);
    const errorsOf = async (importId: string) =>
      parse(
        (
          await t.app.inject({
            method: 'GET',
            url: `/api/imports/${importId}/errors.csv`,
            headers: shop.auth,
          })
        ).body,
        { columns: true, bom: true },
      ) as { row: string; column: string; reason: string; value: string }[];
    const phoneCell = { row: '2', column: 'phone', reason: 'not a valid phone number' };
    expect((await errorsOf(old))[0]).toEqual({ ...phoneCell, value: '139-0000-01' });

    // A session that expired and a browser not signed in from for 200 days: the same run lets both go.
    const [{ staffId } = { staffId: '' }] = await db().query<{ staffId: string }>(
      'select staff_id as "staffId" from staff where shop_id = $1 and role = \'owner\'',
      [shop.shop.shopId],
    );
    await db().query(
      `insert into staff_sessions (shop_id, token_hash, staff_id, expires_at)
       values ($1, sha256('expired'::bytea), $2, $3)`,
      [shop.shop.shopId, staffId, daysAgo(1).toISOString()],
    );
    await db().query(
      `insert into staff_devices (shop_id, staff_id, device_hash, last_sign_in_at)
       values ($1, $2, sha256('stale'::bytea), $3)`,
      [shop.shop.shopId, staffId, daysAgo(200).toISOString()],
    );

    // Only the owner sets the periods, and never under six months of activity.
    const periods = { activityDays: 300, importCellsDays: 30 };
    expect((await as(admin, 'PUT', '/api/retention', periods)).statusCode).toBe(403);
    const tooShort = await as(owner, 'PUT', '/api/retention', { ...periods, activityDays: 90 });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().details).toEqual([
      {
        field: 'body.activityDays',
        message: "China's Cybersecurity Law asks for six months of activity at least: 180 days or more",
      },
    ]);
    expect((await as(owner, 'PUT', '/api/retention', { ...periods, extra: 1 })).statusCode).toBe(400);
    const set = await as(owner, 'PUT', '/api/retention', periods);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual(periods);
    expect((await as(admin, 'GET', '/api/retention')).json()).toEqual(periods);

    // The change prunes at once: the entry from 400 days ago goes, the one from 200 stays; the old import
    // keeps its report without the value, the recent one keeps the value too.
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    const [job] = (await t.app.inject({ method: 'GET', url: '/api/jobs?limit=1', headers: shop.auth })).json()
      .items;
    expect(job).toMatchObject({ kind: 'retention.prune', status: 'completed' });
    expect(job.result).toEqual({
      activityDeleted: 1,
      cellsCleared: 1,
      sessionsDeleted: 1,
      devicesForgotten: 1,
    });
    // The sessions in use stay.
    expect((await as(owner, 'GET', '/api/retention')).statusCode).toBe(200);
    const actors = (await as(owner, 'GET', '/api/activity?limit=100'))
      .json()
      .items.map((e: { actor: string }) => e.actor);
    expect(actors).toContain('API key "200 days ago"');
    expect(actors).not.toContain('API key "400 days ago"');
    expect((await errorsOf(old))[0]).toEqual({ ...phoneCell, value: '' });
    expect((await errorsOf(recent))[0]!.value).toBe('139-0000-02');

    // The other shop keeps its own periods and its record.
    expect((await t.app.inject({ method: 'GET', url: '/api/retention', headers: b.auth })).json()).toEqual({
      activityDays: 365,
      importCellsDays: 90,
    });
    const theirs = (
      await t.app.inject({ method: 'GET', url: '/api/activity?limit=500', headers: b.auth })
    ).json();
    expect(theirs.items.map((e: { actor: string }) => e.actor)).toContain('API key "400 days ago"');
    // Setting the periods is itself on the record, the refused attempts too.
    const puts = (await as(owner, 'GET', '/api/activity?limit=100'))
      .json()
      .items.filter((e: { route: string }) => e.route === '/api/retention')
      .map((e: { status: number }) => e.status);
    expect(puts.sort()).toEqual([200, 400, 400, 403]);
  });

  it("lets admins rename the shop and move its time zone, recomputing the dashboard's days, in its own shop only", async () => {
    const shop = await testTenant(db());
    const viewer = await signedInStaff(t, shop, 'viewer');
    const admin = await signedInStaff(t, shop, 'admin');
    const patch = (payload: object, cookies: Record<string, string> = admin) =>
      t.app.inject({ method: 'PATCH', url: '/api/shop', payload, cookies });
    expect((await t.app.inject({ method: 'GET', url: '/api/shop', cookies: viewer })).json()).toEqual({
      shopId: shop.shop.shopId,
      name: shop.shop.name,
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
      phoneRegion: 'CN',
    });
    expect((await patch({ name: 'Mine now' }, viewer)).statusCode).toBe(403);
    expect((await patch({})).json().details).toEqual([
      { field: 'body', message: 'name at least one setting to change' },
    ]);
    expect((await patch({ timeZone: 'Mars/Olympus' })).json().details).toEqual([
      { field: 'body.timeZone', message: 'an IANA time zone such as Asia/Shanghai' },
    ]);
    expect((await patch({ owner: 'me' })).statusCode).toBe(400);

    // At 01:30 on 2 March in Shanghai it is still 1 March in London.
    await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: shop.auth,
      payload: order({
        externalId: 'TZ-1',
        orderedAt: '2025-03-02T01:30:00+08:00',
        items: [{ title: 'Serum', category: 'Skincare', quantity: 1, unitPriceCents: 5_000 }],
      }),
    });
    // The purchase days, and the days of the sales by category and brand.
    const days = async () =>
      (
        await db().query<{ day: string }>(
          `select to_char(day, 'YYYY-MM-DD') || ' ' || kind as day
             from (select day, 'purchase' as kind from purchase_days where shop_id = $1
                   union all select day, kind from line_sales where shop_id = $1 and orders > 0) d
            order by 1`,
          [shop.shop.shopId],
        )
      ).map((r) => r.day);
    expect(await days()).toEqual(['2025-03-02 brand', '2025-03-02 category', '2025-03-02 purchase']);

    // Amounts are in the shop's currency: with orders in, it stays.
    const currency = await patch({ currency: 'USD' });
    expect(currency.statusCode).toBe(409);
    expect(currency.json()).toMatchObject({
      error: 'currency_in_use',
      details: [{ field: 'currency', message: 'the shop has orders in CNY' }],
    });
    const moved = await patch({ name: '  London branch ', timeZone: 'Europe/London', phoneRegion: 'GB' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toEqual({
      shopId: shop.shop.shopId,
      name: 'London branch',
      currency: 'CNY',
      timeZone: 'Europe/London',
      phoneRegion: 'GB',
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: viewer })).json().shop.name).toBe(
      'London branch',
    );
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    const [job] = (await t.app.inject({ method: 'GET', url: '/api/jobs?limit=1', headers: shop.auth })).json()
      .items;
    expect(job).toMatchObject({ kind: 'rollup.rebuild', status: 'completed', result: { days: 1 } });
    expect(await days()).toEqual(['2025-03-01 brand', '2025-03-01 category', '2025-03-01 purchase']);
    // A phone without a country code is now read as British.
    const uk = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: shop.auth,
      payload: order({ externalId: 'TZ-2', customer: { phone: '07911 123456' } }),
    });
    expect(uk.statusCode).toBe(201);
    const customer = (
      await t.app.inject({ method: 'GET', url: `/api/customers/${uk.json().customerId}`, headers: shop.auth })
    ).json();
    expect(customer.phone).toBe('+447911123456');

    // Another shop is untouched; a shop with no orders yet may still change its currency.
    expect((await t.app.inject({ method: 'GET', url: '/api/shop', headers: b.auth })).json().name).toBe(
      b.shop.name,
    );
    const fresh = await testTenant(db());
    const usd = await t.app.inject({
      method: 'PATCH',
      url: '/api/shop',
      headers: fresh.auth,
      payload: { currency: 'USD' },
    });
    expect(usd.json()).toMatchObject({ currency: 'USD', timeZone: 'Asia/Shanghai' });
  });

  it('lets any staff member change their own password, ending their other sessions', async () => {
    const email = `pat-${a.shop.shopId.slice(-6)}@example.com`;
    await createStaff(db(), a.shop.shopId, {
      email,
      name: 'Pat',
      password: 'first password',
      role: 'viewer',
    });
    const login = (password: string) => signInAs(t.app, email, password);
    const here = (await login('first password'))!;
    const laptop = (await login('first password'))!;
    const change = (payload: object) =>
      t.app.inject({ method: 'PUT', url: '/api/me/password', payload, cookies: here });
    const wrong = await change({ currentPassword: 'not it', newPassword: 'second password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ details: [{ field: 'body.currentPassword' }] });
    expect((await change({ currentPassword: 'first password', newPassword: 'short' })).statusCode).toBe(400);
    expect(
      (await change({ currentPassword: 'first password', newPassword: 'second password' })).statusCode,
    ).toBe(204);
    const me = (cookies: { regulars_session: string }) =>
      t.app.inject({ method: 'GET', url: '/api/me', cookies });
    expect((await me(here)).statusCode).toBe(200);
    expect((await me(laptop)).statusCode).toBe(401);
    expect(await login('first password')).toBeNull();
    expect(await login('second password')).not.toBeNull();
    const byKey = await t.app.inject({
      method: 'PUT',
      url: '/api/me/password',
      headers: a.auth,
      payload: { currentPassword: 'x', newPassword: 'yyyyyyyy' },
    });
    expect(byKey.statusCode).toBe(401);
  });

  it('lets a staff member of several shops choose which to enter, naming only the shops their password opens, and switch between them', async () => {
    const c = await testTenant(db());
    const email = `agency-${a.shop.shopId.slice(-6)}@example.com`;
    const staffIds = new Map<string, string>();
    for (const [shop, password] of [
      [a, 'agency password'],
      [b, 'agency password'],
      [c, 'another password'],
    ] as const) {
      const member = await createStaff(db(), shop.shop.shopId, {
        email,
        name: 'Agency',
        password,
        role: 'operator',
      });
      staffIds.set(shop.shop.shopId, member.staffId);
    }
    const login = (payload: object) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload });

    const choice = await login({ email, password: 'agency password' });
    expect(choice.statusCode).toBe(409);
    expect(choice.cookies.find((k) => k.name === 'regulars_session')).toBeUndefined();
    expect(choice.json()).toMatchObject({ error: 'choose_shop', details: [{ field: 'shopId' }] });
    // Shop c gave the email another password: it is not named.
    expect(
      (choice.json() as { shops: { shopId: string; name: string; role: string }[] }).shops.sort((x, y) =>
        x.name.localeCompare(y.name),
      ),
    ).toEqual(
      [a, b]
        .map((s) => ({ shopId: s.shop.shopId, name: s.shop.name, role: 'operator' }))
        .sort((x, y) => x.name.localeCompare(y.name)),
    );

    const intoB = await login({ email, password: 'agency password', shopId: b.shop.shopId });
    expect(intoB.statusCode).toBe(200);
    // Trying the password on the email's other shops, to open them too, counts no wrong password there.
    expect(
      await db().query('select failed_sign_ins as n from staff where shop_id = $1 and email = $2', [
        c.shop.shopId,
        email,
      ]),
    ).toEqual([{ n: 0 }]);
    expect(intoB.json()).toMatchObject({
      staff: { email, role: 'operator' },
      shop: { shopId: b.shop.shopId },
    });
    const session = { regulars_session: intoB.cookies.find((k) => k.name === 'regulars_session')!.value };
    const me = await t.app.inject({ method: 'GET', url: '/api/me', cookies: session });
    expect(me.json()).toMatchObject({ shop: { shopId: b.shop.shopId } });
    // The session is shop b's: shop a's customers stay out of reach.
    const aCustomer = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: a.auth,
      payload: order({ externalId: 'AGENCY-1', customer: { phone: '13600000991' } }),
    });
    const seen = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${aCustomer.json<{ customerId: string }>().customerId}`,
      cookies: session,
    });
    expect(seen.statusCode).toBe(404);

    // The sign-in opened shop a too (the same password), not shop c: the session moves to a without it.
    const shopsOf = (r: { json: () => unknown }) =>
      (r.json() as { shops: { shopId: string }[] }).shops.map((s) => s.shopId).sort();
    const bothShops = [a.shop.shopId, b.shop.shopId].sort();
    expect(shopsOf(intoB)).toEqual(bothShops);
    expect(shopsOf(me)).toEqual(bothShops);
    const switchTo = (shopId: unknown, cookies: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/auth/switch', cookies, payload: { shopId } });
    const intoA = await switchTo(a.shop.shopId, session);
    expect(intoA.statusCode).toBe(200);
    expect(intoA.json()).toMatchObject({
      staff: { email, role: 'operator' },
      shop: { shopId: a.shop.shopId },
    });
    expect(shopsOf(intoA)).toEqual(bothShops);
    const inA = { regulars_session: intoA.cookies.find((k) => k.name === 'regulars_session')!.value };
    const aCustomerUrl = `/api/customers/${aCustomer.json<{ customerId: string }>().customerId}`;
    expect((await t.app.inject({ method: 'GET', url: aCustomerUrl, cookies: inA })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: aCustomerUrl, cookies: session })).statusCode).toBe(404);
    // Shop a's activity says who came in from another shop, as it says who signed in.
    const activity = await t.app.inject({ method: 'GET', url: '/api/activity', headers: a.auth });
    expect(
      (activity.json() as { items: { actor: string; route: string; status: number }[] }).items
        .filter((e) => e.route === '/api/auth/switch')
        .map((e) => [e.actor, e.status]),
    ).toEqual([[`Agency <${email}>`, 200]]);
    // Shop c, which this password does not open, is out of reach; so is a switch by API key.
    expect((await switchTo(c.shop.shopId, session)).statusCode).toBe(404);
    expect((await switchTo('not-a-shop', session)).statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/switch',
          headers: a.auth,
          payload: { shopId: b.shop.shopId },
        })
      ).statusCode,
    ).toBe(401);
    // Signing out in one shop signs out of all the sign-in opened.
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: inA })).statusCode).toBe(
      204,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: session })).statusCode).toBe(401);
    expect((await switchTo(a.shop.shopId, session)).statusCode).toBe(401);
    // Shop a's owner gives the member a new password: a sign-in with the old one no longer opens shop a.
    const again = await login({ email, password: 'agency password', shopId: b.shop.shopId });
    const againSession = {
      regulars_session: again.cookies.find((k) => k.name === 'regulars_session')!.value,
    };
    expect(shopsOf(again)).toEqual(bothShops);
    const reset = await t.app.inject({
      method: 'PATCH',
      url: `/api/staff/${staffIds.get(a.shop.shopId)}`,
      headers: a.auth,
      payload: { password: 'a password of its own' },
    });
    expect(reset.statusCode).toBe(200);
    expect(shopsOf(await t.app.inject({ method: 'GET', url: '/api/me', cookies: againSession }))).toEqual([
      b.shop.shopId,
    ]);
    expect((await switchTo(a.shop.shopId, againSession)).statusCode).toBe(404);

    // Shop c opens with its own password only, and then at once: it is the one shop that password opens.
    expect((await login({ email, password: 'agency password', shopId: c.shop.shopId })).statusCode).toBe(401);
    const intoC = await login({ email, password: 'another password' });
    expect(intoC.statusCode).toBe(200);
    expect(intoC.json()).toMatchObject({ shop: { shopId: c.shop.shopId } });
    expect((await login({ email, password: 'wrong' })).statusCode).toBe(401);
  });

  it('records an order once, however often the webhook is replayed', async () => {
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: a.auth,
      payload: order(),
    });
    expect(first.statusCode).toBe(201);
    const { orderId, customerId } = first.json();
    for (let i = 0; i < 3; i++) {
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: a.auth,
        payload: order(),
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual({ orderId, customerId, outcome: 'unchanged' });
    }
    const customer = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${customerId}`,
      headers: a.auth,
    });
    expect(customer.json()).toMatchObject({
      name: '陈静',
      phone: '+8613600000001',
      orderCount: 1,
      spendCents: 12900,
      identities: [{ kind: 'phone', value: '+8613600000001', source: 'api' }],
    });
    const fetched = await t.app.inject({ method: 'GET', url: `/api/orders/${orderId}`, headers: a.auth });
    expect(fetched.json()).toMatchObject({ externalId: 'W-1', items: [{ title: '控油精华', quantity: 1 }] });
    const timeline = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${customerId}/timeline`,
      headers: a.auth,
    });
    // Once: one profile, one order, one earning of points, however often the webhook came.
    expect(
      timeline
        .json()
        .items.map((e: { type: string }) => e.type)
        .sort(),
    ).toEqual(['customer.created', 'order.placed', 'points.earn']);
  });

  it('answers malformed JSON, wrong types, broken rules and oversized bodies with 4xx naming the problem', async () => {
    const post = (payload: string | object, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { ...a.auth, 'content-type': 'application/json', ...headers },
        payload,
      });
    const malformed = await post('{"externalId": ');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe('malformed_json');
    const notAnObject = await post('[]');
    expect(notAnObject.statusCode).toBe(400);
    expect(notAnObject.json().details).toEqual([
      { field: 'body', message: 'Invalid input: expected object, received array' },
    ]);
    const wrongType = await post(order({ totalCents: '129.00', status: 'lost' }));
    expect(wrongType.statusCode).toBe(400);
    const fields = wrongType.json().details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.totalCents', 'body.status']));
    expect(wrongType.json().message).toMatch(/body\.totalCents/);
    const rules = await post(
      order({
        externalId: 'W-2',
        channel: 'offline',
        refundedCents: 99999,
        customer: { phone: '138****0000' },
      }),
    );
    expect(rules.statusCode).toBe(400);
    expect(rules.json().details).toEqual(
      expect.arrayContaining([
        { field: 'customer.phone', message: 'phone number is masked' },
        { field: 'storeId', message: 'offline-store orders must name their store' },
        { field: 'refundedCents', message: 'refund is larger than the order total' },
      ]),
    );
    const huge = await post(order({ customer: { phone: '13600000001', address: 'x'.repeat(BODY_LIMIT) } }));
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error).toBe('body_too_large');
  });

  it('records a batch of orders in one go, idempotently, and none of a batch with a bad order', async () => {
    const c = await testTenant(db());
    const batch = (orders: object[], auth = c.auth) =>
      t.app.inject({ method: 'POST', url: '/api/orders/batch', headers: auth, payload: { orders } });
    const find = async (externalId: string, auth = c.auth) =>
      t.app.inject({
        method: 'GET',
        url: `/api/orders?source=webhook&externalId=${externalId}`,
        headers: auth,
      });
    const history = [
      order({ externalId: 'B-1', customer: { phone: '13600000101' } }),
      order({
        externalId: 'B-2',
        customer: { phone: '+86 136 0000 0101' },
        orderedAt: '2025-06-01T10:00:00+08:00',
      }),
      order({
        externalId: 'B-3',
        channel: 'offline',
        storeId: 'SH-01',
        customer: { phone: '13600000102', memberCard: 'C-102' },
      }),
      // Of 2023: its points fell due at the end of 2024, and expire with it.
      order({
        externalId: 'B-4',
        orderedAt: '2023-05-01T10:00:00+08:00',
        customer: { phone: '13600000103' },
      }),
    ];
    const first = await batch(history);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ created: 4, updated: 0, unchanged: 0 });
    const answered = first.json().orders as { orderId: string; customerId: string; outcome: string }[];
    expect(answered.map((x) => x.outcome)).toEqual(['created', 'created', 'created', 'created']);
    // One person behind the first two, in the order sent.
    expect(answered[0]!.customerId).toBe(answered[1]!.customerId);
    expect((await find('B-3')).json()).toMatchObject({ orderId: answered[2]!.orderId, channel: 'offline' });
    const profile = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers/${id}`, headers: c.auth })).json();
    expect(await profile(answered[0]!.customerId)).toMatchObject({ orderCount: 2, spendCents: 25800 });
    const points = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers/${id}/points`, headers: c.auth })).json();
    expect(await points(answered[3]!.customerId)).toMatchObject({ balance: 0, expired: 129 });
    // Sent again, with one refunded since: one update, the rest unchanged, the same counts.
    const again = await batch([...history.slice(0, 3), { ...history[3], status: 'refunded' }]);
    expect(again.json()).toMatchObject({ created: 0, updated: 1, unchanged: 3 });
    expect(await profile(answered[0]!.customerId)).toMatchObject({ orderCount: 2, spendCents: 25800 });
    // Its points had expired: the refund undoes the expiry rather than take them from the balance again.
    expect(await points(answered[3]!.customerId)).toMatchObject({ balance: 0, expired: 0 });
    // A batch with bad orders records none of them, and says which and why.
    const bad = await batch([
      order({ externalId: 'B-5', customer: { phone: '13600000104' } }),
      order({ externalId: 'B-6', customer: {} }),
      order({ externalId: 'B-5', customer: { phone: '13600000104' } }),
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toBe('No order of the batch was recorded');
    expect(bad.json().details.map((d: { field: string }) => d.field)).toEqual([
      'orders.1.customer',
      'orders.2.externalId',
    ]);
    expect(bad.json().details[1].message).toBe('the same order as orders.0');
    expect((await find('B-5')).statusCode).toBe(404);
    const wrongType = await batch([
      order({ externalId: 'B-7' }),
      order({ externalId: 'B-8', totalCents: 'x' }),
    ]);
    expect(wrongType.json().details.map((d: { field: string }) => d.field)).toEqual([
      'body.orders.1.totalCents',
    ]);
    expect((await batch([])).json().details[0].field).toBe('body.orders');
    const tooMany = Array.from({ length: 501 }, (_, n) => order({ externalId: `M-${n}` }));
    expect((await batch(tooMany)).json().details[0].field).toBe('body.orders');
    // A batch may be larger than one order may be, but not without limit.
    const wide = order({
      externalId: 'B-9',
      customer: { phone: '13600000105', address: 'x'.repeat(BODY_LIMIT) },
    });
    expect((await batch([wide])).json().details[0].field).toBe('body.orders.0.customer.address');
    const huge = await batch([
      { ...wide, customer: { ...wide.customer, address: 'x'.repeat(8 * BODY_LIMIT) } },
    ]);
    expect(huge.statusCode).toBe(413);
    // Another shop's key records into its own shop and sees none of these.
    expect((await find('B-1', b.auth)).statusCode).toBe(404);
  });

  it("refuses a setting's unknown key, naming it, and lets a webhook's extra fields through", async () => {
    const send = (method: 'PUT' | 'POST', url: string, payload: object) =>
      t.app.inject({ method, url, headers: b.auth, payload });
    // Dropped, the misspelt category would have doubled the points on every order of the season.
    const program = await send('PUT', '/api/membership/program', {
      ...DEFAULT_PROGRAM,
      points: {
        ...DEFAULT_PROGRAM.points,
        bonuses: [
          {
            name: 'Double 11 skincare',
            multiplier: 2,
            from: '2025-11-01T00:00:00+08:00',
            to: '2025-11-12T00:00:00+08:00',
            categroy: 'skincare/oily',
          },
        ],
      },
    });
    expect(program.statusCode).toBe(400);
    expect(program.json().details).toEqual([
      expect.objectContaining({
        field: 'body.points.bonuses.0',
        message: expect.stringContaining('categroy'),
      }),
    ]);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/membership/program', headers: b.auth })).json(),
    ).toMatchObject({
      version: 0,
    });
    const channel = await send('PUT', '/api/channels/email', {
      channel: 'email',
      settings: { host: '127.0.0.1', port: 2525, from: 'care@shop.example', pasword: 'secret' },
    });
    expect(channel.statusCode).toBe(400);
    expect(channel.json().details[0]).toMatchObject({ field: 'body.settings' });
    expect(channel.json().details[0].message).toContain('pasword');
    // A shop platform's webhook carries fields Regulars has no use for; the order still lands.
    const webhook = await send(
      'POST',
      '/api/orders',
      order({ externalId: 'W-extra', gateway: 'alipay', customer: { phone: '13600000009', note: 'VIP' } }),
    );
    expect(webhook.statusCode).toBe(201);
  });

  it('lists customers newest first and pages with hasMore', async () => {
    const c = await testTenant(db());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: c.auth,
        payload: order({ externalId: `L-${i}`, customer: { phone: `1360000010${i}` } }),
      });
      ids.push(res.json().customerId);
    }
    const first = await t.app.inject({ method: 'GET', url: '/api/customers?limit=2', headers: c.auth });
    expect(first.json().items.map((x: { customerId: string }) => x.customerId)).toEqual([ids[2], ids[1]]);
    expect(first.json().hasMore).toBe(true);
    const second = await t.app.inject({
      method: 'GET',
      url: '/api/customers?limit=2&offset=2',
      headers: c.auth,
    });
    expect(second.json()).toMatchObject({ items: [{ customerId: ids[0] }], hasMore: false });
    const bad = await t.app.inject({ method: 'GET', url: '/api/customers?limit=5000', headers: c.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe('querystring.limit');
  });

  it("keeps shops apart: shop B's key cannot read or match shop A's customers", async () => {
    const inA = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: a.auth,
      payload: order({ externalId: 'ISO-1' }),
    });
    const { customerId, orderId } = inA.json();
    for (const url of [
      `/api/customers/${customerId}`,
      `/api/customers/${customerId}/orders`,
      `/api/orders/${orderId}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: b.auth });
      expect(res.statusCode, url).toBe(404);
    }
    const search = await t.app.inject({
      method: 'GET',
      url: '/api/customers?q=13600000001',
      headers: b.auth,
    });
    expect(search.json().items).toEqual([]);
    const inB = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: b.auth,
      payload: order({ externalId: 'ISO-1' }),
    });
    expect(inB.statusCode).toBe(201);
    expect(inB.json().customerId).not.toBe(customerId);
  });

  it("finds customers by their phone's last digits, in the caller's shop only", async () => {
    for (const [n, phone] of ['13600007391', '13900007391', '13600005678'].entries())
      await t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: a.auth,
        payload: order({ externalId: `TAIL-${n}`, customer: { phone, name: `Tail ${n}` } }),
      });
    const find = async (q: string, auth = a.auth) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers?q=${q}`, headers: auth }))
        .json()
        .items.map((c: { name: string }) => c.name)
        .sort();
    expect(await find('7391')).toEqual(['Tail 0', 'Tail 1']);
    expect(await find('600007391')).toEqual(['Tail 0']);
    expect(await find('5678')).toEqual(['Tail 2']);
    // Three digits match too many to be a search; the other shop sees none of these.
    expect(await find('391')).toEqual([]);
    expect(await find('7391', b.auth)).toEqual([]);
  });

  it("finds an order's buyer by the order number, whatever its source, in the caller's shop only", async () => {
    const shop = await testTenant(db());
    const place = (source: string, externalId: string, name: string, auth = shop.auth) =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: auth,
        payload: order({
          source,
          externalId,
          customer: { email: `${name.toLowerCase()}@example.com`, name },
        }),
      });
    await place('taobao', '2001334455667788', 'Ann');
    await place('shopify', '#1001', 'Bo');
    await place('webhook', '#1001', 'Cy');
    await place('pos', 'S1-0042', 'Di');
    await place('taobao', '2001334455667788', 'Other', b.auth);
    const find = async (q: string, auth = shop.auth) =>
      (await t.app.inject({ method: 'GET', url: `/api/customers?q=${encodeURIComponent(q)}`, headers: auth }))
        .json()
        .items.map((c: { name: string }) => c.name)
        .sort();
    expect(await find('2001334455667788')).toEqual(['Ann']);
    // The same number from two sources is two orders, and both buyers are found.
    expect(await find('#1001')).toEqual(['Bo', 'Cy']);
    expect(await find('S1-0042')).toEqual(['Di']);
    expect(await find('S1-004')).toEqual([]);
    expect(await find('2001334455667788', b.auth)).toEqual(['Other']);
  });

  it('merges a duplicate profile by hand, with its orders, points and identities, in its own shop only', async () => {
    const shop = await testTenant(db());
    const call = (method: 'GET' | 'POST', url: string, payload?: object, auth = shop.auth) =>
      t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const place = async (externalId: string, totalCents: number, customer: object, auth = shop.auth) =>
      (await call('POST', '/api/orders', order({ externalId, totalCents, customer }), auth)).json()
        .customerId as string;
    // The same woman bought online with her phone, then in a way that gave only a new email.
    const kept = await place('MRG-1', 10_000, { phone: '13700000001', name: '林美' });
    const dup = await place('MRG-2', 20_000, { email: 'mei.lin@example.com', name: 'Mei Lin' });
    expect(dup).not.toBe(kept);

    const merged = await call('POST', `/api/customers/${kept}/merge`, {
      customerIds: [dup],
      reason: 'same person: told us at the store',
    });
    expect(merged.statusCode).toBe(200);
    expect(merged.json()).toMatchObject({
      customerId: kept,
      name: '林美',
      email: 'mei.lin@example.com',
      orderCount: 2,
      spendCents: 30_000,
      pointsBalance: 300,
    });
    expect(
      merged
        .json()
        .identities.map((i: { kind: string }) => i.kind)
        .sort(),
    ).toEqual(['email', 'phone']);
    // The merged id answers with the survivor; the timeline says who was merged and why.
    expect((await call('GET', `/api/customers/${dup}`)).json().customerId).toBe(kept);
    const events = (await call('GET', `/api/customers/${kept}/timeline`)).json().items;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'customer.merged',
        source: 'staff',
        data: { merged: [dup], reason: 'same person: told us at the store', staffId: null },
      }),
    );
    const orders = (await call('GET', `/api/customers/${kept}/orders`)).json().items;
    expect(orders.map((o: { externalId: string }) => o.externalId).sort()).toEqual(['MRG-1', 'MRG-2']);

    const again = await call('POST', `/api/customers/${kept}/merge`, { customerIds: [dup], reason: 'again' });
    expect(again.statusCode).toBe(400);
    expect(again.json().details).toEqual([{ field: 'customerIds.0', message: 'already this profile' }]);
    const unknown = await call('POST', `/api/customers/${kept}/merge`, {
      customerIds: ['01a00000-0000-7000-8000-000000000000'],
      reason: 'typo',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().details[0].field).toBe('customerIds.0');
    const noReason = await call('POST', `/api/customers/${kept}/merge`, { customerIds: [dup] });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().details[0].field).toBe('body.reason');
    // Another shop can neither merge into this profile nor fold it into one of its own.
    const theirs = await place('MRG-B', 5_000, { phone: '13700000009' }, a.auth);
    expect(
      (await call('POST', `/api/customers/${kept}/merge`, { customerIds: [theirs], reason: 'x' }, a.auth))
        .statusCode,
    ).toBe(404);
    expect(
      (await call('POST', `/api/customers/${theirs}/merge`, { customerIds: [kept], reason: 'x' }, a.auth))
        .statusCode,
    ).toBe(404);
  });

  it('lets staff correct a profile, which later orders do not undo, in its own shop only', async () => {
    const shop = await testTenant(db());
    const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, auth = shop.auth) =>
      t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const place = async (externalId: string, customer: object) =>
      (await call('POST', '/api/orders', order({ externalId, customer }))).json().customerId as string;
    const women = await call('POST', '/api/tags', {
      name: 'women',
      rule: { type: 'field', field: 'gender', op: 'eq', value: 'female' },
    });
    expect(women.statusCode).toBe(201);
    await settleJobs(t.jobs, db(), shop.shop.shopId);
    // The shipping name of a gift order became her name; she gave her own at the counter.
    const id = await place('ED-1', { phone: '13700000021', name: '王小姐' });
    const other = await place('ED-2', { phone: '13700000022', email: 'taken@example.com' });
    const edit = (payload: object, auth = shop.auth) => call('PATCH', `/api/customers/${id}`, payload, auth);

    const edited = await edit({
      name: '陈静',
      gender: 'female',
      birthday: '1990-05-17',
      city: '杭州市',
      phone: '+86 139-0000-0023',
      email: 'Chen.Jing@Example.com',
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      customerId: id,
      name: '陈静',
      gender: 'female',
      birthday: '1990-05-17',
      city: '杭州市',
      phone: '+8613900000023',
      email: 'chen.jing@example.com',
    });
    // The old phone still finds her; the new phone and email do too.
    expect(
      edited
        .json()
        .identities.map((i: { kind: string; value: string }) => `${i.kind} ${i.value}`)
        .sort(),
    ).toEqual(['email chen.jing@example.com', 'phone +8613700000021', 'phone +8613900000023']);
    for (const q of ['13900000023', '13700000021', 'chen.jing@example.com']) {
      const found = (await call('GET', `/api/customers?q=${encodeURIComponent(q)}`)).json().items;
      expect(found.map((c: { customerId: string }) => c.customerId)).toEqual([id]);
    }
    const timeline = (await call('GET', `/api/customers/${id}/timeline`)).json().items;
    expect(timeline).toContainEqual(
      expect.objectContaining({
        type: 'profile.updated',
        source: 'staff',
        data: {
          name: '陈静',
          gender: 'female',
          birthday: '1990-05-17',
          city: '杭州市',
          phone: '+8613900000023',
          email: 'chen.jing@example.com',
          staffId: null,
        },
      }),
    );
    // The rule tag reading gender was judged again with the edit.
    const tags = (await call('GET', `/api/customers/${id}/tags`)).json().items;
    expect(tags.map((g: { name: string }) => g.name)).toEqual(['women']);

    // A later order naming her with the shipping name again leaves what staff wrote.
    await place('ED-3', { phone: '13900000023', name: '王小姐', email: 'other@example.com' });
    expect((await call('GET', `/api/customers/${id}`)).json()).toMatchObject({
      name: '陈静',
      email: 'chen.jing@example.com',
      orderCount: 2,
    });

    // Cleared fields, and an edit that changes nothing records nothing.
    expect((await edit({ city: null, gender: null })).json()).toMatchObject({ city: null, gender: null });
    expect((await call('GET', `/api/customers/${id}/tags`)).json().items).toEqual([]);
    const before = (await call('GET', `/api/customers/${id}/timeline`)).json().items.length;
    expect((await edit({ name: '  陈静 ' })).statusCode).toBe(200);
    expect((await call('GET', `/api/customers/${id}/timeline`)).json().items.length).toBe(before);

    // Another profile's email is refused: those two are one person, and a merge says so.
    const taken = await edit({ email: 'TAKEN@example.com' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      error: 'identity_taken',
      details: [{ field: 'email', message: `identifies customer ${other}` }],
    });
    // Bad input names the field.
    const bad = async (payload: object) => (await edit(payload)).json().details[0];
    expect(await bad({ phone: '12' })).toEqual({ field: 'phone', message: 'not a valid phone number' });
    expect(await bad({ email: 'no-at-sign' })).toMatchObject({ field: 'email' });
    expect(await bad({ birthday: '2999-01-01' })).toEqual({ field: 'birthday', message: 'in the future' });
    expect(await bad({ birthday: '1990-02-30' })).toMatchObject({ field: 'body.birthday' });
    expect(await bad({ birthday: '1850-01-01' })).toEqual({
      field: 'body.birthday',
      message: 'not before 1900',
    });
    expect(await bad({ phone: null })).toMatchObject({ field: 'body.phone' });
    expect(await bad({ memberCard: 'C-1' })).toMatchObject({ field: 'body' });
    expect((await edit({})).statusCode).toBe(400);
    expect((await call('GET', `/api/customers/${id}`)).json()).toMatchObject({
      email: 'chen.jing@example.com',
      birthday: '1990-05-17',
    });

    // Another shop's key cannot see or edit this profile.
    expect((await edit({ name: 'x' }, a.auth)).statusCode).toBe(404);
    expect((await call('GET', `/api/customers/${id}`)).json().name).toBe('陈静');
  });

  it("hands a person a copy of their data, then erases it on request, keeping the shop's orders and figures", async () => {
    const shop = await testTenant(db());
    const call = (
      method: 'GET' | 'POST' | 'PUT' | 'PATCH',
      url: string,
      payload?: object,
      auth = shop.auth,
    ) => t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    const person = { phone: '13700000031', email: 'zhou@example.com', name: '周雨', memberCard: 'CARD-ER9' };
    const first = await call(
      'POST',
      '/api/orders',
      order({ externalId: 'ER-1', channel: 'offline', storeId: 'S1', customer: person }),
    );
    const id = first.json().customerId as string;
    await call(
      'POST',
      '/api/orders',
      order({
        externalId: 'ER-2',
        totalCents: 5_000,
        orderedAt: '2025-06-01T10:00:00+08:00',
        customer: { email: 'zhou@example.com' },
      }),
    );
    await call('PATCH', `/api/customers/${id}`, { birthday: '1988-02-02', address: '上海市静安区1号' });
    await call('PUT', `/api/customers/${id}/consents/sms`, { status: 'opted_in', source: 'checkout' });
    const tpl = await call('POST', '/api/templates', {
      name: 'Hi',
      channel: 'sms',
      body: 'Hi {{ customer.name }}',
    });
    const messageId = '01a00000-0000-7000-8000-0000000000e1';
    await db().query(
      `insert into messages (shop_id, message_id, customer_id, channel, template_id, transactional, recipient, subject)
       values ($1, $2, $3, 'sms', $4, false, '+8613700000031', null)`,
      [shop.shop.shopId, messageId, id, tpl.json().templateId],
    );
    // An import refused two rows for their mistyped phone and email, and a stranger's row.
    const refused = multipart(
      { format: 'generic' },
      {
        name: 'refused.csv',
        content: [
          'order_id,ordered_at,status,total,phone,email',
          'ER-8,2025-07-01,paid,10.00,137 0000 0031 1,',
          'ER-9,2025-07-01,paid,10.00,139-0000-03,',
          'ER-10,2025-07-01,paid,10.00,,Zhou@Example.com;',
        ].join('\n'),
      },
    );
    const importId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/imports',
        payload: refused.payload,
        headers: { ...refused.headers, ...shop.auth },
      })
    ).json().importId as string;
    await t.imports.idle();
    const refusedCells = async () =>
      (
        parse((await call('GET', `/api/imports/${importId}/errors.csv`)).body, {
          columns: true,
          bom: true,
        }) as { row: string; column: string; value: string }[]
      )
        .filter((e) => e.column)
        .map((e) => [e.row, e.column, e.value]);
    expect(await refusedCells()).toEqual([
      ['2', 'phone', '137 0000 0031 1'],
      ['3', 'phone', '139-0000-03'],
      ['4', 'email', 'Zhou@Example.com;'],
    ]);
    const before = (await call('GET', `/api/customers/${id}`)).json();
    expect(before).toMatchObject({ orderCount: 2, spendCents: 17_900, pointsBalance: 179, erasedAt: null });

    // First they ask what the shop holds on them: one document, to hand over.
    const copy = await call('GET', `/api/customers/${id}/personal-data`);
    expect(copy.statusCode).toBe(200);
    expect(copy.headers['content-disposition']).toBe(`attachment; filename="customer-${id}.json"`);
    const held = copy.json();
    expect(held).toMatchObject({
      customer: { name: '周雨', birthday: '1988-02-02', address: '上海市静安区1号', memberCard: 'CARD-ER9' },
      consents: [{ channel: 'sms', status: 'opted_in', source: 'checkout' }],
      orders: [
        { externalId: 'ER-2', totalCents: 5_000 },
        { externalId: 'ER-1', memberCard: 'CARD-ER9', items: [{ title: '控油精华', quantity: 1 }] },
      ],
      pointsLedger: [
        { kind: 'earn', points: 50 },
        { kind: 'earn', points: 129 },
      ],
      couponCodes: [],
    });
    expect(held.identities.map((i: { value: string }) => i.value).sort()).toEqual([
      '+8613700000031',
      'CARD-ER9',
      'zhou@example.com',
    ]);
    expect(held.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['customer.created', 'order.placed', 'profile.updated', 'message.queued']),
    );

    // An operator may do neither; an admin or a key may, and an erasure must say why.
    const operator = `op-${shop.shop.shopId.slice(-6)}@example.com`;
    await createStaff(db(), shop.shop.shopId, {
      email: operator,
      name: 'op',
      password: shop.password,
      role: 'operator',
    });
    const cookies = (await signInAs(t.app, operator, shop.password))!;
    const asOperator = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${id}/erase`,
      payload: { reason: 'asked' },
      cookies,
    });
    expect(asOperator.statusCode).toBe(403);
    const copyAsOperator = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${id}/personal-data`,
      cookies,
    });
    expect(copyAsOperator.statusCode).toBe(403);
    expect((await call('GET', `/api/customers/${id}/personal-data`, undefined, a.auth)).statusCode).toBe(404);
    expect((await call('POST', `/api/customers/${id}/erase`, {})).json().details[0].field).toBe(
      'body.reason',
    );
    // Another shop cannot erase, or learn of, this customer.
    expect((await call('POST', `/api/customers/${id}/erase`, { reason: 'x' }, a.auth)).statusCode).toBe(404);

    const erased = await call('POST', `/api/customers/${id}/erase`, {
      reason: 'ticket 4711: asked by email',
    });
    expect(erased.statusCode).toBe(200);
    const after = erased.json();
    expect(after).toMatchObject({
      customerId: id,
      name: null,
      phone: null,
      email: null,
      memberCard: null,
      birthday: null,
      address: null,
      identities: [],
      orderCount: 2,
      spendCents: 17_900,
      pointsBalance: 0,
    });
    expect(after.erasedAt).not.toBeNull();
    // Nothing finds them any more; a new order with the same phone is a new profile.
    for (const q of ['13700000031', 'zhou@example.com', '周雨', 'CARD-ER9']) {
      expect((await call('GET', `/api/customers?q=${encodeURIComponent(q)}`)).json().items).toEqual([]);
    }
    // Their orders stay, without the card; their points were forfeited in the ledger.
    const orders = (await call('GET', `/api/customers/${id}/orders`)).json().items;
    expect(orders.map((o: { memberCard: string | null }) => o.memberCard)).toEqual([null, null]);
    const ledger = (await call('GET', `/api/customers/${id}/points/ledger`)).json().items;
    expect(ledger[0]).toMatchObject({ kind: 'adjust', points: -179, reason: 'personal data erased' });
    expect((await call('GET', `/api/customers/${id}/consents`)).json().items).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ status: 'opted_in' })]),
    );
    const timeline = (await call('GET', `/api/customers/${id}/timeline`)).json().items;
    const text = JSON.stringify(timeline);
    for (const personal of ['13700000031', 'zhou@example.com', '周雨', '上海市', '1988-02-02', 'CARD-ER9']) {
      expect(text).not.toContain(personal);
    }
    expect(timeline[0]).toMatchObject({
      type: 'customer.erased',
      source: 'staff',
      data: { reason: 'ticket 4711: asked by email', staffId: null },
    });
    const [message] = await db().query<{ status: string; recipient: string | null; reason: string }>(
      'select status, recipient, reason from messages where shop_id = $1 and message_id = $2',
      [shop.shop.shopId, messageId],
    );
    expect(message).toEqual({ status: 'suppressed', recipient: null, reason: 'personal data erased' });
    // The import's report keeps its rows, without the values that were theirs.
    expect(await refusedCells()).toEqual([
      ['2', 'phone', ''],
      ['3', 'phone', '139-0000-03'],
      ['4', 'email', ''],
    ]);

    // Erasing again changes nothing; nothing personal can be written back, by edit or merge.
    const again = await call('POST', `/api/customers/${id}/erase`, { reason: 'again' });
    expect(again.json().erasedAt).toBe(after.erasedAt);
    const rewrite = await call('PATCH', `/api/customers/${id}`, { name: '周雨' });
    expect(rewrite.statusCode).toBe(409);
    expect(rewrite.json().error).toBe('customer_erased');
    const fresh = (
      await call('POST', '/api/orders', order({ externalId: 'ER-3', customer: { phone: '13700000031' } }))
    ).json().customerId as string;
    expect(fresh).not.toBe(id);
    const merge = await call('POST', `/api/customers/${fresh}/merge`, { customerIds: [id], reason: 'same' });
    expect(merge.statusCode).toBe(409);
    expect(merge.json().details).toEqual([{ field: 'customerIds.0', message: 'erased' }]);
  });

  it('imports an uploaded file in the background and serves its error report as CSV', async () => {
    const file = await readFile(new URL('./fixtures/generic-orders.csv', import.meta.url));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/imports',
      ...(() => {
        const m = multipart({ format: 'generic' }, { name: 'orders.csv', content: file });
        return { payload: m.payload, headers: { ...m.headers, ...b.auth } };
      })(),
    });
    expect(res.statusCode).toBe(202);
    const { importId } = res.json();
    await t.imports.idle();
    const done = await t.app.inject({ method: 'GET', url: `/api/imports/${importId}`, headers: b.auth });
    expect(done.json()).toMatchObject({
      status: 'completed',
      ordersCreated: 4,
      errorRows: 4,
      fileName: 'orders.csv',
    });
    expect(done.json().filePath).toBeUndefined();
    // The upload is kept until its import ends, and no longer: it holds every buyer's details.
    const [{ path } = { path: '' }] = await db().query<{ path: string }>(
      'select file_path as path from imports where import_id = $1',
      [importId],
    );
    expect(path).toMatch(/regulars-uploads-/);
    expect(existsSync(path)).toBe(false);
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${importId}/errors.csv`,
      headers: b.auth,
    });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('row,column,reason,value');
    expect(csv.body).toContain('6,ordered_at,unparseable date,2025-13-01');
    const other = await t.app.inject({ method: 'GET', url: `/api/imports/${importId}`, headers: a.auth });
    expect(other.statusCode).toBe(404);
    const bad = multipart({ format: 'excel', mapping: '{not json' }, { name: 'x.csv', content: 'a,b\n' });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/imports',
      payload: bad.payload,
      headers: { ...bad.headers, ...b.auth },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('mapping is not valid JSON');
  });

  it('previews an upload as the import would read it, writing none of its rows', async () => {
    const shop = await testTenant(db());
    const file = await readFile(new URL('./fixtures/generic-orders.csv', import.meta.url));
    const preview = (
      fields: Record<string, string>,
      cookies?: Record<string, string>,
      content: Buffer | string = file,
    ) => {
      const m = multipart(fields, { name: 'orders.csv', content });
      return t.app.inject({
        method: 'POST',
        url: '/api/imports/preview',
        payload: m.payload,
        ...(cookies ? { headers: m.headers, cookies } : { headers: { ...m.headers, ...shop.auth } }),
      });
    };
    const res = await preview({ format: 'generic', limit: '3' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      format: 'generic',
      kind: 'orders',
      encoding: 'utf-8',
      unfit: null,
      complete: false,
    });
    expect(body.items.map((i: { rows: number[] }) => i.rows)).toEqual([[2], [3], [4, 5]]);
    expect(body.items[2].order).toMatchObject({
      externalId: 'G3',
      totalCents: 30000,
      orderedAt: '2025-02-11T01:00:00.000Z',
      person: {
        identities: [
          { kind: 'phone', value: '+8613812345678' },
          { kind: 'email', value: 'wang@example.com' },
        ],
      },
    });
    // The file is kept for the shop as previewed (next test), not as an upload waiting to import.
    expect(body.fileId).toEqual(expect.any(String));
    expect(readdirSync(t.uploadDir)).toEqual(['previewed']);
    const [{ orders } = { orders: -1 }] = await db().query<{ orders: number }>(
      'select count(*)::int as orders from orders where shop_id = $1',
      [shop.shop.shopId],
    );
    expect(orders).toBe(0);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/imports', headers: shop.auth })).json().items,
    ).toEqual([]);

    // A file the format cannot read at all is still described: its columns, and what is missing.
    const odd = await preview({ format: 'taobao' });
    expect(odd.statusCode).toBe(200);
    expect(odd.json().unfit).toMatch(
      /^Missing columns for the taobao format: 订单编号, 订单创建时间, 订单状态, 买家实际支付金额, 买家会员名\. The file's columns are: order_id, /,
    );

    const bad = await preview({ format: 'generic', limit: '500', head: 'yes' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      message: 'Invalid limit and head',
      details: [
        { field: 'limit', message: 'a whole number from 1 to 100' },
        { field: 'head', message: "'true' or 'false'" },
      ],
    });
    const badMapping = await preview({ format: 'generic', mapping: '{"till":"x"}' });
    expect(badMapping.statusCode).toBe(400);
    expect(badMapping.json().details[0].field).toBe('mapping.till');
    // Only those who may import may preview.
    const viewer = await signedInStaff(t, shop, 'viewer');
    expect((await preview({ format: 'generic' }, viewer)).statusCode).toBe(403);
    expect(readdirSync(t.uploadDir)).toEqual(['previewed']);
  });

  it('keeps a previewed file for its shop, to preview again and import without sending it again', async () => {
    const shop = await testTenant(db());
    const file = await readFile(new URL('./fixtures/generic-orders.csv', import.meta.url));
    const send = (url: string, fields: Record<string, string>, content?: Buffer, auth = shop.auth) => {
      const m = content ? multipart(fields, { name: 'orders.csv', content }) : multipart(fields, null);
      return t.app.inject({ method: 'POST', url, payload: m.payload, headers: { ...m.headers, ...auth } });
    };
    const first = await send('/api/imports/preview', { format: 'generic' }, file);
    expect(first.statusCode).toBe(200);
    const { fileId } = first.json();
    const kept = join(t.uploadDir, 'previewed', shop.shop.shopId);
    expect(readdirSync(kept).sort()).toEqual([`${fileId}.data`, `${fileId}.json`]);

    // Another format, then another mapping, of the same file, by its id alone.
    const taobao = await send('/api/imports/preview', { format: 'taobao', fileId });
    expect(taobao.statusCode).toBe(200);
    expect(taobao.json()).toMatchObject({ fileId, unfit: expect.stringMatching(/^Missing columns/) });
    const mapped = await send('/api/imports/preview', {
      format: 'generic',
      fileId,
      mapping: JSON.stringify({ ordered_at: 'paid_at' }),
    });
    expect(mapped.statusCode).toBe(200);
    expect(mapped.json().fields.find((f: { field: string }) => f.field === 'ordered_at').columns).toEqual([
      'paid_at',
    ]);

    // Another shop cannot reach it; a malformed id, or a file with an id, is refused by field.
    const elsewhere = await send('/api/imports/preview', { format: 'generic', fileId }, undefined, a.auth);
    expect(elsewhere.statusCode).toBe(410);
    expect(elsewhere.json()).toMatchObject({
      error: 'file_gone',
      message: `No previewed file ${fileId} is kept for this shop (a file is kept 60 minutes after its last preview): send the file again`,
    });
    expect((await send('/api/imports', { format: 'generic', fileId }, undefined, a.auth)).statusCode).toBe(
      410,
    );
    const malformed = await send('/api/imports/preview', { format: 'generic', fileId: '../../x' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details).toEqual([{ field: 'fileId', message: 'an id answered by a preview' }]);
    const both = await send('/api/imports/preview', { format: 'generic', fileId }, file);
    expect(both.statusCode).toBe(400);
    expect(both.json().details).toEqual([{ field: 'fileId', message: 'not with a file' }]);
    const refused = await send('/api/imports/preview', { format: 'generic', mapping: '{' }, file);
    expect(refused.statusCode).toBe(400);
    // Neither a refused file nor one sent with an id is kept: the caller has no id for them.
    expect(readdirSync(kept).sort()).toEqual([`${fileId}.data`, `${fileId}.json`]);
    expect(readdirSync(t.uploadDir)).toEqual(['previewed']);
    expect((await send('/api/imports/preview', { format: 'generic' })).json().details).toEqual([
      { field: 'file', message: 'required' },
    ]);

    // An import with a mistake leaves the file kept; the right one takes it, once.
    const wrong = await send('/api/imports', { format: 'excel', fileId });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().details[0].field).toBe('format');
    const started = await send('/api/imports', { format: 'generic', fileId });
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ fileName: 'orders.csv' });
    await t.imports.idle();
    const done = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${started.json().importId}`,
      headers: shop.auth,
    });
    expect(done.json()).toMatchObject({ status: 'completed', ordersCreated: 4, errorRows: 4 });
    expect(readdirSync(kept)).toEqual([]);
    expect((await send('/api/imports', { format: 'generic', fileId })).statusCode).toBe(410);

    // The head of a larger file previews but does not import.
    const head = await send(
      '/api/imports/preview',
      { format: 'generic', head: 'true' },
      file.subarray(0, 400),
    );
    const headId = head.json().fileId;
    expect((await send('/api/imports/preview', { format: 'generic', fileId: headId })).json()).toMatchObject({
      fileId: headId,
      complete: false,
    });
    const whole = await send('/api/imports', { format: 'generic', fileId: headId });
    expect(whole.statusCode).toBe(400);
    expect(whole.json()).toMatchObject({
      message: 'The previewed file was only the head of a larger file: send the whole file',
      details: [{ field: 'fileId', message: 'names the head of a file' }],
    });

    // An hour after its last use, a previewed file is swept.
    await sweepPreviewed(t.uploadDir, Date.now() + 59 * 60_000);
    expect(readdirSync(kept)).toHaveLength(2);
    await sweepPreviewed(t.uploadDir, Date.now() + 61 * 60_000);
    expect(readdirSync(kept)).toEqual([]);
    expect((await send('/api/imports/preview', { format: 'generic', fileId: headId })).statusCode).toBe(410);
  });

  it('stops a queued import, deleting its upload, for the shop that owns it only', async () => {
    const shop = await testTenant(db());
    const upload = join(t.uploadDir, 'waiting.csv');
    await writeFile(upload, 'order_id,ordered_at,status,total,phone\nW1,2026-01-01,paid,5,13900000002\n');
    // Registered but not handed to the queue: it waits, as behind another shop's long import.
    const { record } = await createImport(db(), shop.shop.shopId, { filePath: upload, format: 'generic' });
    const cancel = (auth: object) =>
      t.app.inject({ method: 'POST', url: `/api/imports/${record.importId}/cancel`, ...auth });
    expect((await cancel({ headers: a.auth })).statusCode).toBe(404);
    const viewer = await signedInStaff(t, shop, 'viewer');
    expect((await cancel({ cookies: viewer })).statusCode).toBe(403);
    const res = await cancel({ headers: shop.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'cancelled',
      rowsDone: 0,
      cancelRequestedAt: expect.any(String),
    });
    expect(res.json().filePath).toBeUndefined();
    expect(existsSync(upload)).toBe(false);
    const again = await cancel({ headers: shop.auth });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({
      error: 'import_ended',
      message: 'The import has already ended: cancelled',
    });
    // The queue reaching it later starts nothing.
    t.imports.enqueue(shop.shop.shopId, record.importId);
    await t.imports.idle();
    const seen = await t.app.inject({
      method: 'GET',
      url: `/api/imports/${record.importId}`,
      headers: shop.auth,
    });
    expect(seen.json()).toMatchObject({ status: 'cancelled', ordersCreated: 0, startedAt: null });
  });

  it('saves column mappings by name for files of the same kind, per shop', async () => {
    const shop = await testTenant(db());
    const as = (
      tenant: TestTenant,
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: object,
    ) => t.app.inject({ method, url, payload, headers: tenant.auth });
    const till = {
      name: 'Till export',
      format: 'generic',
      source: 'till',
      mapping: { order_id: 'Receipt', ordered_at: 'Date', total: 'Amount', phone: 'Mobile', status: '=paid' },
    };
    const created = await as(shop, 'POST', '/api/import-mappings', till);
    expect(created.statusCode).toBe(201);
    const { mappingId } = created.json();
    expect(created.json()).toMatchObject(till);
    // Checked as an import's options are, each problem named.
    const taken = await as(shop, 'POST', '/api/import-mappings', till);
    expect(taken.statusCode).toBe(400);
    expect(taken.json().details).toEqual([{ field: 'name', message: "'Till export' exists" }]);
    const badSource = await as(shop, 'POST', '/api/import-mappings', { ...till, name: 'x', source: 'Till!' });
    expect(badSource.json().details).toEqual([
      { field: 'source', message: 'lowercase letters, digits, - and _ (at most 32)' },
    ]);
    const rowId = await as(shop, 'POST', '/api/import-mappings', {
      ...till,
      name: 'y',
      mapping: { phone: '#row' },
    });
    expect(rowId.json().details).toEqual([
      { field: 'mapping.phone', message: "only an orders file's order_id can be the row's number ('#row')" },
    ]);
    const unknown = await as(shop, 'POST', '/api/import-mappings', {
      ...till,
      name: 'z',
      mapping: { till: 'A' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details[0].field).toMatch(/^body\.mapping/);
    const empty = await as(shop, 'POST', '/api/import-mappings', { ...till, name: 'e', mapping: {} });
    expect(empty.json().details).toEqual([{ field: 'mapping', message: 'empty' }]);

    const renamed = await as(shop, 'PUT', `/api/import-mappings/${mappingId}`, {
      ...till,
      name: 'Till, weekly',
    });
    expect(renamed.json()).toMatchObject({ mappingId, name: 'Till, weekly' });
    expect(
      (await as(shop, 'GET', '/api/import-mappings')).json().items.map((m: { name: string }) => m.name),
    ).toEqual(['Till, weekly']);
    // Another shop neither sees nor touches it.
    expect((await as(a, 'GET', '/api/import-mappings')).json().items).toEqual([]);
    expect((await as(a, 'PUT', `/api/import-mappings/${mappingId}`, till)).statusCode).toBe(404);
    expect((await as(a, 'DELETE', `/api/import-mappings/${mappingId}`)).statusCode).toBe(404);
    expect((await as(shop, 'DELETE', `/api/import-mappings/${mappingId}`)).statusCode).toBe(204);
    expect((await as(shop, 'GET', '/api/import-mappings')).json().items).toEqual([]);
  });

  it('describes itself in OpenAPI 3.1', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/orders',
        '/api/orders/{orderId}/refund',
        '/api/catalog',
        '/api/customers',
        '/api/customers/{customerId}',
        '/api/imports',
        '/api/imports/preview',
        '/api/imports/{importId}/cancel',
        '/api/import-mappings/{mappingId}',
        '/api/membership/program',
        '/api/membership/tiers',
        '/api/jobs/{jobId}',
        '/api/customers/{customerId}/tier',
        '/api/customers/{customerId}/points',
        '/api/customers/{customerId}/points/ledger',
        '/api/customers/{customerId}/points/redemptions',
        '/api/customers/{customerId}/points/adjustments',
        '/api/member-cards/bindings',
        '/api/member-cards/bindings/{bindingId}/confirm',
        '/api/member-cards/{memberCard}/unbind',
        '/api/tags',
        '/api/segments/count',
        '/api/segments/{segmentId}/snapshots',
        '/api/flows',
        '/api/flows/{flowId}/report',
        '/api/shop',
        '/api/shop/exports',
        '/api/shop/exports/{jobId}/archive',
        '/api/customers/{customerId}/service-cases',
        '/api/service-cases',
        '/api/service-cases/{caseId}',
      ]),
    );
    expect(Object.keys(doc.paths['/api/service-cases/{caseId}'])).toEqual(['get', 'patch']);
    expect(Object.keys(doc.paths['/api/shop'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(Object.keys(doc.paths['/api/customers'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/shop'].delete.requestBody.content['application/json'].schema.required).toEqual([
      'confirm',
    ]);
    // The recursive rule tree is one component that refers to itself, and every reference resolves.
    const rule =
      doc.paths['/api/segments/count'].post.requestBody.content['application/json'].schema.properties.rule;
    const name = rule.$ref.replace('#/components/schemas/', '');
    expect(JSON.stringify(doc.components.schemas[name])).toContain(rule.$ref);
    for (const ref of JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? []) {
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    // The program's schema is documented in full, tiers and points rules alike.
    const program = doc.paths['/api/membership/program'].put.requestBody.content['application/json'].schema;
    expect(program.required).toEqual(expect.arrayContaining(['tiers']));
    expect(Object.keys(program.properties)).toEqual(['tiers', 'window', 'match', 'review', 'points']);
    expect(
      doc.paths['/api/customers/{customerId}/points/redemptions'].post.requestBody.content['application/json']
        .schema.required,
    ).toEqual(expect.arrayContaining(['points', 'purpose', 'idempotencyKey']));
    expect(doc.paths['/api/orders'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['externalId', 'status', 'totalCents', 'orderedAt', 'customer']),
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/' })).statusCode).toBe(200);
  });
});
