// `regulars demo`: a realistic skincare shop of ~20,000 customers and ~60,000 orders over two years —
// one-time and repeat buyers on their own purchase cycles, online and offline-store orders, member cards,
// refunds and cancellations — loaded through the same ingestion path as real orders, which tags them
// by the demo's rules (layers.ts) as they come in; then scored (RFM, predictions) as its nightly runs
// would have left it.
import type { Db } from '../db/db.js';
import { INGEST_TABLES, refreshStatistics } from '../db/maintenance.js';
import { AppError } from '../errors.js';
import { expirePoints } from '../membership/expiry.js';
import { ingestOrders } from '../orders/ingest.js';
import { localDate, nextMidnight, startOfLocalDay } from '../shops/calendar.js';
import type { NormalizedOrder } from '../orders/input.js';
import { runPredictions } from '../predict/predictions.js';
import { computeRfm } from '../rfm/rfm.js';
import { createApiKey } from '../shops/apiKeys.js';
import { createShop, listShops, type Shop } from '../shops/shops.js';
import { createStaff } from '../shops/staff.js';
import { createDemoEngage } from './engage.js';
import { createDemoSegments, createDemoTags } from './layers.js';
import { createDemoService } from './service.js';
import { CATALOG, CITIES, GIVEN, STORES, SURNAMES, type Product } from './catalog.js';

export const DEMO_SHOP_NAME = 'Regulars Demo Skincare 演示店铺';
export const DEMO_LOGIN = { email: 'demo@regulars.local', password: 'regulars-demo' };

/** A small, fast, seeded generator, so the same seed always builds the same shop. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Person {
  n: number;
  name: string;
  phone: string;
  email?: string;
  memberCard?: string;
  province: string;
  city: string;
  skin: 'oily' | 'dry' | 'sensitive' | 'normal';
  /** Expected orders over the two years, and the days between them. */
  orders: number;
  cycleDays: number;
  firstDay: number;
}

const DAY = 86_400_000;
/** The demo's history: two years up to the moment it is built. */
const HISTORY_DAYS = 730;

function people(count: number, rand: () => number): Person[] {
  const pick = <T>(xs: ArrayLike<T>) => xs[Math.floor(rand() * xs.length)]!;
  const out: Person[] = [];
  for (let n = 0; n < count; n++) {
    const [province, city] = pick(CITIES);
    const oneTimer = rand() < 0.55;
    const orders = oneTimer ? 1 : 2 + Math.floor(-Math.log(1 - rand()) * 5.2);
    const skinRoll = rand();
    out.push({
      n,
      name: pick(SURNAMES) + pick(GIVEN) + (rand() < 0.6 ? pick(GIVEN) : ''),
      phone: `1${pick('3456789')}${String(100_000_000 + n * 37 + Math.floor(rand() * 30)).slice(-9)}`,
      email: rand() < 0.35 ? `user${n}@example.cn` : undefined,
      memberCard: rand() < 0.25 ? `M${String(100000 + n)}` : undefined,
      province,
      city,
      skin: skinRoll < 0.35 ? 'oily' : skinRoll < 0.65 ? 'dry' : skinRoll < 0.8 ? 'sensitive' : 'normal',
      orders,
      cycleDays: 25 + Math.floor(rand() * 90),
      // Regulars tend to have found the shop earlier; new one-time buyers arrive all along, to the last
      // day (ending their arrivals a month early left the dashboard's last 30 days with no new customers).
      firstDay: Math.floor((oneTimer ? rand() : rand() * rand()) * HISTORY_DAYS),
    });
  }
  return out;
}

function basket(p: Person, rand: () => number): Product[] {
  const preferred = CATALOG.filter((c) => c.skin === p.skin || (p.skin === 'normal' && !c.skin));
  const lines = 1 + (rand() < 0.35 ? 1 : 0) + (rand() < 0.1 ? 1 : 0);
  const chosen = new Set<Product>();
  while (chosen.size < lines) {
    const pool = rand() < 0.75 && preferred.length > 0 ? preferred : CATALOG;
    chosen.add(pool[Math.floor(rand() * pool.length)]!);
  }
  return [...chosen];
}

