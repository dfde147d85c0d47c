// Where the audience stands: now — customers by tier and by RFM cell, the points the shop owes them —
// and against the period's lines — who had bought before it began and by its end, whose last purchase
// was before each dormancy line, whose first fell in each month it touches. One pass over the customer
// rows for all of it: at a million customers each pass over those wide rows (filtered by a segment's
// rule) costs about a second, which the dashboard would otherwise pay four times. (For all customers the
// second half comes from the shop-wide pair counts instead.)
import type { Queryable } from '../db/db.js';
import type { MemberProgram } from '../membership/program.js';
import { tierShares, type TierShare } from '../membership/distribution.js';
import { rfmCells, type RfmCell } from '../rfm/rfm.js';
import { membersFromNumbers, type Members } from './members.js';
import { addDays, monthList, monthsOf, periodOf, type AudienceAt, type Period } from './period.js';
import type { BuyerLines } from './dormancy.js';

export interface Standing {
  tiers: TierShare[];
  /** The last RFM scoring's grid. */
  rfm: RfmCell[];
  /** Balances now: the points the shop still owes, and the customers holding any. */
  outstanding: number;
  members: number;
  lines: BuyerLines;
  /** Customers by the month (YYYY-MM, shop time) of their first purchase, for each month the period touches. */
  firstPurchases: Map<string, number>;
  /** A segment's members as a bitmap, when asked to collect them. */
  segmentMembers: Members | null;
}

export async function standing(
  db: Queryable,
  shopId: string,
  program: MemberProgram,
  period: Period,
  dormantDays: number,
  audienceAt: AudienceAt,
  collectMembers = false,
): Promise<Standing> {
  const midnight = (day: string) => periodOf(day, day, period.timeZone).start.toISOString();
  // The months the period touches, and the local midnights that start each and end the last.
  const months = monthList(period);
  const { end } = monthsOf(period);
  const bounds = [...months.map((m) => midnight(`${m}-01`)), end.toISOString()];
  // For all customers the shop-wide pair counts hold the lines and first purchases (in 40 ms where
  // counting them on the rows would add a third to the pass), so the pass counts them for a segment only.
  const everyone = audienceAt(1).everyone;
  // Grouped by tier and cell together (a hundred groups at most, which a parallel pass hashes), then
  // added up each way. First purchases are counted per month in each group rather than grouped by
  // month: the planner cannot tell how few those months are and would sort the whole pass to group them.
  // The bounds are parameters $7 onwards, one each: an array's element read in each filter of each row
  // costs the pass a fifth more.
  const firstIn = months.map(
    (_, k) => `count(*) filter (where c.first_order_at >= $${7 + k} and c.first_order_at < $${8 + k})`,
  );
  const audience = audienceAt(everyone ? 3 : 7 + bounds.length);
  // The member numbers as text, a list per group: an int8[] would be parsed number by number.
  const collect = collectMembers && !everyone ? `string_agg(c.customer_no::text, ',') as numbers,` : '';
  const since = `array[${firstIn.join(', ')}]::int4[] as "firstPurchases",
       count(*) filter (where c.first_order_at < $3)::int8 as previous,
       count(*) filter (where c.first_order_at < $4)::int8 as buyers,
       count(*) filter (where c.last_order_at < $5)::int8 as "quietAtStart",
       count(*) filter (where c.last_order_at < $6)::int8 as "quietAtEnd",`;
  const pass = db.query<
    {
      rank: number;
      r: number | null;
      f: number | null;
      customers: number;
      spendCents: number;
      monetaryCents: number;
      outstanding: number;
      members: number;
    } & Partial<BuyerLines & { firstPurchases: number[]; numbers: string }>
  >(
    `select least(c.tier_rank, $2) as rank, c.rfm_r as r, c.rfm_f as f, ${everyone ? '' : since} ${collect}
            count(*)::int8 as customers,
            coalesce(sum(c.spend_cents - c.refunded_cents), 0)::int8 as "spendCents",
            coalesce(sum(c.rfm_monetary_cents), 0)::int8 as "monetaryCents",
            coalesce(sum(c.points_balance), 0)::int8 as outstanding,
            count(*) filter (where c.points_balance > 0)::int8 as members
       from customers c
      where c.shop_id = $1 and ${audience.where}
      group by 1, 2, 3`,
    everyone
      ? [shopId, program.tiers.length - 1]
      : [
          shopId,
          program.tiers.length - 1,
          period.start.toISOString(),
          period.end.toISOString(),
          // The dormancy lines: `dormantDays` before the period's first day, and before the day after its last.
          midnight(addDays(period.fromDay, -dormantDays)),
          midnight(addDays(period.toDay, 1 - dormantDays)),
          ...bounds,
          ...audience.params,
        ],
  );
  const [rows, shopWide] = await Promise.all([
    pass,
    everyone ? sinceOfEveryone(db, shopId, period, dormantDays, months) : null,
  ]);
  const byTier = new Map<number, { rank: number; customers: number; spendCents: number }>();
  const cells = new Map<string, { r: number; f: number; customers: number; monetaryCents: number }>();
  const { lines, firstPurchases } = shopWide ?? {
    lines: { previous: 0, buyers: 0, quietAtStart: 0, quietAtEnd: 0 },
    firstPurchases: new Map(months.map((m) => [m, 0])),
  };
  let outstanding = 0;
  let members = 0;
  const numbers: number[] = [];
  for (const x of rows) {
    if (x.numbers) for (const n of x.numbers.split(',')) numbers.push(Number(n));
    const tier = byTier.get(x.rank) ?? { rank: x.rank, customers: 0, spendCents: 0 };
    tier.customers += x.customers;
    tier.spendCents += x.spendCents;
    byTier.set(x.rank, tier);
    outstanding += x.outstanding;
    members += x.members;
    if (!shopWide) {
      for (const key of Object.keys(lines) as (keyof BuyerLines)[]) lines[key] += x[key]!;
      months.forEach((m, k) => firstPurchases.set(m, firstPurchases.get(m)! + x.firstPurchases![k]!));
    }
    if (x.r === null || x.f === null) continue;
    const cell = cells.get(`${x.r}:${x.f}`) ?? { r: x.r, f: x.f, customers: 0, monetaryCents: 0 };
    cell.customers += x.customers;
    cell.monetaryCents += x.monetaryCents;
    cells.set(`${x.r}:${x.f}`, cell);
  }
  return {
    tiers: tierShares(program, [...byTier.values()]),
    rfm: rfmCells([...cells.values()]),
    outstanding,
    members,
    lines,
    firstPurchases,
    segmentMembers: collect ? membersFromNumbers(numbers) : null,
  };
}

