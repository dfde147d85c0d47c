// Where each trigger finds its occurrences: one query per trigger type listing (customer, occurrence,
// when it occurred) for the occurrences that fell in a window of time. The occurrence names what happened
// ('order:<id>', 'birthday:2026', 'lapse:<last order>'), so a customer enters once per occurrence however
// often, and over however overlapping windows, the trigger is looked for.
//
// Each query reads what is already kept current and indexed: the customer row (last order, creation,
// points balance), a customer's orders and points through their per-customer indexes, the predicted
// purchase cycles, service cases by when they were resolved, and timeline events through their
// time-ordered (UUID v7) ids.
import { EXPIRING_LOTS_SQL } from '../../membership/expiry.js';
import { firstUuidv7At } from '../../db/ids.js';
import { PURCHASE_SQL } from '../../orders/status.js';
import { localDate, wallTimeToUtc } from '../../shops/calendar.js';
import type { Trigger } from './definition.js';

export interface TriggerQuery {
  /** Selects customer_id, occurrence, occurred_at; $1 is the shop, $2 and $3 the window (from, to]. */
  sql: string;
  params: unknown[];
}

const DAY_MS = 86_400_000;

/** An order paid this long after it was placed still starts the flow (the customer's last order is a guide). */
const PAYMENT_DELAY = `interval '30 days'`;

/**
 * The instants, within (from, to], at which a local calendar day `offsetDays` before (month, day) reaches
 * `hour` in the shop's time zone — with the year of the (month, day) they lead up to.
 */