/** What of a basket can go back in a part refund: its last line when it has two, else one of two units. */
function returnedPart<T extends { quantity: number; refundedQuantity?: number }>(
  items: T[],
): { line: T; units: number } | null {
  if (items.length > 1) return { line: items[items.length - 1]!, units: items[items.length - 1]!.quantity };
  if (items[0] && items[0].quantity > 1) return { line: items[0], units: 1 };
  return null;
}

export function* demoOrders(
  customers: number,
  seed: number,
  now: Date,
  currency = 'CNY',
): Generator<NormalizedOrder> {
  const rand = prng(seed);
  const start = now.getTime() - HISTORY_DAYS * DAY;
  let seq = 0;
  for (const p of people(customers, rand)) {
    let day = p.firstDay;
    for (let k = 0; k < p.orders && day < HISTORY_DAYS; k++) {
      const orderedAt = new Date(start + day * DAY + Math.floor(rand() * DAY));
      const offline = p.memberCard !== undefined && rand() < 0.4;
      const products = basket(p, rand);
      const items: NormalizedOrder['items'] = products.map((pr) => ({
        sku: pr.sku,
        productId: pr.sku,
        title: pr.title,
        category: pr.category,
        brand: pr.brand,
        quantity: rand() < 0.15 ? 2 : 1,
        unitPriceCents: pr.priceCents,
      }));
      const gross = items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0);
      const couponed = rand() < 0.22;
      const discountCents = couponed ? Math.min(gross - 100, 2000 + Math.floor(rand() * 4) * 1000) : 0;
      const totalCents = gross - discountCents;
      const ageDays = (now.getTime() - orderedAt.getTime()) / DAY;
      const roll = rand();
      const status: NormalizedOrder['status'] =
        roll < 0.03
          ? 'cancelled'
          : roll < 0.07
            ? 'refunded'
            : roll < 0.1
              ? 'partially_refunded'
              : ageDays < 3
                ? 'paid'
                : ageDays < 10
                  ? 'shipped'
                  : 'completed';
      // A part refund is a return where something can go back (the basket's last line, or one of two
      // units), what that was paid; else a compensation of 30 %, no goods back (仅退款).
      const returned = status === 'partially_refunded' ? returnedPart(items) : null;
      if (returned) returned.line.refundedQuantity = returned.units;
      const refundedCents =
        status === 'refunded'
          ? totalCents
          : returned
            ? Math.round((returned.units * returned.line.unitPriceCents * totalCents) / gross)
            : status === 'partially_refunded'
              ? Math.round(totalCents * 0.3)
              : 0;
      seq++;
      yield {
        source: offline ? 'pos' : 'tmall',
        externalId: offline ? `POS-${seq}` : `TM${2_000_000_000 + seq}`,
        channel: offline ? 'offline' : 'online',
        storeId: offline ? STORES[p.n % STORES.length]! : null,
        memberCard: offline ? p.memberCard! : null,
        status,
        currency,
        totalCents,
        discountCents,
        shippingCents: offline || totalCents >= 9900 ? 0 : 1000,
        refundedCents,
        couponCode: couponed ? `WELCOME${p.n % 97}` : null,
        orderedAt,
        paidAt: status === 'cancelled' ? null : new Date(orderedAt.getTime() + 60_000),
        items,
        person: {
          identities: [
            { kind: 'phone', value: `+86${p.phone}` },
            ...(p.email ? [{ kind: 'email' as const, value: p.email }] : []),
            ...(offline ? [{ kind: 'member_card' as const, value: p.memberCard! }] : []),
          ],
          profile: {
            name: p.name,
            phone: `+86${p.phone}`,
            email: p.email,
            memberCard: offline ? p.memberCard : undefined,
            province: p.province,
            city: p.city,
          },
        },
      };
      day += Math.max(3, Math.round(p.cycleDays * (0.6 + rand() * 0.8)));
    }
  }
}

export interface DemoResult {
  shop: Shop;
  created: boolean;
  orders: number;
  customers: number;
  apiKey?: string;
}

