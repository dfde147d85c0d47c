// The rule tree as the API takes it (src/segments/rule.ts), and the catalog of what a rule may use.
export type Rule =
  | { type: 'and' | 'or'; rules: Rule[] }
  | { type: 'not'; rule: Rule }
  | { type: 'field'; field: string; op: string; value?: unknown }
  | {
      type: 'purchased';
      categories?: string[];
      skus?: string[];
      titleContains?: string[];
      brands?: string[];
      channel?: 'online' | 'offline';
      storeIds?: string[];
      withinDays?: number;
      minOrders?: number;
    }
  | { type: 'discountShare'; atLeast: number; minOrders?: number }
  | { type: 'nearNextTier'; spendWithinCents?: number; ordersWithin?: number }
  | { type: 'interacted'; kinds: string[]; withinDays?: number }
  | { type: 'consent'; channel: 'email' | 'sms'; status: 'opted_in' | 'opted_out' | 'none' }
  | {
      type: 'service';
      kinds?: string[];
      status?: 'open' | 'resolved';
      withinDays?: number;
      maxRating?: number;
      minCases?: number;
    };

export type Group = Extract<Rule, { type: 'and' | 'or' }>;

export interface FieldInfo {
  field: string;
  type: 'text' | 'choice' | 'number' | 'time' | 'tier' | 'tags';
  operators: string[];
  choices?: string[];
  integer: boolean;
}

export interface Catalog {
  fields: FieldInfo[];
  tiers: string[];
  tags: string[];
  interactions: string[];
}

export const EMPTY_RULE: Group = { type: 'and', rules: [] };

/** The rule as a group at the top, however it was saved, so the editor always has a group to show. */
export const asGroup = (rule: Rule | null): Group =>
  !rule ? EMPTY_RULE : rule.type === 'and' || rule.type === 'or' ? rule : { type: 'and', rules: [rule] };

/** A first value that fits the operator, so a new condition is valid as soon as it is added. */
export function defaultValue(info: FieldInfo, op: string, catalog: Catalog): unknown {
  if (op === 'isSet' || op === 'isNotSet') return undefined;
  if (info.type === 'tags') return catalog.tags.slice(0, 1);
  if (info.type === 'tier')
    return op === 'in' || op === 'notIn' ? catalog.tiers.slice(0, 1) : catalog.tiers[0];
  if (info.type === 'choice') {
    return op === 'in' || op === 'notIn' ? info.choices!.slice(0, 1) : info.choices![0];
  }
  if (info.type === 'time') {
    if (op === 'before' || op === 'onOrAfter') return new Date().toISOString().slice(0, 10);
    if (op === 'between')
      return [new Date().toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)];
    return 90;
  }
  if (info.type === 'number') return op === 'between' ? [0, 1] : 1;
  return op === 'in' || op === 'notIn' ? [] : '';
}

/** Amounts are typed in currency units and sent in minor units. */
export const isMoney = (field: string) => field.endsWith('Cents');

/** A list typed as text: commas (either width) separate the entries. */
export function parseList(text: string): string[] {
  return text
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