export function localMoments(
  from: Date,
  to: Date,
  timeZone: string,
  hour: number,
  offsetDays: number,
): { at: Date; month: number; day: number; year: number }[] {
  const out: { at: Date; month: number; day: number; year: number }[] = [];
  const first = localDate(new Date(from.getTime() - DAY_MS), timeZone);
  for (let n = 0; ; n += 1) {
    const wall = Date.UTC(first.year, first.month - 1, first.day + n, hour);
    const at = wallTimeToUtc(wall, timeZone);
    if (at.getTime() > to.getTime()) return out;
    if (at.getTime() <= from.getTime()) continue;
    const target = new Date(wall + offsetDays * DAY_MS);
    out.push({
      at,
      month: target.getUTCMonth() + 1,
      day: target.getUTCDate(),
      year: target.getUTCFullYear(),
    });
  }
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function triggerQuery(
  trigger: Trigger,
  ctx: { timeZone: string; tierKeys: readonly string[]; from: Date; to: Date },
): TriggerQuery {
  switch (trigger.type) {
    case 'order_paid':
      // Through the customer row: only buyers whose last order is recent have an order to look at. An
      // order wholly refunded by the time it is looked at starts no care.
      return {
        sql: `select o.customer_id, 'order:' || o.order_id as occurrence, coalesce(o.paid_at, o.ordered_at) as occurred_at
                from customers c
                join orders o on o.shop_id = c.shop_id and o.customer_id = c.customer_id
                 and o.ordered_at > $2::timestamptz - ${PAYMENT_DELAY}
               where c.shop_id = $1 and c.last_order_at > $2::timestamptz - ${PAYMENT_DELAY}
                 and o.${PURCHASE_SQL} and o.status <> 'refunded'
                 and coalesce(o.paid_at, o.ordered_at) > $2 and coalesce(o.paid_at, o.ordered_at) <= $3`,
        params: [],
      };
    case 'no_order':
      // A lapse is the time since the last order; a new order starts another (a new occurrence).
      return {
        sql: `select c.customer_id, 'lapse:' || to_char(c.last_order_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                     c.last_order_at + make_interval(days => $4)
                from customers c
               where c.shop_id = $1 and c.last_order_at > $2::timestamptz - make_interval(days => $4)
                 and c.last_order_at <= $3::timestamptz - make_interval(days => $4)`,
        params: [trigger.days],
      };
    case 'purchase_cycle':
      return {
        sql: `select y.customer_id, 'cycle:' || y.category || ':' || (y.last_purchase_at at time zone 'UTC')::date,
                     y.next_purchase_at - make_interval(days => $4)
                from customer_category_cycles y
               where y.shop_id = $1 and ($5::text is null or y.category = lower($5))
                 and y.next_purchase_at > $2::timestamptz + make_interval(days => $4)
                 and y.next_purchase_at <= $3::timestamptz + make_interval(days => $4)`,
        params: [trigger.daysBefore, trigger.category ?? null],
      };
    case 'birthday': {
      // 29 February birthdays are kept on the 28th in other years.
      const moments = localMoments(ctx.from, ctx.to, ctx.timeZone, trigger.hour, trigger.daysBefore);
      const leapDays = moments.filter((m) => m.month === 2 && m.day === 28 && !isLeap(m.year));
      return {
        sql: `select c.customer_id, 'birthday:' || m.year, m.at
                from unnest($4::timestamptz[], $5::int[], $6::int[], $7::int[]) as m(at, month, day, year)
                join customers c on c.shop_id = $1 and c.birthday is not null
                 and extract(month from c.birthday) = m.month
                 and (extract(day from c.birthday) = m.day
                      or (m.month = 2 and m.day = 28 and extract(day from c.birthday) = 29 and m.year = any($8::int[])))`,
        params: [
          moments.map((m) => m.at.toISOString()),
          moments.map((m) => m.month),
          moments.map((m) => m.day),
          moments.map((m) => m.year),
          leapDays.map((m) => m.year),
        ],
      };
    }
    case 'date': {
      const moments = localMoments(ctx.from, ctx.to, ctx.timeZone, trigger.hour, 0).filter(
        (m) =>
          m.month === trigger.month &&
          m.day === trigger.day &&
          (trigger.year === undefined || m.year === trigger.year),
      );
      return {
        sql: `select c.customer_id, 'date:' || to_char(m.at at time zone 'UTC', 'YYYY-MM-DD'), m.at
                from unnest($4::timestamptz[]) as m(at)
                join customers c on c.shop_id = $1`,
        params: [moments.map((m) => m.at.toISOString())],
      };
    }
    case 'tier_upgraded': {
      const rank = trigger.tier ? ctx.tierKeys.indexOf(trigger.tier) : 0;
      return {
        sql: `select e.customer_id, 'tier:' || e.event_id, e.occurred_at
                from customer_events e
               where e.shop_id = $1 and e.event_id >= $4::uuid and e.type = 'tier.changed'
                 and e.occurred_at > $2 and e.occurred_at <= $3
                 and (e.data->>'to')::int > coalesce((e.data->>'from')::int, -1)
                 and (e.data->>'to')::int >= $5`,
        // Events are written when they occur; an hour's slack covers clocks and long transactions.
        params: [firstUuidv7At(ctx.from.getTime() - 3_600_000), Math.max(rank, 0)],
      };
    }
    case 'service_resolved':
      // Once per case: a case reopened and resolved again does not start the flow a second time.
      return {
        sql: `select k.customer_id, 'service:' || k.case_id, k.resolved_at
                from service_cases k
               where k.shop_id = $1 and k.resolved_at > $2 and k.resolved_at <= $3
                 and ($4::text is null or k.kind = $4)`,
        params: [trigger.kind ?? null],
      };
    case 'joined':
      // A bulk import brings people who joined long ago, and so does a profile whose first order is far
      // older than the profile (history sent through the API): neither is a new member. An offline card
      // bound to a profile is one (the customer joined the member programme in a store).
      return {
        sql: `select c.customer_id, 'joined', c.created_at
                from customers c
               where c.shop_id = $1 and c.created_at > $2 and c.created_at <= $3
                 and c.first_source not like 'import:%' and c.first_source <> 'demo'
                 and (c.first_order_at is null or c.first_order_at > c.created_at - interval '1 day')
              union all
              select e.customer_id, 'joined', e.occurred_at
                from customer_events e
               where e.shop_id = $1 and e.event_id >= $4::uuid and e.type = 'card.bound'
                 and e.occurred_at > $2 and e.occurred_at <= $3`,
        params: [firstUuidv7At(ctx.from.getTime() - 3_600_000)],
      };
    case 'points_expiring':
      return {
        sql: `select p.customer_id, 'expiry:' || to_char(p.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
                     p.notice_at
                from (${EXPIRING_LOTS_SQL}) p`,
        params: [trigger.daysBefore],
      };
  }
}
