// A segment's members as a bitmap over customer numbers (migration 0014), for the passes over purchase
// days that would otherwise join each day to its customer's row to ask whether they are a member. Read
// once per request from the customer rows (a word per 64 numbers), it goes into each pass as one
// parameter that every row tests by position: at a million customers 125 kB, against a hash of half a
// million uuids that spilled to disk (bench/RESULTS.md, the dashboard).
import type { Queryable } from '../db/db.js';
import type { AudienceAt } from './period.js';

export interface Members {
  /** The customer number of the bitmap's first bit. */
  base: number;
  /** The bitmap as hex, bit k (least significant first within each byte) for customer number base + k. */
  hex: string;
  /** How many bits it holds. */
  size: number;
}

export async function membersOf(db: Queryable, shopId: string, audienceAt: AudienceAt): Promise<Members> {
  const audience = audienceAt(2);
  const words = await db.query<{ word: number; bits: string }>(
    `select (c.customer_no >> 6)::float8 as word, bit_or(1::int8 << (c.customer_no & 63)::int)::text as bits
       from customers c
      where c.shop_id = $1 and ${audience.where}
      group by 1`,
    [shopId, ...audience.params],
  );
  if (words.length === 0) return { base: 0, hex: '', size: 0 };
  let [first, last] = [Infinity, -Infinity];
  for (const w of words) [first, last] = [Math.min(first, w.word), Math.max(last, w.word)];
  const bytes = Buffer.alloc((last - first + 1) * 8);
  // Little-endian words put number 64·word + j in byte j / 8, bit j mod 8: get_bit's numbering.
  for (const w of words) bytes.writeBigUInt64LE(BigInt.asUintN(64, BigInt(w.bits)), (w.word - first) * 8);
  return { base: first * 64, hex: bytes.toString('hex'), size: bytes.length * 8 };
}

/**
 * SQL that is true when `no` (a customer number) is a member, given the parameters holding
 * `members.base`, `members.hex` and `members.size`, in that order from `firstParam`. The bitmap is
 * decoded once per statement (an uncorrelated subquery), not per row.
 */
export function isMember(no: string, firstParam: number): string {
  const [base, hex, size] = [firstParam, firstParam + 1, firstParam + 2].map((p) => `$${p}`);
  return `case when ${no} >= ${base}::int8 and ${no} < ${base}::int8 + ${size}::int8
               then get_bit((select decode(${hex}::text, 'hex')), ${no} - ${base}::int8) = 1
               else false end`;
}

export const memberParams = (m: Members): unknown[] => [m.base, m.hex, m.size];
