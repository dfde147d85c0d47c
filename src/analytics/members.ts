// A segment's members as a bitmap over customer numbers (migration 0014), for the passes over purchase
// days that would otherwise join each day to its customer's row to ask whether they are a member. Read
// once per request from the customer rows (a block of bits per 4,096 numbers), it goes into each pass
// as one parameter that every row tests by position: at a million customers 125 kB, against a hash of
// half a million uuids that spilled to disk (bench/RESULTS.md, the dashboard).
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

/** Customer numbers per block in the members' read: 512 bytes of bitmap each. */
const BLOCK = 4096;

export async function membersOf(db: Queryable, shopId: string, audienceAt: AudienceAt): Promise<Members> {
  const audience = audienceAt(2);
  // A block's members as a bit string (position j for number 4096·block + j), OR-ed together: an
  // aggregate PostgreSQL's parallel workers can each do part of (a list of numbers would not be, before
  // version 16). The planner knows the blocks are few from statistics (migration 0017).
  const blocks = await db.query<{ block: number; bits: string }>(
    `select (c.customer_no >> 12)::float8 as block,
            bit_or(set_bit(repeat('0', ${BLOCK})::bit(${BLOCK}), (c.customer_no & ${BLOCK - 1})::int, 1))::text as bits
       from customers c
      where c.shop_id = $1 and ${audience.where}
      group by c.customer_no >> 12`,
    [shopId, ...audience.params],
  );
  if (blocks.length === 0) return { base: 0, hex: '', size: 0 };
  let [first, last] = [Infinity, -Infinity];
  for (const b of blocks) [first, last] = [Math.min(first, b.block), Math.max(last, b.block)];
  const bytes = Buffer.alloc(((last - first + 1) * BLOCK) / 8);
  for (const b of blocks) {
    const at = (b.block - first) * BLOCK;
    for (let j = b.bits.indexOf('1'); j >= 0; j = b.bits.indexOf('1', j + 1)) setBit(bytes, at + j);
  }
  return { base: first * BLOCK, hex: bytes.toString('hex'), size: bytes.length * 8 };
}

/** Bit k of the bitmap in get_bit's numbering: byte k / 8, least significant bit first. */
function setBit(bytes: Buffer, k: number): void {
  bytes[k >> 3] = bytes[k >> 3]! | (1 << (k & 7));
}

/**
 * The same bitmap from the member numbers themselves, for a pass that collected them (the dashboard's
 * pass over the customer rows, on PGlite: analytics/standing.ts).
 */
export function membersFromNumbers(numbers: number[]): Members {
  if (numbers.length === 0) return { base: 0, hex: '', size: 0 };
  let [first, last] = [Infinity, -Infinity];
  for (const n of numbers) [first, last] = [Math.min(first, n), Math.max(last, n)];
  const bytes = Buffer.alloc(Math.ceil((last - first + 1) / 8));
  for (const n of numbers) setBit(bytes, n - first);
  return { base: first, hex: bytes.toString('hex'), size: bytes.length * 8 };
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
