// UUID v7: time-ordered, so rows inserted together sit together in the primary-key index and events
// sort by creation without a second column.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(16 * 1024);
let offset = pool.length;

export function uuidv7(now = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = Buffer.alloc(16);
  b.writeUIntBE(now, 0, 6);
  pool.copy(b, 6, offset, offset + 10);
  offset += 10;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The smallest UUID v7 of a millisecond: every id made since sorts after it (a range scan's start). */
export function firstUuidv7At(ms: number): string {
  const h = Math.max(0, ms).toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7000-8000-000000000000`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/**
 * SQL for a UUID derived from a name (RFC 9562 version 8, the form for custom ids): the MD5 of the name
 * with the version and variant bits set, so the same name always gives the same id.
 */
export const derivedId = (name: string) =>
  `overlay(overlay(md5(${name}) placing '8' from 13) placing '8' from 17)::uuid`;
