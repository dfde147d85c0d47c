// A customer's service history through the API: cases staff open on a profile (about one of its orders),
// tickets a help desk sends (found by identity, updated when sent again), resolving and reopening, the
// queue, the timeline, input refused field by field, shops kept apart; cases as segment conditions, rule
// tags and a flow's trigger; marketing held back during an open complaint; and cases as the person's own
// data (merged, copied, erased).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFlows } from '../src/engage/flows/engine.js';
import { createStaff, removeStaff } from '../src/shops/staff.js';
import { describeEachDb } from './support/databases.js';
import {
  multipart,
  settleJobs,
  signedInStaff,
  testApp,
  testTenant,
  type TestApp,
  type TestTenant,
} from './support/app.js';
import { startSmtpSink } from './support/sinks.js';

interface Case {
  caseId: string;
  customerId: string;
  kind: string;
  status: string;
  subject: string;
  orderId: string | null;
  orderExternalId: string | null;
  rating: number | null;
  source: string;
  externalId: string | null;
  openedAt: string;
  openedBy: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  updatedAt: string;
}

describeEachDb('service cases', ({ db }) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let admin: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(db());
    a = await testTenant(db());
    b = await testTenant(db());
    operator = await signedInStaff(t, a, 'operator');
    viewer = await signedInStaff(t, a, 'viewer');
    admin = await signedInStaff(t, a, 'admin');
  });
  afterAll(() => t.app.close());

  type Who = { headers: Record<string, string> } | { cookies: Record<string, string> };
  const key = (tenant: TestTenant = a): Who => ({ headers: tenant.auth });
  const call = (who: Who, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    t.app.inject({ method, url, payload, ...who });
  const ok = async (who: Who, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) => {
    const r = await call(who, method, url, payload);
    expect([200, 201], `${method} ${url}: ${r.body}`).toContain(r.statusCode);
    return r.json();
  };
  /** A buyer of one order per number given, by phone; answers their id and their orders' ids. */
  const buyer = async (phone: string, numbers: string[], tenant: TestTenant = a) => {
    const orderIds: Record<string, string> = {};
    let customerId = '';
    for (const externalId of numbers) {
      const r = await ok(key(tenant), 'POST', '/api/orders', {
        externalId,
        status: 'paid',
        totalCents: 9900,
        orderedAt: new Date(Date.now() - 86_400_000).toISOString(),
        channel: 'online',
        items: [{ title: '精华液', sku: 'SE-1', category: 'skincare', quantity: 1, unitPriceCents: 9900 }],
        customer: { phone },
      });
      customerId = r.customerId;
      orderIds[externalId] = r.orderId;
    }
    return { customerId, orderIds };
  };
  const cases = async (customerId: string, who: Who = key()) =>
    (await ok(who, 'GET', `/api/customers/${customerId}/service-cases`)).items as Case[];
  const timeline = async (customerId: string, tenant: TestTenant = a) =>
    (await ok(key(tenant), 'GET', `/api/customers/${customerId}/timeline`)).items as {
      type: string;
      source: string;
      data: Record<string, unknown>;
    }[];

  it('opens cases on a profile about its orders, newest first, on the timeline and in the queue', async () => {
    const { customerId, orderIds } = await buyer('13800001001', ['S-1001', 'S-1002']);
    const complaint = await call(
      { cookies: operator },
      'POST',
      `/api/customers/${customerId}/service-cases`,
      {
        kind: 'complaint',
        channel: 'phone',
        subject: '  The cream arrived broken ',
        body: 'Jar cracked in transit; wants a replacement.',
        orderExternalId: 'S-1002',
      },
    );
    expect(complaint.statusCode).toBe(201);
    expect(complaint.json()).toMatchObject({
      customerId,
      kind: 'complaint',
      status: 'open',
      subject: 'The cream arrived broken',
      orderId: orderIds['S-1002'],
      orderExternalId: 'S-1002',
      source: 'console',
      openedBy: 'The operator',
      resolvedAt: null,
    });
    const review = await ok(key(), 'POST', `/api/customers/${customerId}/service-cases`, {
      kind: 'review',
      channel: 'platform',
      subject: 'Two stars: slow delivery',
      rating: 2,
      orderId: orderIds['S-1001'],
    });
    expect(review).toMatchObject({
      rating: 2,
      source: 'api',
      openedBy: 'API key "tests"',
      orderExternalId: 'S-1001',
    });

    // A viewer reads them, newest first.
    expect((await cases(customerId, { cookies: viewer })).map((k) => k.kind)).toEqual([
      'review',
      'complaint',
    ]);
    const opened = (await timeline(customerId)).filter((e) => e.type === 'service.opened');
    expect(opened.map((e) => [e.source, e.data.kind, e.data.subject, e.data.by])).toEqual([
      ['api', 'review', 'Two stars: slow delivery', 'API key "tests"'],
      ['console', 'complaint', 'The cream arrived broken', 'The operator'],
    ]);

    // The queue: open cases, the longest waiting first, with the customer; by kind.
    const queue = await ok(key(), 'GET', '/api/service-cases?status=open');
    const mine = (queue.items as Case[]).filter((k) => k.customerId === customerId);
    expect(mine.map((k) => k.kind)).toEqual(['complaint', 'review']);
    expect(queue.items[0]).toHaveProperty('customerName');
    const reviews = await ok(key(), 'GET', '/api/service-cases?kind=review');
    expect((reviews.items as Case[]).every((k) => k.kind === 'review')).toBe(true);
    expect(reviews.total).toBe(reviews.items.length);
    expect((await ok(key(), 'GET', `/api/service-cases/${review.caseId}`)).subject).toBe(
      'Two stars: slow delivery',
    );
  });

  it("corrects what a case is: its kind, a review's stars, the order it is about", async () => {
    const { customerId, orderIds } = await buyer('13800001013', ['S-2001', 'S-2002']);
    const other = await buyer('13800001014', ['S-2003']);
    const k = await ok({ cookies: operator }, 'POST', `/api/customers/${customerId}/service-cases`, {
      kind: 'review',
      rating: 2,
      subject: 'Wrong shade, and nobody answers',
      orderExternalId: 'S-2001',
    });
    const patch = (payload: object) =>
      call({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, payload);
    const refusal = async (payload: object) => {
      const r = await patch(payload);
      expect(r.statusCode, r.body).toBe(400);
      return r.json().details;
    };
    // A complaint filed as a review: its stars must go with the kind.
    expect(await refusal({ kind: 'complaint' })).toEqual([
      { field: 'rating', message: 'only a review has stars: send rating null to make it a complaint' },
    ]);
    const complaint = (await patch({ kind: 'complaint', rating: null, orderExternalId: 'S-2002' })).json();
    expect(complaint).toMatchObject({
      kind: 'complaint',
      rating: null,
      orderId: orderIds['S-2002'],
      orderExternalId: 'S-2002',
      status: 'open',
    });
    const complaints = await ok(key(), 'GET', '/api/service-cases?status=open&kind=complaint&limit=200');
    expect((complaints.items as Case[]).map((c) => c.caseId)).toContain(k.caseId);
    expect(await refusal({ rating: 4 })).toEqual([{ field: 'rating', message: 'only a review has stars' }]);
    expect(await refusal({ orderExternalId: 'S-2003' })).toEqual([
      { field: 'orderExternalId', message: 'not an order of this customer' },
    ]);
    expect(await refusal({ orderId: other.orderIds['S-2003'] })).toEqual([
      { field: 'orderId', message: 'not an order of this customer' },
    ]);
    expect(await refusal({ orderId: null, orderExternalId: 'S-2001' })).toEqual([
      { field: 'orderExternalId', message: 'give orderId or orderExternalId, not both' },
    ]);
    // The same kind again changes nothing; about no order, then a review again with its stars.
    expect((await patch({ kind: 'complaint' })).json()).toEqual(complaint);
    expect((await patch({ orderId: null })).json()).toMatchObject({ orderId: null, orderExternalId: null });
    expect((await patch({ kind: 'review', rating: 3 })).json()).toMatchObject({ kind: 'review', rating: 3 });
  });

  it('gives cases to staff, lists each their own, finds cases by their words', async () => {
    const { customerId } = await buyer('13800001023', ['S-3001']);
    const staff = (await ok(key(), 'GET', '/api/staff')).items as { staffId: string; role: string }[];
    const idOf = (role: string) => staff.find((s) => s.role === role)!.staffId;
    const open = (subject: string, body?: string) =>
      ok({ cookies: operator }, 'POST', `/api/customers/${customerId}/service-cases`, {
        kind: 'inquiry',
        subject,
        ...(body ? { body } : {}),
      }) as Promise<Case & { assignedTo: string | null }>;
    const refill = await open('Is there a refill pack?', 'She keeps the glass jar.');
    const natural = await open('Is it 100% natural?');
    expect(refill).toMatchObject({ assignedTo: null, assigneeName: null });
    const given = await ok({ cookies: admin }, 'PATCH', `/api/service-cases/${refill.caseId}`, {
      assignedTo: idOf('operator'),
    });
    expect(given).toMatchObject({
      assignedTo: idOf('operator'),
      assigneeName: 'The operator',
      status: 'open',
    });
    const ids = async (who: Who, query: string) =>
      ((await ok(who, 'GET', `/api/service-cases?limit=200&${query}`)).items as Case[]).map((k) => k.caseId);
    expect(await ids({ cookies: operator }, 'assignee=me')).toEqual([refill.caseId]);
    expect(await ids(key(), `assignee=${idOf('operator')}`)).toEqual([refill.caseId]);
    expect(await ids({ cookies: admin }, 'assignee=me')).toEqual([]);
    const unassigned = await ids(key(), 'assignee=none');
    expect(unassigned).toContain(natural.caseId);
    expect(unassigned).not.toContain(refill.caseId);
    const me = await call(key(), 'GET', '/api/service-cases?assignee=me');
    expect(me.statusCode).toBe(400);
    expect(me.json().details).toEqual([
      { field: 'assignee', message: "'me' is a signed-in staff member: give a staff id" },
    ]);
    // Words in the subject or details, whatever their case; % is a character, not a wildcard.
    expect(await ids(key(), 'q=GLASS%20JAR')).toEqual([refill.caseId]);
    expect(await ids(key(), `q=${encodeURIComponent('100%')}`)).toEqual([natural.caseId]);
    expect(await ids(key(), `q=${encodeURIComponent('1%0')}`)).toEqual([]);
    const refusals: [object, string][] = [
      [{ assignedTo: idOf('viewer') }, 'a viewer only looks: give the case to someone who acts'],
      [{ assignedTo: '01900000-0000-7000-8000-000000000000' }, 'not a staff member of this shop'],
    ];
    for (const [payload, message] of refusals) {
      const r = await call({ cookies: admin }, 'PATCH', `/api/service-cases/${natural.caseId}`, payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().details).toEqual([{ field: 'assignedTo', message }]);
    }
    // Given back to nobody; a staff member who leaves leaves their cases to nobody, not gone.
    const leaving = await createStaff(db(), a.shop.shopId, {
      email: `leaving-${a.shop.shopId.slice(-8)}@example.com`,
      name: 'Temp',
      password: a.password,
      role: 'operator',
    });
    expect(
      await ok({ cookies: admin }, 'PATCH', `/api/service-cases/${natural.caseId}`, {
        assignedTo: leaving.staffId,
      }),
    ).toMatchObject({ assigneeName: 'Temp' });
    expect(
      await ok({ cookies: admin }, 'PATCH', `/api/service-cases/${refill.caseId}`, { assignedTo: null }),
    ).toMatchObject({ assignedTo: null, assigneeName: null });
    await removeStaff(db(), a.shop.shopId, leaving.staffId);
    expect(await ok(key(), 'GET', `/api/service-cases/${natural.caseId}`)).toMatchObject({
      assignedTo: null,
      subject: 'Is it 100% natural?',
    });
  });

  it("gives each new open case to whoever of its kind's rota has the least open work", async () => {
    const tenant = await testTenant(db());
    const { customerId } = await buyer('13800001043', ['S-4501'], tenant);
    const member = (name: string, role: 'operator' | 'viewer' = 'operator') =>
      createStaff(db(), tenant.shop.shopId, {
        email: `${name.toLowerCase()}-${tenant.shop.shopId.slice(-8)}@example.com`,
        name,
        password: tenant.password,
        role,
      });
    const lin = await member('Lin');
    const zhou = await member('Zhou');
    const onlooker = await member('Onlooker', 'viewer');
    const rota = async () => ok(key(tenant), 'GET', '/api/service-rota');
    expect(await rota()).toEqual({
      inquiry: [],
      after_sale: [],
      complaint: [],
      dispute: [],
      review: [],
      priority: [],
    });
    expect(
      await ok(key(tenant), 'PUT', '/api/service-rota', { complaint: [zhou.staffId, lin.staffId] }),
    ).toMatchObject({ complaint: [lin.staffId, zhou.staffId], inquiry: [] });
    const open = async (kind: string, subject: string) =>
      (
        (await ok(key(tenant), 'POST', `/api/customers/${customerId}/service-cases`, {
          kind,
          subject,
        })) as Case & { assigneeName: string | null }
      ).assigneeName;
    // At equal load the one who joined first; then whoever has fewer open: in turn, while all stay open.
    expect([
      await open('complaint', 'Broken pump'),
      await open('complaint', 'Late parcel'),
      await open('complaint', 'Wrong shade'),
    ]).toEqual(['Lin', 'Zhou', 'Lin']);
    // Zhou resolves theirs and Lin still has two: the next two go to Zhou, then to Lin again.
    const zhous = (
      (await ok(key(tenant), 'GET', `/api/service-cases?assignee=${zhou.staffId}`)).items as Case[]
    )[0]!;
    await ok(key(tenant), 'PATCH', `/api/service-cases/${zhous.caseId}`, { status: 'resolved' });
    expect([await open('complaint', 'Leaking cap'), await open('complaint', 'Missing gift')]).toEqual([
      'Zhou',
      'Zhou',
    ]);
    expect(await open('complaint', 'Scratched box')).toBe('Lin');
    // A kind naming nobody leaves its cases to nobody; a case that comes in resolved goes to nobody.
    expect(await open('inquiry', 'Opening hours?')).toBeNull();
    const ticket = await ok(key(tenant), 'POST', '/api/service-cases', {
      source: 'zendesk',
      externalId: 'Z-1',
      kind: 'complaint',
      subject: 'Settled on the phone',
      status: 'resolved',
      resolution: 'Refunded the shipping',
      customer: { phone: '13800001043' },
    });
    expect(ticket).toMatchObject({ status: 'resolved', assignedTo: null });
    // Viewers, strangers and a name twice are refused by place; a viewer made one later is passed over.
    const refused = await call(key(tenant), 'PUT', '/api/service-rota', {
      inquiry: [lin.staffId, onlooker.staffId, lin.staffId, '01900000-0000-7000-8000-000000000000'],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details).toEqual([
      { field: 'inquiry.1', message: 'a viewer only looks: name someone who acts' },
      { field: 'inquiry.2', message: 'named twice' },
      { field: 'inquiry.3', message: 'not a staff member of this shop' },
    ]);
    await db().query(`update staff set role = 'viewer' where shop_id = $1 and staff_id = $2`, [
      tenant.shop.shopId,
      lin.staffId,
    ]);
    expect((await rota()).complaint).toEqual([zhou.staffId]);
    expect(await open('complaint', 'Torn label')).toBe('Zhou');
    // Only admins set it; another shop's rota is its own, and names none of this shop's staff.
    expect((await call({ cookies: operator }, 'PUT', '/api/service-rota', { review: [] })).statusCode).toBe(
      403,
    );
    expect((await ok(key(b), 'GET', '/api/service-rota')).complaint).toEqual([]);
    const foreign = await call(key(b), 'PUT', '/api/service-rota', { complaint: [zhou.staffId] });
    expect(foreign.json().details).toEqual([
      { field: 'complaint.0', message: 'not a staff member of this shop' },
    ]);
    // A staff member removed leaves the rota.
    await removeStaff(db(), tenant.shop.shopId, zhou.staffId);
    expect((await rota()).complaint).toEqual([]);
  });

  it("puts priority members' cases first and gives them to the priority line, by today's tier", async () => {
    // The default program gives Supreme VIP (¥5,000) the priority service channel.
    const tenant = await testTenant(db());
    const regular = await buyer('13800001061', ['P-1'], tenant);
    const vip = await ok(key(tenant), 'POST', '/api/orders', {
      externalId: 'P-2',
      status: 'paid',
      totalCents: 600_000,
      orderedAt: new Date(Date.now() - 86_400_000).toISOString(),
      customer: { phone: '13800001062', name: 'Qian' },
    });
    const member = (name: string) =>
      createStaff(db(), tenant.shop.shopId, {
        email: `${name.toLowerCase()}-${tenant.shop.shopId.slice(-8)}@example.com`,
        name,
        password: tenant.password,
        role: 'operator',
      });
    const lin = await member('Lin');
    const wang = await member('Wang');
    expect(
      await ok(key(tenant), 'PUT', '/api/service-rota', {
        complaint: [lin.staffId],
        priority: [wang.staffId],
      }),
    ).toMatchObject({ complaint: [lin.staffId], priority: [wang.staffId], inquiry: [] });
    const open = async (customerId: string, kind: string, subject: string) =>
      (await ok(key(tenant), 'POST', `/api/customers/${customerId}/service-cases`, {
        kind,
        subject,
      })) as Case & { assigneeName: string | null; priority: boolean };
    const first = await open(regular.customerId, 'complaint', 'Late parcel');
    expect(first).toMatchObject({ assigneeName: 'Lin', priority: false });
    // The priority member's cases go to the priority line, whatever their kind.
    expect(await open(vip.customerId, 'complaint', 'Broken pump')).toMatchObject({
      assigneeName: 'Wang',
      priority: true,
    });
    expect(await open(vip.customerId, 'inquiry', 'Which serum?')).toMatchObject({
      assigneeName: 'Wang',
      priority: true,
    });
    // An empty priority line leaves them to their kind's staff.
    await ok(key(tenant), 'PUT', '/api/service-rota', { priority: [] });
    expect((await open(vip.customerId, 'complaint', 'Missing gift')).assigneeName).toBe('Lin');

    // The queue puts the priority member's open cases first, the longest waiting first among each.
    const queue = async (query = '') =>
      (
        (await ok(key(tenant), 'GET', `/api/service-cases?status=open${query}`)).items as (Case & {
          priority: boolean;
        })[]
      ).map((k) => `${k.subject}${k.priority ? ' (priority)' : ''}`);
    expect(await queue()).toEqual([
      'Broken pump (priority)',
      'Which serum? (priority)',
      'Missing gift (priority)',
      'Late parcel',
    ]);
    expect(await queue('&priority=true')).toHaveLength(3);
    expect((await call(key(tenant), 'GET', '/api/service-cases?priority=yes')).statusCode).toBe(400);
    // Read with today's tier: set down by hand, the member's cases wait with everyone else's.
    await ok(key(tenant), 'POST', `/api/customers/${vip.customerId}/tier`, { rank: 2, reason: 'Test' });
    expect(await queue()).toEqual(['Late parcel', 'Broken pump', 'Which serum?', 'Missing gift']);
    expect(await queue('&priority=true')).toEqual([]);
    // Another shop's key finds none of it.
    expect((await call(key(b), 'GET', `/api/service-cases/${first.caseId}`)).statusCode).toBe(404);
  });

  it("sets a target for each kind; a case is due by its kind's target, overdue past it while open", async () => {
    const tenant = await testTenant(db());
    const { customerId } = await buyer('13800001033', ['S-4001'], tenant);
    const targets = async () => ok(key(tenant), 'GET', '/api/service-targets');
    expect(await targets()).toEqual({
      inquiry: null,
      after_sale: null,
      complaint: null,
      dispute: null,
      review: null,
    });
    expect(
      await ok(key(tenant), 'PUT', '/api/service-targets', { complaint: 24, inquiry: 48 }),
    ).toMatchObject({ complaint: 24, inquiry: 48, review: null });
    for (const [payload, field] of [
      [{ complaint: 0 }, 'body.complaint'],
      [{ complaint: 9000 }, 'body.complaint'],
      [{ praise: 3 }, 'body'],
    ] as const) {
      const r = await call(key(tenant), 'PUT', '/api/service-targets', payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await call({ cookies: viewer }, 'PUT', '/api/service-targets', { review: 1 })).statusCode).toBe(
      403,
    );
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const open = (kind: string, openedAt: string) =>
      ok(key(tenant), 'POST', `/api/customers/${customerId}/service-cases`, {
        kind,
        subject: `A ${kind}`,
        openedAt,
      }) as Promise<Case & { dueAt: string | null }>;
    const complaint = await open('complaint', hoursAgo(30));
    const inquiry = await open('inquiry', hoursAgo(30));
    const review = await open('review', hoursAgo(300));
    expect(Date.parse(complaint.dueAt!) - Date.parse(complaint.openedAt)).toBe(24 * 3_600_000);
    expect(Date.parse(inquiry.dueAt!) - Date.parse(inquiry.openedAt)).toBe(48 * 3_600_000);
    expect(review.dueAt).toBeNull();
    const overdue = async () =>
      ((await ok(key(tenant), 'GET', '/api/service-cases?overdue=true')).items as Case[]).map(
        (k) => k.subject,
      );
    expect(await overdue()).toEqual(['A complaint']);
    // Overdue cases come the longest waiting first, as open ones do.
    const older = await ok(key(tenant), 'POST', `/api/customers/${customerId}/service-cases`, {
      kind: 'complaint',
      subject: 'An older complaint',
      openedAt: hoursAgo(40),
    });
    expect(await overdue()).toEqual(['An older complaint', 'A complaint']);
    await ok(key(tenant), 'PATCH', `/api/service-cases/${older.caseId}`, { status: 'resolved' });
    // A target changed applies to the cases already waiting; one taken away leaves them without a due time.
    await ok(key(tenant), 'PUT', '/api/service-targets', { complaint: 48 });
    expect(await overdue()).toEqual([]);
    await ok(key(tenant), 'PUT', '/api/service-targets', { inquiry: 12, complaint: null });
    expect(await targets()).toMatchObject({ complaint: null, inquiry: 12 });
    expect(await overdue()).toEqual(['A inquiry']);
    expect((await ok(key(tenant), 'GET', `/api/service-cases/${complaint.caseId}`)).dueAt).toBeNull();
    // Resolved, it is no longer overdue, whatever its due time said.
    await ok(key(tenant), 'PATCH', `/api/service-cases/${inquiry.caseId}`, { status: 'resolved' });
    expect(await overdue()).toEqual([]);
    // Another shop's targets are its own.
    expect((await ok(key(b), 'GET', '/api/service-targets')).inquiry).toBeNull();
  });

  it("counts a target in the desk's working hours, skipping nights, closed days and holidays", async () => {
    const tenant = await testTenant(db());
    const { customerId } = await buyer('13800001053', ['S-5001'], tenant);
    await ok(key(tenant), 'PUT', '/api/service-targets', { complaint: 24, inquiry: 4 });
    const week = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '09:00', closes: '18:00' }));
    expect(await ok(key(tenant), 'GET', '/api/service-hours')).toEqual({ days: [], holidays: [] });
    expect(await ok(key(tenant), 'PUT', '/api/service-hours', { days: week })).toEqual({
      days: week,
      holidays: [],
    });
    const due = async (kind: string, openedAt: string) =>
      (
        await ok(key(tenant), 'POST', `/api/customers/${customerId}/service-cases`, {
          kind,
          subject: `${kind} of ${openedAt}`,
          openedAt,
        })
      ).dueAt as string;
    // Friday 17:00 in Shanghai: one hour that day, nine on Monday and Tuesday, five on Wednesday.
    const friday = await due('complaint', '2026-11-20T17:00:00+08:00');
    expect(friday).toBe('2026-11-25T06:00:00.000Z');
    // Saturday night waits for Monday morning; before opening counts from opening.
    expect(await due('inquiry', '2026-11-21T22:00:00+08:00')).toBe('2026-11-23T05:00:00.000Z');
    expect(await due('inquiry', '2026-11-23T07:00:00+08:00')).toBe('2026-11-23T05:00:00.000Z');
    // A holiday on the Tuesday moves the Friday complaint a day on; the cases waiting follow the new hours.
    await ok(key(tenant), 'PUT', '/api/service-hours', { days: week, holidays: ['2026-11-24'] });
    const cases = (await ok(key(tenant), 'GET', '/api/service-cases?kind=complaint')).items as (Case & {
      dueAt: string;
    })[];
    expect(cases.map((k) => k.dueAt)).toEqual(['2026-11-26T06:00:00.000Z']);
    // Around the clock again: the hours are plain hours.
    await ok(key(tenant), 'PUT', '/api/service-hours', { days: [] });
    expect((await ok(key(tenant), 'GET', `/api/service-cases/${cases[0]!.caseId}`)).dueAt).toBe(
      '2026-11-21T09:00:00.000Z',
    );
    for (const [payload, field] of [
      [{ days: [{ weekday: 8, opens: '09:00', closes: '18:00' }] }, 'body.days.0.weekday'],
      [{ days: [{ weekday: 1, opens: '18:00', closes: '09:00' }] }, 'body.days.0.closes'],
      [{ days: [{ weekday: 1, opens: '9am', closes: '18:00' }] }, 'body.days.0.opens'],
      [{ days: [...week, { weekday: 5, opens: '10:00', closes: '12:00' }] }, 'days.5.weekday'],
      [{ days: week, holidays: ['2026-13-01'] }, 'body.holidays.0'],
    ] as const) {
      const r = await call(key(tenant), 'PUT', '/api/service-hours', payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await call({ cookies: viewer }, 'PUT', '/api/service-hours', { days: [] })).statusCode).toBe(403);
    expect(await ok(key(b), 'GET', '/api/service-hours')).toEqual({ days: [], holidays: [] });
  });

  it('resolves and reopens a case, each on the timeline; the same resolution again changes nothing', async () => {
    const { customerId } = await buyer('13800001002', ['S-1003']);
    const k = await ok({ cookies: operator }, 'POST', `/api/customers/${customerId}/service-cases`, {
      kind: 'inquiry',
      subject: 'Is the serum safe in pregnancy?',
    });
    expect(k.channel).toBe('other');
    const resolved = await ok({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, {
      status: 'resolved',
      resolution: 'Sent the ingredient list; advised to ask her doctor.',
    });
    expect(resolved).toMatchObject({
      status: 'resolved',
      resolvedBy: 'The operator',
      resolution: 'Sent the ingredient list; advised to ask her doctor.',
    });
    const again = await ok({ cookies: admin }, 'PATCH', `/api/service-cases/${k.caseId}`, {
      status: 'resolved',
      resolution: 'Sent the ingredient list; advised to ask her doctor.',
    });
    expect(again).toEqual(resolved);
    // Resolved again without words keeps the ones it has.
    expect(await ok(key(), 'PATCH', `/api/service-cases/${k.caseId}`, { status: 'resolved' })).toEqual(
      resolved,
    );
    const open = await ok(key(), 'GET', '/api/service-cases?status=open&limit=200');
    expect((open.items as Case[]).map((c) => c.caseId)).not.toContain(k.caseId);
    const done = await ok(key(), 'GET', '/api/service-cases?status=resolved');
    expect(done.items[0].caseId).toBe(k.caseId);
    expect((await timeline(customerId)).find((e) => e.type === 'service.resolved')?.data).toMatchObject({
      by: 'The operator',
      resolution: 'Sent the ingredient list; advised to ask her doctor.',
    });

    const reopened = await ok({ cookies: admin }, 'PATCH', `/api/service-cases/${k.caseId}`, {
      status: 'open',
    });
    expect(reopened).toMatchObject({ status: 'open', resolvedAt: null, resolvedBy: null, resolution: null });
    const events = await timeline(customerId);
    expect(events.some((e) => e.type === 'service.resolved')).toBe(false);
    expect(events.find((e) => e.type === 'service.reopened')).toMatchObject({
      source: 'console',
      data: {
        caseId: k.caseId,
        by: 'The admin',
        resolution: 'Sent the ingredient list; advised to ask her doctor.',
      },
    });
    for (const payload of [{ status: 'open', resolution: 'x' }, { resolution: 'x' }]) {
      const refused = await call({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, payload);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().details).toEqual([
        { field: 'resolution', message: 'an open case has no resolution' },
      ]);
    }
    const nothing = await call({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, {});
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().details).toEqual([{ field: 'body', message: 'say what changes' }]);

    // A typo corrected, the details taken out, the channel put right: the case stays open.
    const corrected = await ok({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, {
      subject: 'Is the serum safe while pregnant?',
      body: null,
      channel: 'chat',
    });
    expect(corrected).toMatchObject({
      subject: 'Is the serum safe while pregnant?',
      body: null,
      channel: 'chat',
      status: 'open',
    });
    expect(
      await ok({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, { channel: 'chat' }),
    ).toEqual(corrected);
    // Resolved, then its resolution's words corrected without saying the status again.
    await ok({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, {
      status: 'resolved',
      resolution: 'Sent the list',
    });
    expect(
      await ok({ cookies: operator }, 'PATCH', `/api/service-cases/${k.caseId}`, {
        resolution: 'Sent the ingredient list',
      }),
    ).toMatchObject({
      status: 'resolved',
      resolution: 'Sent the ingredient list',
      resolvedBy: 'The operator',
    });
  });

  it('refuses bad input by field, a viewer, and another shop', async () => {
    const { customerId, orderIds } = await buyer('13800001003', ['S-1004']);
    const other = await buyer('13800001004', ['S-1005']);
    const url = `/api/customers/${customerId}/service-cases`;
    const refusals: [object, string, string][] = [
      [{ kind: 'complaint', subject: 'Late', rating: 1 }, 'rating', 'only a review has stars'],
      [
        { kind: 'complaint', subject: 'Late', orderId: other.orderIds['S-1005'] },
        'orderId',
        'not an order of this customer',
      ],
      [
        { kind: 'complaint', subject: 'Late', orderExternalId: 'S-9999' },
        'orderExternalId',
        'not an order of this customer',
      ],
      [
        { kind: 'complaint', subject: 'Late', orderId: orderIds['S-1004'], orderExternalId: 'S-1004' },
        'orderExternalId',
        'give orderId or orderExternalId, not both',
      ],
      [
        { kind: 'inquiry', subject: 'Late', openedAt: new Date(Date.now() + 86_400_000).toISOString() },
        'openedAt',
        'in the future',
      ],
    ];
    for (const [payload, field, message] of refusals) {
      const r = await call({ cookies: operator }, 'POST', url, payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().details).toEqual([{ field, message }]);
    }
    for (const [payload, field] of [
      [{ kind: 'praise', subject: 'Hi' }, 'body.kind'],
      [{ kind: 'inquiry', subject: 'x'.repeat(201) }, 'body.subject'],
      [{ kind: 'inquiry', subject: '   ' }, 'body.subject'],
      [{ kind: 'inquiry', subject: 'Hi', priority: 'high' }, 'body'],
    ] as const) {
      const r = await call({ cookies: operator }, 'POST', url, payload);
      expect(r.statusCode).toBe(400);
      expect(r.json().details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await cases(customerId)).toEqual([]);
    expect(
      (await call({ cookies: viewer }, 'POST', url, { kind: 'inquiry', subject: 'Hi' })).statusCode,
    ).toBe(403);

    const k = await ok(key(), 'POST', url, { kind: 'inquiry', subject: 'Shop A only' });
    expect((await call(key(b), 'GET', url)).statusCode).toBe(404);
    expect((await call(key(b), 'POST', url, { kind: 'inquiry', subject: 'Hi' })).statusCode).toBe(404);
    expect((await call(key(b), 'GET', `/api/service-cases/${k.caseId}`)).statusCode).toBe(404);
    expect(
      (await call(key(b), 'PATCH', `/api/service-cases/${k.caseId}`, { status: 'resolved' })).statusCode,
    ).toBe(404);
    expect((await call(key(), 'GET', '/api/service-cases/not-a-case')).statusCode).toBe(404);
    const queueB = await ok(key(b), 'GET', '/api/service-cases');
    expect((queueB.items as Case[]).map((c) => c.caseId)).not.toContain(k.caseId);
    expect((await cases(customerId)).map((c) => c.status)).toEqual(['open']);
  });

  it("takes a help desk's tickets by the customer's identity, once, and follows them when sent again", async () => {
    const { customerId, orderIds } = await buyer('13800001005', ['S-1006']);
    const ticket = {
      customer: { phone: '+86 138 0000 1005' },
      source: 'zendesk',
      externalId: 'T-100',
      kind: 'after_sale',
      channel: 'email',
      subject: 'Return the serum',
      orderExternalId: 'S-1006',
    };
    const first = await call(key(), 'POST', '/api/service-cases', ticket);
    expect(first.statusCode).toBe(201);
    const k = first.json() as Case;
    expect(k).toMatchObject({
      customerId,
      orderId: orderIds['S-1006'],
      source: 'zendesk',
      openedBy: 'zendesk',
    });

    const replay = await call(key(), 'POST', '/api/service-cases', ticket);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(k);
    expect(await cases(customerId)).toHaveLength(1);

    const resolved = await ok(key(), 'POST', '/api/service-cases', {
      ...ticket,
      status: 'resolved',
      resolution: 'Refunded on return',
    });
    expect(resolved).toMatchObject({
      caseId: k.caseId,
      status: 'resolved',
      resolvedBy: 'zendesk',
      resolution: 'Refunded on return',
    });
    const reopened = await ok(key(), 'POST', '/api/service-cases', {
      ...ticket,
      subject: 'Return the serum (again)',
    });
    expect(reopened).toMatchObject({ caseId: k.caseId, status: 'open', subject: 'Return the serum (again)' });
    expect((await timeline(customerId)).find((e) => e.type === 'service.reopened')).toMatchObject({
      source: 'zendesk',
      data: { by: 'zendesk', resolution: 'Refunded on return' },
    });
    expect(await cases(customerId)).toHaveLength(1);

    // Someone the shop has never seen gets a profile; the same ticket number in another shop is its own.
    const stranger = await call(key(), 'POST', '/api/service-cases', {
      ...ticket,
      externalId: 'T-101',
      orderExternalId: undefined,
      kind: 'inquiry',
      customer: { email: 'Asker@Example.com', name: '林小姐' },
    });
    expect(stranger.statusCode).toBe(201);
    const profile = await ok(key(), 'GET', `/api/customers/${stranger.json().customerId}`);
    expect(profile).toMatchObject({ email: 'asker@example.com', name: '林小姐' });
    const inB = await call(key(b), 'POST', '/api/service-cases', { ...ticket, orderExternalId: undefined });
    expect(inB.statusCode).toBe(201);
    expect(inB.json().caseId).not.toBe(k.caseId);
    expect((await ok(key(), 'GET', `/api/service-cases/${k.caseId}`)).subject).toBe(
      'Return the serum (again)',
    );

    for (const [payload, field] of [
      [{ ...ticket, customer: {} }, 'customer'],
      [{ ...ticket, externalId: 'T-102', resolution: 'done' }, 'resolution'],
      [{ ...ticket, externalId: 'T-103', source: 'Zen Desk' }, 'body.source'],
    ] as const) {
      const r = await call(key(), 'POST', '/api/service-cases', payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('is a segment condition and a rule tag, and a resolved complaint starts a flow once', async () => {
    const c = await testTenant(db());
    const { customerId } = await buyer('13800002001', ['C-1'], c);
    const calm = await buyer('13800002002', ['C-2'], c);
    const tag = await ok(key(c), 'POST', '/api/tags', {
      name: 'open complaint',
      rule: { type: 'service', kinds: ['complaint', 'dispute'], status: 'open' },
    });
    const complaint = await ok(key(c), 'POST', `/api/customers/${customerId}/service-cases`, {
      kind: 'complaint',
      subject: 'Rude at the counter',
    });
    await ok(key(c), 'POST', `/api/customers/${calm.customerId}/service-cases`, {
      kind: 'review',
      subject: 'Lovely',
      rating: 5,
    });
    await ok(key(c), 'POST', `/api/customers/${calm.customerId}/service-cases`, {
      kind: 'review',
      subject: 'Late again',
      rating: 2,
    });
    const tagsOf = async (id: string) =>
      ((await ok(key(c), 'GET', `/api/customers/${id}/tags`)).items as { tagId: string }[]).map(
        (x) => x.tagId,
      );
    expect(await tagsOf(customerId)).toEqual([tag.tag.tagId]);
    expect(await tagsOf(calm.customerId)).toEqual([]);

    const count = async (rule: object) =>
      (await ok(key(c), 'POST', '/api/segments/count', { rule })).customers;
    expect(await count({ type: 'service', kinds: ['complaint'], status: 'open' })).toBe(1);
    expect(await count({ type: 'service' })).toBe(2);
    expect(await count({ type: 'service', minCases: 2 })).toBe(1);
    expect(await count({ type: 'service', maxRating: 2 })).toBe(1);
    expect(await count({ type: 'service', maxRating: 1 })).toBe(0);
    expect(await count({ type: 'service', withinDays: 1, status: 'resolved' })).toBe(0);
    expect(await count({ type: 'not', rule: { type: 'service', kinds: ['complaint'] } })).toBe(1);
    const bad = await call(key(c), 'POST', '/api/segments/count', {
      rule: { type: 'service', kinds: ['praise'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].field).toBe('body.rule.kinds.0');

    const flow = await ok(key(c), 'POST', '/api/flows', {
      name: 'Sorry for the trouble',
      trigger: { type: 'service_resolved', kind: 'complaint' },
      steps: [{ type: 'points', points: 50, reason: 'Sorry for the trouble' }],
    });
    await ok(key(c), 'POST', `/api/flows/${flow.flowId}/activate`, { catchUpDays: 0 });
    const resolve = () =>
      ok(key(c), 'PATCH', `/api/service-cases/${complaint.caseId}`, {
        status: 'resolved',
        resolution: 'Apologised',
      });
    await resolve();
    // Resolved, the complaint no longer tags the customer.
    expect(await tagsOf(customerId)).toEqual([]);
    await runFlows(db(), c.shop.shopId, new Date(Date.now() + 3_600_000));
    const entered = async () =>
      (
        (await ok(key(c), 'GET', `/api/flows/${flow.flowId}/enrollments`)).items as {
          customerId: string;
          occurrence: string;
        }[]
      ).map((e) => [e.customerId, e.occurrence]);
    expect(await entered()).toEqual([[customerId, `service:${complaint.caseId}`]]);
    // Reopened and resolved again, the same case does not start the flow twice.
    await ok(key(c), 'PATCH', `/api/service-cases/${complaint.caseId}`, { status: 'open' });
    expect(await tagsOf(customerId)).toEqual([tag.tag.tagId]);
    await resolve();
    await runFlows(db(), c.shop.shopId, new Date(Date.now() + 7_200_000));
    expect(await entered()).toHaveLength(1);
    expect((await ok(key(c), 'GET', `/api/customers/${customerId}`)).pointsBalance).toBeGreaterThanOrEqual(
      50,
    );
  });

  it('sends no marketing to a customer with a complaint open, unless the shop turns that off', async () => {
    const d = await testTenant(db());
    const smtp = await startSmtpSink();
    try {
      await ok(key(d), 'PUT', '/api/channels/email', {
        channel: 'email',
        settings: { host: '127.0.0.1', port: smtp.port, from: 'Lotus <care@lotus.example>' },
        ratePerSecond: 1000,
      });
      await ok(key(d), 'PUT', '/api/engage/links', { publicUrl: 'https://crm.lotus.example/' });
      expect((await ok(key(d), 'GET', '/api/contact-policy')).holdOpenComplaints).toBe(true);
      await ok(key(d), 'PUT', '/api/contact-policy', { maxMessages: 10, perDays: 7, quietHours: null });
      const people: Record<string, string> = {};
      for (const who of ['upset', 'calm', 'asking']) {
        const r = await ok(key(d), 'POST', '/api/customers', {
          email: `${who}@example.com`,
          consents: { email: 'opted_in' },
        });
        people[who] = r.customerId;
      }
      const complaint = await ok(key(d), 'POST', `/api/customers/${people.upset}/service-cases`, {
        kind: 'complaint',
        subject: 'Wrong shade sent',
      });
      // An open question holds nothing back.
      await ok(key(d), 'POST', `/api/customers/${people.asking}/service-cases`, {
        kind: 'inquiry',
        subject: 'Do you ship to Macau?',
      });
      const segment = await ok(key(d), 'POST', '/api/segments', {
        name: 'Everyone',
        rule: { type: 'and', rules: [] },
      });
      const template = await ok(key(d), 'POST', '/api/templates', {
        name: 'Autumn offer',
        channel: 'email',
        subject: 'Autumn offer',
        body: '<p>New season, new serum.</p>',
      });
      const send = async (name: string) => {
        const c = await ok(key(d), 'POST', '/api/campaigns', {
          name,
          templateId: template.templateId,
          segmentId: segment.segmentId,
        });
        await ok(key(d), 'POST', `/api/campaigns/${c.campaignId}/schedule`, {});
        await settleJobs(t.jobs, db(), d.shop.shopId);
        const rows = await db().query<{ customerId: string; status: string; reason: string | null }>(
          `select customer_id as "customerId", status, reason from messages where shop_id = $1 and campaign_id = $2`,
          [d.shop.shopId, c.campaignId],
        );
        return Object.fromEntries(
          Object.entries(people).map(([who, id]) => {
            const m = rows.find((r) => r.customerId === id)!;
            return [who, m.status === 'suppressed' ? `suppressed: ${m.reason}` : m.status];
          }),
        );
      };
      expect(await send('While upset')).toEqual({
        upset: 'suppressed: open complaint',
        calm: 'sent',
        asking: 'sent',
      });
      // Resolved, the customer hears from the shop again.
      await ok(key(d), 'PATCH', `/api/service-cases/${complaint.caseId}`, { status: 'resolved' });
      expect((await send('After')).upset).toBe('sent');
      // Open again, and the shop chooses to send regardless.
      await ok(key(d), 'PATCH', `/api/service-cases/${complaint.caseId}`, { status: 'open' });
      await ok(key(d), 'PUT', '/api/contact-policy', {
        maxMessages: 10,
        perDays: 7,
        quietHours: null,
        holdOpenComplaints: false,
      });
      expect((await send('Regardless')).upset).toBe('sent');
      expect(smtp.mails.filter((m) => m.to.includes('upset@example.com'))).toHaveLength(2);
    } finally {
      await smtp.close();
    }
  });

  it('moves with a merge, comes with a copy of the person’s data, and goes with an erasure', async () => {
    const kept = await buyer('13800003001', ['M-1']);
    const duplicate = await buyer('13800003002', ['M-2']);
    await ok(key(), 'POST', `/api/customers/${kept.customerId}/service-cases`, {
      kind: 'inquiry',
      subject: 'Sizes?',
    });
    await ok(key(), 'POST', `/api/customers/${duplicate.customerId}/service-cases`, {
      kind: 'after_sale',
      subject: 'Exchange',
      orderExternalId: 'M-2',
    });
    await ok({ cookies: operator }, 'POST', `/api/customers/${kept.customerId}/merge`, {
      customerIds: [duplicate.customerId],
      reason: 'the same person',
    });
    expect((await cases(kept.customerId)).map((k) => k.subject).sort()).toEqual(['Exchange', 'Sizes?']);
    expect(await cases(duplicate.customerId)).toHaveLength(2);
    const copy = await ok({ cookies: admin }, 'GET', `/api/customers/${kept.customerId}/personal-data`);
    expect(copy.serviceCases.map((k: Case) => k.subject).sort()).toEqual(['Exchange', 'Sizes?']);

    await ok({ cookies: admin }, 'POST', `/api/customers/${kept.customerId}/erase`, {
      reason: 'asked by email',
    });
    expect(await cases(kept.customerId)).toEqual([]);
    expect((await timeline(kept.customerId)).some((e) => e.type.startsWith('service.'))).toBe(false);
    const after = await call(key(), 'POST', `/api/customers/${kept.customerId}/service-cases`, {
      kind: 'inquiry',
      subject: 'Hi',
    });
    expect(after.statusCode).toBe(409);
  });

  it("imports a help desk's export: cases found by identity, refusals by row and column, replays unchanged", async () => {
    const tenant = await testTenant(db());
    const { customerId, orderIds } = await buyer('13800009001', ['IMP-1'], tenant);
    const upload = async (content: string) => {
      const m = multipart({ format: 'service-cases', source: 'zendesk' }, { name: 'tickets.csv', content });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/imports',
        payload: m.payload,
        headers: { ...m.headers, ...tenant.auth },
      });
      expect(r.statusCode, r.body).toBe(202);
      await t.imports.idle();
      return (await ok(key(tenant), 'GET', `/api/imports/${r.json().importId}`)) as Record<string, unknown>;
    };
    const header =
      '工单编号,类型,渠道,状态,标题,内容,评分,创建时间,解决时间,处理结果,订单编号,手机,邮箱,姓名';
    const file = [
      header,
      'Z-1,投诉,电话,solved,Parcel late,Two weeks and counting,,2026-01-05 10:00,2026-01-06 12:30,Refunded the shipping,IMP-1,13800009001,,',
      'Z-2,评价,,open,Lovely serum,,5,2026-01-07 09:00,,,,,new-reviewer@example.com,Lin',
      'Z-3,praise,,,Thanks,,,2026-01-07 09:00,,,,13800009001,,',
      'Z-4,complaint,,,Stars on a complaint,,4,2026-01-07 09:00,,,,13800009001,,',
      'Z-5,inquiry,,,Not my order,,,2026-01-08 10:00,,,IMP-1,13800009099,,',
      'Z-6,inquiry,,closed,Sizes?,,,2026-01-08 10:00,,,,13800009001,,',
      'Z-1,complaint,,,Again,,,2026-01-05 10:00,,,,13800009001,,',
      'Z-7,inquiry,,,Later,,,2099-01-01 10:00,,,,13800009001,,',
      'Z-8,inquiry,,,Nobody,,,2026-01-08 10:00,,,,,,',
    ].join('\n');
    const first = await upload(file);
    expect(first).toMatchObject({
      status: 'completed',
      casesCreated: 2,
      casesUpdated: 0,
      customersCreated: 1,
      errorRows: 7,
    });
    const report = await ok(key(tenant), 'GET', `/api/imports/${String(first.importId)}/errors?limit=50`);
    expect(report.items).toEqual([
      { rowNo: 4, column: '类型', reason: expect.stringMatching(/^unknown kind/), value: 'praise' },
      { rowNo: 5, column: '评分', reason: 'only a review has stars', value: '4' },
      { rowNo: 6, column: '订单编号', reason: 'not an order of this customer', value: 'IMP-1' },
      {
        rowNo: 7,
        column: '解决时间',
        reason: 'a resolved ticket needs the date it was resolved',
        value: null,
      },
      {
        rowNo: 8,
        column: '工单编号',
        reason: 'duplicate row: ticket Z-1 already appeared at row 2',
        value: 'Z-1',
      },
      { rowNo: 9, column: '创建时间', reason: 'in the future', value: '2099-01-01 10:00' },
      {
        rowNo: 10,
        column: null,
        reason: expect.stringMatching(/^missing identity/),
        value: null,
      },
    ]);
    const [late] = await cases(customerId, key(tenant));
    expect(late).toMatchObject({
      kind: 'complaint',
      channel: 'phone',
      status: 'resolved',
      subject: 'Parcel late',
      body: 'Two weeks and counting',
      orderId: orderIds['IMP-1'],
      source: 'zendesk',
      externalId: 'Z-1',
      openedBy: 'zendesk',
      openedAt: '2026-01-05T02:00:00.000Z',
      resolvedAt: '2026-01-06T04:30:00.000Z',
      resolution: 'Refunded the shipping',
    });
    // The refused ticket's stranger was not left behind as a profile of its own.
    const strangers = await ok(key(tenant), 'GET', '/api/customers?q=13800009099');
    expect(strangers.items).toEqual([]);
    const queue = await ok(key(tenant), 'GET', '/api/service-cases?status=open');
    expect(queue.items).toMatchObject([
      { kind: 'review', rating: 5, subject: 'Lovely serum', customerName: 'Lin', externalId: 'Z-2' },
    ]);
    // In another shop the file's tickets are not there.
    const elsewhere = (await ok(key(b), 'GET', '/api/service-cases?limit=200')).items as Case[];
    expect(elsewhere.filter((k) => ['Z-1', 'Z-2'].includes(k.externalId!))).toEqual([]);
    expect((await call(key(b), 'GET', `/api/service-cases/${late!.caseId}`)).statusCode).toBe(404);

    const replay = await upload(file);
    expect(replay).toMatchObject({
      casesCreated: 0,
      casesUpdated: 0,
      casesUnchanged: 2,
      customersCreated: 0,
      errorRows: 7,
    });
    const resolved = await upload(
      [
        header,
        'Z-2,review,,solved,Lovely serum,,5,2026-01-07 09:00,2026-01-07 11:00,Thanked her,,,new-reviewer@example.com,Lin',
      ].join('\n'),
    );
    expect(resolved).toMatchObject({ casesCreated: 0, casesUpdated: 1, errorRows: 0 });
    expect((await ok(key(tenant), 'GET', '/api/service-cases?status=open')).items).toEqual([]);
    const events = (await timeline(customerId, tenant)).filter((e) => e.type.startsWith('service.'));
    expect(events.map((e) => [e.type, e.source])).toEqual([
      ['service.resolved', 'zendesk'],
      ['service.opened', 'zendesk'],
    ]);
  });
});