/** Builds the demo shop unless it exists; `onProgress` hears the orders loaded so far. */
export async function loadDemo(
  db: Db,
  options: {
    customers?: number;
    seed?: number;
    now?: Date;
    onProgress?: (orders: number) => void;
    /** Another name than the demo's (tests, which share a database). */
    shopName?: string;
  } = {},
): Promise<DemoResult> {
  const name = options.shopName ?? DEMO_SHOP_NAME;
  const existing = (await listShops(db)).find((s) => s.name === name);
  if (existing) return { shop: existing, created: false, orders: 0, customers: 0 };
  const shop = await createShop(db, {
    name,
    currency: 'CNY',
    timeZone: 'Asia/Shanghai',
    phoneRegion: 'CN',
  });
  await createStaff(db, shop.shopId, { ...DEMO_LOGIN, name: 'Demo Owner', role: 'owner' });
  const { key } = await createApiKey(db, shop.shopId, 'demo');
  await createDemoTags(db, shop.shopId);
  await createDemoSegments(db, shop.shopId);
  // One instant for the whole build: the history ends there, and expiry and scoring are as of it.
  const now = options.now ?? new Date();
  // The orders arrive in the order they were placed, a day at a time as of its last order, and the
  // points due expire on each New Year's Day the history passes, as in a shop that has been running all
  // along. Points and upgrades are dated by their orders in a batch of any size; a day's batch also
  // places each order at the tier its buyer held that day and dates the tags applied to that day, so the
  // dashboard's last month shows the last month's, not two years' worth tagged on the day the demo was
  // built.
  const history = [...demoOrders(options.customers ?? 20_000, options.seed ?? 20261124, now)].sort(
    (a, b) => a.orderedAt.getTime() - b.orderedAt.getTime(),
  );
  const newYear = (after: Date) =>
    startOfLocalDay(localDate(after, shop.timeZone).year + 1, 1, 1, shop.timeZone);
  let nextNewYear = history.length > 0 ? newYear(history[0]!.orderedAt) : now;
  let batch: NormalizedOrder[] = [];
  let orders = 0;
  let customers = 0;
  let nextRefresh = 200;
  const flush = async () => {
    if (batch.length === 0) return;
    const last = Math.max(...batch.map((o) => (o.paidAt ?? o.orderedAt).getTime()));
    const asOf = new Date(Math.min(last, now.getTime()));
    const r = await db.transaction((tx) => ingestOrders(tx, shop.shopId, batch, 'demo', asOf));
    orders += r.created;
    customers += r.customersCreated;
    batch = [];
    options.onProgress?.(orders);
    // As an import does: the planner learns of the new shop early and again as it grows, or plans made
    // for an empty shop make each of the 730 days' batches slower than the last. Each time the orders
    // have doubled is often enough (a plan for a batch's index probes holds over a factor of two), and
    // a third as many passes over the tables as one a month (9 against 25).
    if (orders >= nextRefresh) {
      await refreshStatistics(db, INGEST_TABLES, db.kind === 'pglite');
      nextRefresh = orders * 2;
    }
  };
  // A batch is a day's orders, so what happened is dated to its day.
  let dayEnd = new Date(0);
  for (const order of history) {
    if (order.orderedAt >= dayEnd) {
      await flush();
      dayEnd = nextMidnight(order.orderedAt, shop.timeZone);
    }
    if (order.orderedAt >= nextNewYear) {
      await expirePoints(db, shop.shopId, nextNewYear);
      nextNewYear = newYear(nextNewYear);
    }
    batch.push(order);
  }
  await flush();
  await expirePoints(db, shop.shopId, now);
  // Scored as its nightly runs would have left it, so the RFM grid, the predictions and the segments on
  // them show something from the start. The scoring reads the new orders: the planner must know of them.
  await refreshStatistics(db, INGEST_TABLES);
  await computeRfm(db, shop.shopId, now);
  await runPredictions(db, shop.shopId, now).catch((err: unknown) => {
    // A demo of a few dozen customers is too small to fit; it goes without, as such a shop would.
    if (!(err instanceof AppError && err.code === 'not_enough_history')) throw err;
  });
  await createDemoEngage(db, shop.shopId, now);
  await createDemoService(db, shop.shopId, now);
  await refreshStatistics(db, INGEST_TABLES, db.kind === 'pglite');
  return { shop, created: true, orders, customers, apiKey: key };
}
