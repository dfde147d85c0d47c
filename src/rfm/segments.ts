// The named RFM segments, from the recency and frequency scores (first matching rule wins; every one of
// the 25 cells has a name). Monetary value is scored too and shown beside them, but does not name them.
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'cant_lose',
  'at_risk',
  'lost',
  'hibernating',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

interface Rule {
  segment: RfmSegment;
  r: [number, number];
  f: [number, number];
}

export const SEGMENT_RULES: readonly Rule[] = [
  { segment: 'champions', r: [5, 5], f: [4, 5] },
  { segment: 'loyal', r: [3, 4], f: [4, 5] },
  { segment: 'potential_loyalist', r: [4, 5], f: [2, 3] },
  { segment: 'new', r: [5, 5], f: [1, 1] },
  { segment: 'promising', r: [4, 4], f: [1, 1] },
  { segment: 'need_attention', r: [3, 3], f: [3, 3] },
  { segment: 'about_to_sleep', r: [3, 3], f: [1, 2] },
  { segment: 'cant_lose', r: [1, 2], f: [5, 5] },
  { segment: 'at_risk', r: [1, 2], f: [3, 4] },
  { segment: 'lost', r: [1, 1], f: [1, 1] },
  { segment: 'hibernating', r: [1, 2], f: [1, 2] },
];

export function segmentOf(r: number, f: number): RfmSegment {
  const rule = SEGMENT_RULES.find((x) => r >= x.r[0] && r <= x.r[1] && f >= x.f[0] && f <= x.f[1]);
  if (!rule) throw new Error(`no RFM segment for R${r} F${f}`);
  return rule.segment;
}

/** The same rules as a SQL CASE over the score columns (built from the constants above, no input). */
export function segmentSql(r: string, f: string): string {
  const whens = SEGMENT_RULES.map(
    (x) =>
      `when ${r} between ${x.r[0]} and ${x.r[1]} and ${f} between ${x.f[0]} and ${x.f[1]} then '${x.segment}'`,
  );
  return `case ${whens.join(' ')} end`;
}
