// What a rule needs from the shop to compile: its time zone (for dates), its tier names (a tier condition
// names a tier), its tier program and the member year kept for it (near the next tier), and its tags (a
// tag condition names tags).
import type { Queryable } from '../db/db.js';
import { getProgram } from '../membership/program.js';
import { memberYearClock } from '../membership/year.js';
import { getShop } from '../shops/shops.js';
import type { SegmentContext } from './compile.js';

export async function segmentContext(
  db: Queryable,
  shopId: string,
  now = new Date(),
): Promise<SegmentContext> {
  const shop = await getShop(db, shopId);
  const { program } = await getProgram(db, shopId);
  const tags = await db.query<{ name: string; tagId: string }>(
    'select name, tag_id as "tagId" from tags where shop_id = $1',
    [shopId],
  );
  return {
    shopId,
    timeZone: shop.timeZone,
    tierKeys: program.tiers.map((t) => t.name),
    grading: program,
    // Read only where it is used: a lifetime program keeps no member year, and counts come per keystroke.
    yearFrom: program.window === 'rolling_12_months' ? (await memberYearClock(db, shopId)).yearFrom : null,
    tagIds: new Map(tags.map((t) => [t.name, t.tagId])),
    now,
  };
}
