// The membership work that runs on the calendar: the periodic tier review (first day of each month,
// quarter or year) and the nightly expiry of points, both at midnight in the shop's time zone, and for a
// rolling-year program the daily move of the member year (year.ts), when the window's start moves.
import type { Db, Queryable } from '../db/db.js';
import { enqueueJob, type Job } from '../jobs/jobs.js';
import type { Handlers } from '../jobs/runner.js';
import { localDate, nextMidnight, startOfLocalDay } from '../shops/calendar.js';
import { lotExpiry } from './earning.js';
import { expireDue, expirePoints } from './expiry.js';
import {
  DEFAULT_PROGRAM,
  getProgram,
  MemberProgram,
  SHORTEST_EXPIRY_DAYS,
  type StoredProgram,
} from './program.js';
import { gradeAll } from './tiers.js';
import { keepMemberYear } from './year.js';
import { yearIsCurrent } from './grading.js';

export const REGRADE = 'tiers.regrade';
export const REVIEW = 'tiers.review';
export const EXPIRE = 'points.expire';
export const YEAR = 'tiers.year';

type ShopClock = { shopId: string; timeZone: string };

const MONTHS = { month: 1, quarter: 3, year: 12 } as const;

/** The first review after `at`: the next start of a month, quarter or year, local midnight. */
export function nextReview(every: MemberProgram['review']['every'], at: Date, timeZone: string): Date {
  const { year, month } = localDate(at, timeZone);
  const step = MONTHS[every];
  const next = Math.floor((month - 1) / step) * step + step; // months since January of `year`
  return startOfLocalDay(year, next + 1, 1, timeZone);
}

/** Queues the reviews and expiries that have fallen due, and sets each shop's next times. */
export async function scheduleMembership(db: Db, at: Date): Promise<void> {
  const shops = await db.query<{
    shopId: string;
    timeZone: string;
    program: unknown;
    nextReviewAt: Date | null;
    nextExpiryAt: Date | null;
    rolling: boolean;
    yearFrom: Date | null;
  }>(
    `select s.shop_id as "shopId", s.time_zone as "timeZone", m.program,
            m.next_review_at as "nextReviewAt", m.next_expiry_at as "nextExpiryAt",
            coalesce(m.program->>'window' = 'rolling_12_months', false) as rolling, m.year_from as "yearFrom"
       from shops s left join membership_programs m using (shop_id)`,
  );
  for (const s of shops) {
    // Queued again each minute until it has run: a job already waiting takes the place of another.
    if (s.rolling && !yearIsCurrent(s.yearFrom, at, s.timeZone)) await enqueueJob(db, s.shopId, YEAR);
    // Most minutes nothing is due, and nothing is written.
    if (s.nextReviewAt && s.nextReviewAt > at && s.nextExpiryAt && s.nextExpiryAt > at) continue;
    const program = s.program ? MemberProgram.parse(s.program) : DEFAULT_PROGRAM;
    let review = s.nextReviewAt ?? nextReview(program.review.every, at, s.timeZone);
    let expiry = s.nextExpiryAt ?? nextMidnight(at, s.timeZone);
    await db.transaction(async (tx) => {
      if (review <= at) {
        await enqueueJob(tx, s.shopId, REVIEW, { dueAt: review.toISOString() });
        review = nextReview(program.review.every, at, s.timeZone);
      }
      if (expiry <= at) {
        await enqueueJob(tx, s.shopId, EXPIRE, { dueAt: expiry.toISOString() });
        expiry = nextMidnight(at, s.timeZone);
      }
      await tx.query(
        `insert into membership_programs (shop_id, program, next_review_at, next_expiry_at) values ($1, $2, $3, $4)
         on conflict (shop_id) do update set next_review_at = excluded.next_review_at, next_expiry_at = excluded.next_expiry_at`,
        [s.shopId, JSON.stringify(program), review.toISOString(), expiry.toISOString()],
      );
    });
  }
}

/**
 * Whether an order placed at `ordered` earns points that are due by `at`. Lots expire later the later
 * they are earned, so the oldest order of a batch answers for all of it.
 */
async function earnsDuePoints(
  db: Queryable,
  shop: ShopClock,
  ordered: Date | null,
  at: Date,
): Promise<boolean> {
  // Points earned within the shortest expiry cannot be due: an order of today (every webhook's) needs no
  // read of the program, which the ingestion has just read for itself.
  if (!ordered || at.getTime() - ordered.getTime() < SHORTEST_EXPIRY_DAYS * 86_400_000) return false;
  const { program } = await getProgram(db, shop.shopId);
  const expiry = lotExpiry(program.points.expiry, ordered, shop.timeZone);
  return expiry !== null && expiry <= at;
}

/**
 * After an import of history: if its oldest order could have earned points that are due by now, the
 * expiry runs now rather than at midnight, so those points are not spendable, nor counted by segments on
 * the balance, for the rest of the day. One run for the whole shop, since such a file has many buyers.
 */
export async function queueExpiryIfDue(
  db: Db,
  shop: ShopClock,
  oldestOrder: Date | null,
  at: Date,
): Promise<Job | null> {
  if (!(await earnsDuePoints(db, shop, oldestOrder, at))) return null;
  return enqueueJob(db, shop.shopId, EXPIRE, { dueAt: at.toISOString() });
}

/**
 * After orders from the past came in through the API (a backfill, or a store's late upload), in their
 * transaction: their buyers' points already due expire at once, as the import's do after the file.
 * `ordered` is the oldest of the orders.
 */
export async function expireBuyersIfDue(
  tx: Queryable,
  shop: ShopClock,
  customerIds: string[],
  ordered: Date,
  at: Date,
): Promise<void> {
  if (await earnsDuePoints(tx, shop, ordered, at)) await expireDue(tx, shop.shopId, at, { customerIds });
}

/** When the shop's next review runs, by its stored program: when a hold set "until the next review" ends. */
export function holdUntilNextReview(stored: StoredProgram, timeZone: string, at: Date): Date {
  return stored.nextReviewAt && stored.nextReviewAt > at
    ? stored.nextReviewAt
    : nextReview(stored.program.review.every, at, timeZone);
}

async function customerCount(db: Db, shopId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'select count(*)::int8 as n from customers where shop_id = $1',
    [shopId],
  );
  return row!.n;
}

export const membershipJobs: Handlers = {
  async [REGRADE](db, job, progress) {
    // A program that now counts a rolling year starts keeping the member year; one that no longer does, stops.
    await keepMemberYear(db, job.shopId, new Date());
    const { program } = await getProgram(db, job.shopId);
    await progress(0, await customerCount(db, job.shopId));
    return { ...(await gradeAll(db, job.shopId, program, 'regrade', new Date(), (n) => progress(n))) };
  },
  async [REVIEW](db, job, progress) {
    const { program } = await getProgram(db, job.shopId);
    await progress(0, await customerCount(db, job.shopId));
    return { ...(await gradeAll(db, job.shopId, program, 'review', new Date(), (n) => progress(n))) };
  },
  async [EXPIRE](db, job, progress) {
    return { ...(await expirePoints(db, job.shopId, new Date(), (n) => progress(n))) };
  },
  async [YEAR](db, job) {
    return { ...(await keepMemberYear(db, job.shopId, new Date())) };
  },
};
