// Binary array parameters (db/arrays.ts) must reach the database as exactly the values the same arrays
// passed as text give: every element, null, edge of range and character, on both databases.
import { expect, it } from 'vitest';
import { int4Array, int8Array, textArray, timestamptzArray, uuidArray } from '../src/db/arrays.js';
import { describeEachDb } from './support/databases.js';

const uuids = ['01a22aa5-eb6d-7560-8dc8-38f60b224c41', null, 'FFFFFFFF-0000-4000-8000-00000000000a'];
const texts = [
  '',
  null,
  'plain',
  'a "quoted", {braced} \\ back',
  '洁面乳 · oily skin 🧴',
  'NULL',
  ' spaced ',
];
const int4s = [0, null, -1, 2147483647, -2147483648];
const int8s = [0, null, -1, 2 ** 40 + 7, -(2 ** 53 - 1), 2 ** 53 - 1, 2147483648];
const times = [
  new Date('2026-11-30T04:11:00.123Z'),
  null,
  new Date('1999-12-31T23:59:59.999Z'),
  new Date('2000-01-01T00:00:00.000Z'),
  new Date('1970-01-01T00:00:00.001Z'),
  new Date('2199-06-30T12:00:00.000Z'),
];

describeEachDb('binary array parameters', ({ db }) => {
  /** Each array's elements back as text, in order, as the server reads them. */
  const back = (type: string, param: unknown) =>
    db()
      .query<{ v: string | null }>(
        `select v::text from unnest($1::${type}[]) with ordinality as a(v, n) order by n`,
        [param],
      )
      .then((rows) => rows.map((r) => r.v));

  it('reads every element as the same array passed as text does', async () => {
    const cases: [string, unknown[], Buffer][] = [
      ['uuid', uuids, uuidArray(uuids)],
      ['text', texts, textArray(texts)],
      ['int4', int4s, int4Array(int4s)],
      ['int8', int8s, int8Array(int8s)],
      ['timestamptz', times.map((t) => t?.toISOString() ?? null), timestamptzArray(times)],
    ];
    for (const [type, plain, binary] of cases) {
      const expected = await back(type, plain);
      expect(expected).toHaveLength(plain.length);
      expect(await back(type, binary), type).toEqual(expected);
    }
    // And the values are the ones meant, not merely read alike.
    expect(await back('uuid', uuidArray(uuids))).toEqual([uuids[0], null, uuids[2]!.toLowerCase()]);
    expect(await back('int8', int8Array(int8s))).toEqual(int8s.map((v) => (v === null ? null : String(v))));
    const [row] = await db().query<{ ms: number[] }>(
      `select array_agg((extract(epoch from t) * 1000)::float8 order by n) as ms
         from unnest($1::timestamptz[]) with ordinality as a(t, n) where t is not null`,
      [timestamptzArray(times)],
    );
    expect(row!.ms).toEqual(times.filter((t) => t !== null).map((t) => t.getTime()));
  });

  it('passes empty arrays and arrays of nulls', async () => {
    expect(await back('uuid', uuidArray([]))).toEqual([]);
    expect(await back('text', textArray([null, undefined]))).toEqual([null, null]);
    const [row] = await db().query<{ n: number }>('select cardinality($1::int8[]) as n', [int8Array([])]);
    expect(row!.n).toBe(0);
  });

  it('is refused by a statement that gives the parameter another element type', async () => {
    await expect(db().query('select unnest($1::int8[])', [int4Array([1, 2])])).rejects.toThrow(
      /array element type 23 .* instead of expected 20/,
    );
  });
});

it('refuses values that are not of the array type before sending anything', () => {
  expect(() => uuidArray(['01a22aa5-eb6d-7560-8dc8-38f60b224c4'])).toThrow(/Not a uuid/);
  expect(() => uuidArray(['01a22aa5-eb6d-7560-8dc8-38f60b224cxx'])).toThrow(/Not a uuid/);
  expect(() => uuidArray(['01a22aa5eb6d75608dc838f60b224c4'])).toThrow(/Not a uuid/);
  expect(() => uuidArray(['01a22aa5-eb6d-7560-8dc8-38f60b224c41-'])).toThrow(/Not a uuid/);
  // The other spellings PostgreSQL reads are the same bytes.
  const canonical = uuidArray(['01a22aa5-eb6d-7560-8dc8-38f60b224c41']);
  expect(uuidArray(['01a22aa5eb6d75608dc838f60b224c41'])).toEqual(canonical);
  expect(uuidArray(['{01a22aa5-eb6d-7560-8dc8-38f60b224c41}'])).toEqual(canonical);
  expect(() => int4Array([1.5])).toThrow(/Not an integer/);
  expect(() => int4Array([2147483648])).toThrow(RangeError);
  expect(() => int8Array([2 ** 53])).toThrow(/Not an integer/);
  expect(() => int8Array([Number.NaN])).toThrow(/Not an integer/);
  expect(() => timestamptzArray([new Date('nope')])).toThrow(/Not a valid date/);
});
