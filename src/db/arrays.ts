// Array parameters in PostgreSQL's binary format. Ingestion hands each batch to the database as a few
// statements over arrays (`unnest($2::uuid[], …)`), thousands of elements each. Passed as JavaScript
// arrays, each driver writes them out as array text — every element quoted and escaped, the whole
// string's UTF-8 length counted character by character — and the server parses that text back, which
// on PGlite is the same thread. A Buffer is sent as a binary parameter by both drivers (node-postgres and
// PGlite) and read by the server's array_recv: for 5,000 rows of four columns, 32 ms a statement on PGlite
// as text, 11 ms so (bench/RESULTS.md). The statement must name the array's type (`$2::uuid[]`): the
// server checks each array's element type against it.

// Element type oids (pg_type), which array_recv compares with the type the statement gives the parameter.
const OID = { int8: 20, int4: 23, text: 25, uuid: 2950, timestamptz: 1184 } as const;

/** PostgreSQL's epoch (2000-01-01 UTC) in Unix milliseconds. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/** One array's bytes: the header (one dimension, from 1) and each element as its length and bytes. */
function encode<T>(
  values: readonly (T | null | undefined)[],
  oid: number,
  width: (v: T) => number,
  write: (buf: Buffer, offset: number, v: T) => void,
): Buffer {
  // Each element's width once (a text's is its UTF-8 length, a pass over it); -1 for null, as sent.
  const widths = values.map((v) => (v === null || v === undefined ? -1 : width(v)));
  const nulls = widths.includes(-1) ? 1 : 0;
  const buf = Buffer.allocUnsafe(widths.reduce((size, n) => size + 4 + Math.max(0, n), 20));
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(nulls, 4);
  buf.writeUInt32BE(oid, 8);
  buf.writeInt32BE(values.length, 12);
  buf.writeInt32BE(1, 16);
  let at = 20;
  for (const [i, v] of values.entries()) {
    const n = widths[i]!;
    buf.writeInt32BE(n, at);
    if (v !== null && v !== undefined) write(buf, at + 4, v);
    at += 4 + Math.max(0, n);
  }
  return buf;
}

/** A safe integer as an int8's eight bytes (two halves: no BigInt per element). */
function writeInt8(buf: Buffer, at: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new TypeError(`Not an integer for an int8 array: ${v}`);
  const high = Math.floor(v / 2 ** 32);
  buf.writeInt32BE(high, at);
  buf.writeUInt32BE(v - high * 2 ** 32, at + 4);
}

/** A uuid's hex digits in a spelling uuid_in reads: braces or none, a hyphen or none after each four. */
function otherSpelling(v: string): string {
  const bare = v.startsWith('{') && v.endsWith('}') ? v.slice(1, -1) : v;
  return /^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i.test(bare) ? bare.replaceAll('-', '') : '';
}

export const uuidArray = (values: readonly (string | null | undefined)[]): Buffer =>
  encode(
    values,
    OID.uuid,
    () => 16,
    (buf, at, v) => {
      // Every id here is canonical (8-4-4-4-12); other spellings PostgreSQL reads (no hyphens, braces)
      // take the slow way. A hex write stops at the first character that is not a hex digit, so a short
      // count means the text was no uuid.
      const hex =
        v.length === 36 && v[8] === '-' && v[13] === '-' && v[18] === '-' && v[23] === '-'
          ? v.slice(0, 8) + v.slice(9, 13) + v.slice(14, 18) + v.slice(19, 23) + v.slice(24)
          : otherSpelling(v);
      if (hex.length !== 32 || buf.write(hex, at, 16, 'hex') !== 16)
        throw new TypeError(`Not a uuid: ${JSON.stringify(v)}`);
    },
  );

export const textArray = (values: readonly (string | null | undefined)[]): Buffer =>
  encode(
    values,
    OID.text,
    (v) => Buffer.byteLength(v),
    (buf, at, v) => void buf.write(v, at),
  );

export const int4Array = (values: readonly (number | null | undefined)[]): Buffer =>
  encode(
    values,
    OID.int4,
    () => 4,
    (buf, at, v) => {
      if (!Number.isInteger(v)) throw new TypeError(`Not an integer for an int4 array: ${v}`);
      buf.writeInt32BE(v, at);
    },
  );

export const int8Array = (values: readonly (number | null | undefined)[]): Buffer =>
  encode(values, OID.int8, () => 8, writeInt8);

/** Instants as microseconds from 2000-01-01 UTC (what PostgreSQL stores; its builds here all do). */
export const timestamptzArray = (values: readonly (Date | null | undefined)[]): Buffer =>
  encode(
    values,
    OID.timestamptz,
    () => 8,
    (buf, at, v) => {
      const ms = v.getTime();
      if (Number.isNaN(ms)) throw new TypeError('Not a valid date for a timestamptz array');
      writeInt8(buf, at, (ms - PG_EPOCH_MS) * 1000);
    },
  );
