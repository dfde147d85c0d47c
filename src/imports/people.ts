// A customers export read as people: one a row, named as an order names its buyer, with the marketing
// consent the row states per channel, the shop's note on them and their tags.
import type { Channel } from '../customers/consent.js';
import { normalizePerson } from '../customers/person.js';
import type { PersonInput } from '../customers/resolve.js';
import type { Shop } from '../shops/shops.js';
import { customerRef, Problems, reportNormalizeErrors, type Parsed, type Row } from './rows.js';

/**
 * A person from a customers export, with the marketing consent it states per channel (if any), the
 * shop's note on them and the tags it gave them.
 */
export interface ImportedPerson {
  rowNo: number;
  person: PersonInput;
  consents: { channel: Channel; status: 'opted_in' | 'opted_out' }[];
  note: string | null;
  tags: string[];
}

/** Tags as an export lists them: comma-separated (Shopify), or with the Chinese comma. */
function tagsOf(row: Row, problems: Problems): string[] {
  const names = [
    ...new Set(
      row
        .get('tags')
        .split(/[,，]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  const long = names.find((n) => n.length > 100);
  if (long) problems.add(row, 'tags', `a tag name is at most 100 characters: ${long.slice(0, 20)}…`);
  if (names.length > 50) problems.add(row, 'tags', 'at most 50 tags a customer');
  return names;
}

function noteOf(row: Row, problems: Problems): string | null {
  const note = row.get('note').trim();
  if (note.length > 4000) problems.add(row, 'note', 'a note is at most 4,000 characters');
  return note || null;
}

const YES = new Set(['yes', 'y', 'true', '1', '是']);
const NO = new Set(['no', 'n', 'false', '0', '否']);

function consentsOf(row: Row, problems: Problems): ImportedPerson['consents'] {
  const out: ImportedPerson['consents'] = [];
  for (const [field, channel] of [
    ['accepts_email', 'email'],
    ['accepts_sms', 'sms'],
  ] as const) {
    const v = row.get(field).toLowerCase();
    if (!v) continue;
    if (YES.has(v)) out.push({ channel, status: 'opted_in' });
    else if (NO.has(v)) out.push({ channel, status: 'opted_out' });
    else problems.add(row, field, 'not yes or no');
  }
  return out;
}

export function personFromRow(row: Row, shop: Shop, source: string): Parsed<ImportedPerson> {
  const problems = new Problems();
  if (row.encodingBroken) problems.add(row, null, 'bad encoding: the row has bytes that are not valid text');
  const ref = customerRef(row, row.binding.format, source, problems);
  const consents = consentsOf(row, problems);
  const note = noteOf(row, problems);
  const tags = tagsOf(row, problems);
  const result = normalizePerson(ref, shop);
  if (!result.ok) reportNormalizeErrors(row, result.errors, problems);
  if (problems.list.length > 0 || !result.ok) return { ok: false, errors: problems.list };
  return { ok: true, value: { rowNo: row.rowNo, person: result.person, consents, note, tags } };
}
