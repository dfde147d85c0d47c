// The predict area owns each shop's fitted purchase models and the prediction columns of the customer row
// (p_alive, expected_orders_12m, predicted_value_cents, purchase_cycle_days, next_purchase_at), plus the
// per-category purchase cycles. A run fits the models on the shop's histories and scores every customer.
import type { Db, Queryable } from '../db/db.js';
import { uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { PURCHASE_SQL } from '../orders/status.js';
import { localDate, startOfLocalDay } from '../shops/calendar.js';
import { getShop, type Shop } from '../shops/shops.js';
import { expectedPurchases, fitMbgNbd, probabilityAlive, type Fit, type MbgNbdParams } from './mbgnbd.js';
import { expectedOrderValue, fitGammaGamma, type GammaGammaParams } from './gammagamma.js';
import { customerHistories, type CustomerHistory } from './history.js';

/** Fits read at most this many customers, spread evenly: plenty for four parameters, and bounded time. */
const FIT_SAMPLE = 50_000;
/** A fit needs this many customers, and this many who bought twice, to mean anything. */
const MIN_CUSTOMERS = 50;
export const MIN_REPEATERS = 20;
const YEAR_WEEKS = 365 / 7;

export interface PredictionModel {
  modelId: string;
  fittedAt: Date;
  calibrationEnd: string;
  customers: number;
  /** Whether and how often customers buy: the MBG/NBD since migration 0024, the BG/NBD in fits before it. */
  purchases: Fit<MbgNbdParams> & { model: 'BG/NBD' | 'MBG/NBD' };
  gammaGamma: Fit<GammaGammaParams> | null;
}

function sample<T>(items: T[], size: number): T[] {
  if (items.length <= size) return items;
  const step = items.length / size;
  return Array.from({ length: size }, (_, i) => items[Math.floor(i * step)]!);
}

const rft = (h: CustomerHistory) => ({ frequency: h.frequency, recency: h.recencyWeeks, age: h.ageWeeks });

/** The day `days` after a shop-local date, as the instant that day starts. */
function dayAfter(day: string, days: number, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return startOfLocalDay(y, m, d + Math.round(days), timeZone);
}

/** Fits the shop's models on every history up to the end of `at`'s day and scores every customer. */
export async function runPredictions(
  db: Db,
  shopId: string,
  at: Date,
  onProgress: (done: number, total: number) => Promise<void> = async () => {},
): Promise<PredictionModel> {
  const shop = await getShop(db, shopId);
  const { year, month, day } = localDate(at, shop.timeZone);
  const calibrationEnd = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const histories = await customerHistories(db, shopId, calibrationEnd, shop.timeZone);
  const repeaters = histories.filter((h) => h.frequency > 0);
  if (histories.length < MIN_CUSTOMERS || repeaters.length < MIN_REPEATERS) {
    throw new AppError(
      'not_enough_history',
      409,
      `Predictions need at least ${MIN_CUSTOMERS} buyers and ${MIN_REPEATERS} who bought twice; this shop has ${histories.length} and ${repeaters.length}`,
    );
  }
  // The database works out the category cycles while the models are fitted and the predictions written
  // here; on a server that statement takes the cores the writes leave idle. Both finish before either's
  // failure is reported, so no transaction outlives the run.
  const [cycles, model] = await Promise.allSettled([
    writeCategoryCycles(db, shopId, calibrationEnd, shop.timeZone),
    fitAndScore(db, shop, at, calibrationEnd, histories, repeaters, onProgress),
  ]);
  if (cycles.status === 'rejected') throw cycles.reason;
  if (model.status === 'rejected') throw model.reason;
  return model.value;
}

/** Fits both models on the histories and writes each customer's predictions. */
async function fitAndScore(
  db: Db,
  shop: Shop,
  at: Date,
  calibrationEnd: string,
  histories: CustomerHistory[],
  repeaters: CustomerHistory[],
  onProgress: (done: number, total: number) => Promise<void>,
): Promise<PredictionModel> {
  const shopId = shop.shopId;
  const purchases = { model: 'MBG/NBD' as const, ...fitMbgNbd(sample(histories, FIT_SAMPLE).map(rft)) };
  const spenders = repeaters.filter((h) => h.repeatMeanCents > 0);
  const gammaGamma =
    spenders.length >= MIN_REPEATERS
      ? fitGammaGamma(
          sample(spenders, FIT_SAMPLE).map((h) => ({ frequency: h.frequency, meanValue: h.repeatMeanCents })),
        )
      : null;
  const model: PredictionModel = {
    modelId: uuidv7(at.getTime()),
    fittedAt: at,
    calibrationEnd,
    customers: histories.length,
    purchases,
    gammaGamma,
  };
  await db.query(
    `insert into prediction_models (shop_id, model_id, fitted_at, calibration_end, customers, purchases, gamma_gamma)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      shopId,
      model.modelId,
      at.toISOString(),
      calibrationEnd,
      model.customers,
      JSON.stringify(purchases),
      gammaGamma && JSON.stringify(gammaGamma),
    ],
  );

  // Without a spend model, every order is worth the shop's average repeat order.
  const average = spenders.reduce((sum, h) => sum + h.repeatMeanCents, 0) / Math.max(1, spenders.length);
  const chunk = 20_000;
  for (let i = 0; i < histories.length; i += chunk) {
    const rows = histories.slice(i, i + chunk).map((h) => {
      const orders = expectedPurchases(purchases.params, rft(h), YEAR_WEEKS);
      const value = gammaGamma
        ? expectedOrderValue(gammaGamma.params, { frequency: h.frequency, meanValue: h.repeatMeanCents })
        : average;
      return {
        customerId: h.customerId,
        pAlive: probabilityAlive(purchases.params, rft(h)),
        orders,
        valueCents: Math.round(orders * value),
        cycleDays: h.cycleDays,
        next: h.cycleDays === null ? null : dayAfter(h.lastPurchaseDay, h.cycleDays, shop.timeZone),
      };
    });
    await db.query(
      `update customers c set p_alive = p.p_alive, expected_orders_12m = p.orders, predicted_value_cents = p.value,
              purchase_cycle_days = p.cycle, next_purchase_at = p.next, predicted_at = $8
         from unnest($2::uuid[], $3::float8[], $4::float8[], $5::int8[], $6::float8[], $7::timestamptz[])
           as p(customer_id, p_alive, orders, value, cycle, next)
        where c.shop_id = $1 and c.customer_id = p.customer_id`,
      [
        shopId,
        rows.map((r) => r.customerId),
        rows.map((r) => r.pAlive),
        rows.map((r) => r.orders),
        rows.map((r) => r.valueCents),
        rows.map((r) => r.cycleDays),
        rows.map((r) => r.next?.toISOString() ?? null),
        at.toISOString(),
      ],
    );
    await onProgress(Math.min(i + chunk, histories.length), histories.length);
  }
  // Customers with no purchase left (refunded, merged away) lose what an earlier run said of them.
  await db.query(
    `update customers set p_alive = null, expected_orders_12m = null, predicted_value_cents = null,
            purchase_cycle_days = null, next_purchase_at = null, predicted_at = null
      where shop_id = $1 and predicted_at < $2`,
    [shopId, at.toISOString()],
  );
  return model;
}

/**
 * Brings the purchase cycles per product category (in lower case, as segments and the bought-category rows
 * compare them) up to date, for customers who bought a category on two days or more. Worked out in the
 * database by a read-only statement, which PostgreSQL runs in parallel (an insert … select it does not),
 * into a scratch table; then only the rows that differ are written. At a million customers that is a
 * million rows, of which a night changes those of the day's buyers: rewriting them all cost a third of
 * the run.
 */
async function writeCategoryCycles(
  db: Db,
  shopId: string,
  calibrationEnd: string,
  timeZone: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `create temp table new_category_cycles on commit drop as
       with days as (
         select distinct o.customer_id, lower(i.category) as category, (o.ordered_at at time zone $3)::date as day
           from orders o join order_items i on i.shop_id = o.shop_id and i.order_id = o.order_id
          where o.shop_id = $1 and o.${PURCHASE_SQL} and o.status <> 'refunded' and i.category is not null
            and i.refunded_quantity < i.quantity and (o.ordered_at at time zone $3)::date <= $2::date
       ), gaps as (
         select customer_id, category, day, day - lag(day) over (partition by customer_id, category order by day) as gap
           from days
       ), cycles as (
         select customer_id, category, count(*)::int as purchase_days,
                percentile_cont(0.5) within group (order by gap) filter (where gap is not null) as cycle_days,
                max(day) as last_day
           from gaps
          group by customer_id, category
         having count(*) > 1
       )
       -- Due the cycle after the last purchase day, rounded half up to a whole day (as dayAfter does).
       select customer_id, category, purchase_days, cycle_days,
              last_day::timestamp at time zone $3 as last_purchase_at,
              (last_day + floor(cycle_days + 0.5)::int)::timestamp at time zone $3 as next_purchase_at
         from cycles`,
      [shopId, calibrationEnd, timeZone],
    );
    // A scratch table has no statistics until asked; without them the joins below are planned blind.
    await tx.query('analyze new_category_cycles');
    await tx.query(
      `merge into customer_category_cycles t
       using new_category_cycles s on t.shop_id = $1 and t.customer_id = s.customer_id and t.category = s.category
       when matched and (t.purchase_days, t.cycle_days, t.last_purchase_at, t.next_purchase_at)
                        is distinct from (s.purchase_days, s.cycle_days, s.last_purchase_at, s.next_purchase_at) then
         update set purchase_days = s.purchase_days, cycle_days = s.cycle_days,
                    last_purchase_at = s.last_purchase_at, next_purchase_at = s.next_purchase_at
       when not matched then
         insert values ($1, s.customer_id, s.category, s.purchase_days, s.cycle_days, s.last_purchase_at, s.next_purchase_at)`,
      [shopId],
    );
    await tx.query(
      `delete from customer_category_cycles t
        where t.shop_id = $1
          and not exists (select 1 from new_category_cycles s where s.customer_id = t.customer_id and s.category = t.category)`,
      [shopId],
    );
  });
}

export async function latestModel(db: Queryable, shopId: string): Promise<PredictionModel | null> {
  const [row] = await db.query<PredictionModel>(
    `select model_id as "modelId", fitted_at as "fittedAt", calibration_end::text as "calibrationEnd", customers,
            purchases, gamma_gamma as "gammaGamma"
       from prediction_models where shop_id = $1 order by model_id desc limit 1`,
    [shopId],
  );
  return row ?? null;
}

export interface CategoryCycleRow {
  category: string;
  purchaseDays: number;
  cycleDays: number;
  lastPurchaseAt: Date;
  nextPurchaseAt: Date;
}

export async function customerCycles(
  db: Queryable,
  shopId: string,
  customerId: string,
): Promise<CategoryCycleRow[]> {
  return db.query<CategoryCycleRow>(
    `select category, purchase_days as "purchaseDays", cycle_days as "cycleDays", last_purchase_at as "lastPurchaseAt",
            next_purchase_at as "nextPurchaseAt"
       from customer_category_cycles where shop_id = $1 and customer_id = $2 order by next_purchase_at`,
    [shopId, customerId],
  );
}