/**
 * The lines and first purchases of all customers, from the pair counts: the first purchase is a pair
 * from '-infinity', the last a pair to 'infinity'.
 */
async function sinceOfEveryone(
  db: Queryable,
  shopId: string,
  period: Period,
  days: number,
  months: string[],
): Promise<{ lines: BuyerLines; firstPurchases: Map<string, number> }> {
  const [[lines], firsts] = await Promise.all([
    db.query<BuyerLines>(
      `select coalesce(sum(customers) filter (where day = '-infinity' and next_day < $2), 0)::int as previous,
              coalesce(sum(customers) filter (where day = '-infinity' and next_day <= $3), 0)::int as buyers,
              coalesce(sum(customers) filter (where day > '-infinity' and day < $2::date - $4::int
                                                and next_day = 'infinity'), 0)::int as "quietAtStart",
              coalesce(sum(customers) filter (where day > '-infinity' and day <= $3::date - $4::int
                                                and next_day = 'infinity'), 0)::int as "quietAtEnd"
         from purchase_pairs where shop_id = $1`,
      [shopId, period.fromDay, period.toDay, days],
    ),
    db.query<{ month: string; customers: number }>(
      `select to_char(next_day, 'YYYY-MM') as month, sum(customers)::int as customers
         from purchase_pairs
        where shop_id = $1 and day = '-infinity' and next_day >= $2::date
          and next_day < $3::date + interval '1 month'
        group by 1`,
      [shopId, `${months[0]}-01`, `${months.at(-1)}-01`],
    ),
  ]);
  const firstPurchases = new Map(months.map((m) => [m, 0]));
  for (const f of firsts) firstPurchases.set(f.month, f.customers);
  return { lines: lines!, firstPurchases };
}
