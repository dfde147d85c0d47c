// Notes staff keep on a customer, through the API: who wrote them and when, on the profile's timeline,
// corrected or removed only by their author or an admin, kept to their shop, and treated as the person's
// own data — copied with it, moved by a merge, gone with an erasure.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaff } from '../src/shops/staff.js';
import { describeEachDb } from './support/databases.js';
import {
  signedInStaff,
  signInAs,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';

describeEachDb('customer notes', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let admin: Record<string, string>;
  let colleague: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
    operator = await signedInStaff(t, a, 'operator');
    viewer = await signedInStaff(t, a, 'viewer');
    admin = await signedInStaff(t, a, 'admin');
    const email = `colleague-${a.shop.shopId.slice(-8)}@example.com`;
    await createStaff(db(), a.shop.shopId, {
      email,
      name: 'The colleague',
      password: a.password,
      role: 'operator',
    });
    colleague = (await signInAs(t.app, email, a.password))!;
  });
  afterAll(() => t.app.close());

  type Who = { headers: Record<string, string> } | { cookies: Record<string, string> };
  const call = (who: Who, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, payload, ...who });
  const person = async (phone: string, email?: string) =>
    (
      await call({ headers: a.auth }, 'POST', '/api/customers', {
        phone,
        ...(email && { email }),
      })
    ).json<{ customerId: string }>().customerId;
  const notes = async (customerId: string, who: Who = { headers: a.auth }) =>
    (await call(who, 'GET', `/api/customers/${customerId}/notes`)).json<{
      items: { noteId: string; body: string; author: string; staffId: string | null }[];
    }>().items;

  it('keeps what staff and integrations write, newest first, on the timeline too', async () => {
    const id = await person('13700001111');
    const first = await call({ cookies: operator }, 'POST', `/api/customers/${id}/notes`, {
      body: '  Allergic to fragrance: offer the unscented line.  ',
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      customerId: id,
      body: 'Allergic to fragrance: offer the unscented line.',
      author: 'The operator',
      staffId: expect.any(String),
    });
    const byKey = await call({ headers: a.auth }, 'POST', `/api/customers/${id}/notes`, {
      body: 'Called the service line about a late parcel.',
    });
    expect(byKey.json()).toMatchObject({ author: 'API key "tests"', staffId: null });
    // A viewer reads them.
    expect((await notes(id, { cookies: viewer })).map((n) => n.author)).toEqual([
      'API key "tests"',
      'The operator',
    ]);
    const timeline = (await call({ headers: a.auth }, 'GET', `/api/customers/${id}/timeline`)).json()
      .items as { type: string; source: string; data: { body?: string } }[];
    expect(timeline.filter((e) => e.type === 'note.added').map((e) => [e.source, e.data.body])).toEqual([
      ['api', 'Called the service line about a late parcel.'],
      ['console', 'Allergic to fragrance: offer the unscented line.'],
    ]);
    // The customer search finds them by what was noted, whatever the letters' case; not in another shop.
    const search = async (q: string, tenant: TestTenant = a) =>
      (await call({ headers: tenant.auth }, 'GET', `/api/customers?q=${encodeURIComponent(q)}`))
        .json<{ items: { customerId: string }[] }>()
        .items.map((c) => c.customerId);
    expect(await search('UNSCENTED')).toEqual([id]);
    expect(await search('late parcel')).toEqual([id]);
    expect(await search('unscented', b)).toEqual([]);
    expect(await search('e%')).not.toContain(id);
    // Both are in the activity record, the newest first.
    const owner = (await signInAs(t.app, a.email, a.password))!;
    const entries = (await call({ cookies: owner }, 'GET', '/api/activity')).json().items as {
      actor: string;
      route: string;
      params: { noteId?: string };
    }[];
    expect(
      entries
        .filter((e) => e.route === '/api/customers/:customerId/notes')
        .map((e) => [e.actor.split(' <')[0], e.params.noteId]),
    ).toEqual([
      ['API key "tests"', byKey.json().noteId],
      ['The operator', first.json().noteId],
    ]);
  });

  it('refuses an empty or overlong note by field, a viewer, and another shop', async () => {
    const id = await person('13700002222');
    for (const [body, message] of [
      ['   ', 'write something'],
      ['x'.repeat(4001), 'at most 4,000 characters'],
    ]) {
      const refused = await call({ cookies: operator }, 'POST', `/api/customers/${id}/notes`, { body });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().details).toEqual([{ field: 'body.body', message }]);
    }
    const extra = await call({ cookies: operator }, 'POST', `/api/customers/${id}/notes`, {
      body: 'Hi',
      pinned: true,
    });
    expect(extra.statusCode).toBe(400);
    expect(
      (await call({ cookies: viewer }, 'POST', `/api/customers/${id}/notes`, { body: 'Hi' })).statusCode,
    ).toBe(403);
    await call({ headers: a.auth }, 'POST', `/api/customers/${id}/notes`, { body: 'Shop A only' });
    const other = { headers: b.auth };
    expect((await call(other, 'GET', `/api/customers/${id}/notes`)).statusCode).toBe(404);
    expect((await call(other, 'POST', `/api/customers/${id}/notes`, { body: 'Hi' })).statusCode).toBe(404);
    const [note] = await notes(id);
    expect((await call(other, 'DELETE', `/api/customers/${id}/notes/${note!.noteId}`)).statusCode).toBe(404);
    expect((await notes(id)).length).toBe(1);
  });

  it('is removed by its author or an admin, not by a colleague', async () => {
    const id = await person('13700003333');
    const write = async (who: Who, body: string) =>
      (await call(who, 'POST', `/api/customers/${id}/notes`, { body })).json<{ noteId: string }>().noteId;
    const mine = await write({ cookies: operator }, 'Mine');
    const theirs = await write({ cookies: colleague }, 'Theirs');
    const remove = (who: Who, noteId: string) => call(who, 'DELETE', `/api/customers/${id}/notes/${noteId}`);

    const refused = await remove({ cookies: operator }, theirs);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe(
      'The colleague wrote this note: only they, an admin or the owner can remove it',
    );
    expect((await remove({ headers: a.auth }, mine)).statusCode).toBe(403);
    expect((await remove({ cookies: operator }, mine)).statusCode).toBe(204);
    expect((await remove({ cookies: operator }, mine)).statusCode).toBe(404);
    expect((await remove({ cookies: operator }, 'not-a-note')).statusCode).toBe(404);
    expect((await remove({ cookies: admin }, theirs)).statusCode).toBe(204);
    expect(await notes(id)).toEqual([]);
  });

  it('is corrected by its author or an admin, keeping who wrote it and saying when', async () => {
    const id = await person('13700006666');
    const write = async (who: Who, body: string) =>
      (await call(who, 'POST', `/api/customers/${id}/notes`, { body })).json<{ noteId: string }>().noteId;
    const mine = await write({ cookies: operator }, 'Prefers a call after 6pm');
    const theirs = await write({ cookies: colleague }, 'Theirs');
    const byKey = await write({ headers: a.auth }, 'From the till');
    const edit = (who: Who, noteId: string, body: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/customers/${id}/notes/${noteId}`,
        payload: { body },
        ...who,
      });

    const edited = await edit({ cookies: operator }, mine, 'Prefers a call after 7pm');
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({
      noteId: mine,
      body: 'Prefers a call after 7pm',
      author: 'The operator',
      editedAt: expect.any(String),
    });
    // The same words again change nothing, not even when.
    expect((await edit({ cookies: operator }, mine, 'Prefers a call after 7pm')).json().editedAt).toBe(
      edited.json().editedAt,
    );
    const refused = await edit({ cookies: operator }, theirs, 'Mine now');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe(
      'The colleague wrote this note: only they, an admin or the owner can edit it',
    );
    expect((await edit({ headers: a.auth }, mine, 'x')).statusCode).toBe(403);
    expect((await edit({ headers: a.auth }, byKey, 'From the till, table 4')).statusCode).toBe(200);
    expect((await edit({ cookies: admin }, theirs, 'Theirs, tidied')).statusCode).toBe(200);
    expect((await edit({ cookies: viewer }, mine, 'x')).statusCode).toBe(403);
    const empty = await edit({ cookies: operator }, mine, '  ');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().details).toEqual([{ field: 'body.body', message: 'write something' }]);
    expect((await edit({ headers: b.auth }, mine, 'Other shop')).statusCode).toBe(404);
    expect((await edit({ cookies: operator }, 'not-a-note', 'x')).statusCode).toBe(404);

    expect((await notes(id)).map((n) => n.body).sort()).toEqual([
      'From the till, table 4',
      'Prefers a call after 7pm',
      'Theirs, tidied',
    ]);
    const timeline = (await call({ headers: a.auth }, 'GET', `/api/customers/${id}/timeline`)).json()
      .items as { type: string; data: { noteId?: string; body?: string; editedAt?: string | null } }[];
    expect(timeline.find((e) => e.data.noteId === mine)?.data).toMatchObject({
      body: 'Prefers a call after 7pm',
      editedAt: expect.any(String),
    });
  });

  it('moves with a merge, comes with a copy of the person’s data, and goes with an erasure', async () => {
    const kept = await person('13700004444');
    const duplicate = await person('13700005555', 'same.person@example.com');
    await call({ cookies: operator }, 'POST', `/api/customers/${kept}/notes`, { body: 'Prefers a call' });
    await call({ cookies: operator }, 'POST', `/api/customers/${duplicate}/notes`, { body: 'VIP at SH-01' });
    const merged = await call({ cookies: operator }, 'POST', `/api/customers/${kept}/merge`, {
      customerIds: [duplicate],
      reason: 'the same person',
    });
    expect(merged.statusCode).toBe(200);
    expect((await notes(kept)).map((n) => n.body).sort()).toEqual(['Prefers a call', 'VIP at SH-01']);
    // The merged id still answers, with the survivor's notes.
    expect((await notes(duplicate)).length).toBe(2);

    const copy = await call({ cookies: admin }, 'GET', `/api/customers/${kept}/personal-data`);
    expect(
      copy
        .json()
        .notes.map((n: { body: string }) => n.body)
        .sort(),
    ).toEqual(['Prefers a call', 'VIP at SH-01']);

    const erased = await call({ cookies: admin }, 'POST', `/api/customers/${kept}/erase`, {
      reason: 'asked by email',
    });
    expect(erased.statusCode).toBe(200);
    expect(await notes(kept)).toEqual([]);
    const after = await call({ cookies: operator }, 'POST', `/api/customers/${kept}/notes`, { body: 'Hi' });
    expect(after.statusCode).toBe(409);
    expect(after.json()).toMatchObject({ error: 'customer_erased', details: [{ field: 'body' }] });
  });
});
