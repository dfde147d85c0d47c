import { useState, type FormEvent } from 'react';
import { api, type Customer, type Shop } from '../../api.js';
import { formatPhone } from '../../format.js';
import { useI18n, type Key } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import { Facts } from './Facts.js';

/** The fields staff may write, each with its label; phone and email can be replaced, not cleared. */
const FIELDS = [
  ['name', 'customers.name'],
  ['phone', 'customers.phone'],
  ['email', 'customers.email'],
  ['gender', 'profile.gender'],
  ['birthday', 'profile.birthday'],
  ['country', 'profile.country'],
  ['province', 'profile.province'],
  ['city', 'profile.city'],
  ['address', 'profile.address'],
  ['company', 'profile.company'],
  ['jobTitle', 'profile.jobTitle'],
] as const satisfies readonly (readonly [keyof Customer, Key])[];
type Field = (typeof FIELDS)[number][0];
/** Each profile field's label, for the timeline's "profile updated" too (where imports may fill a card). */
export const FIELD_LABELS: Record<string, Key> = {
  ...Object.fromEntries(FIELDS),
  memberCard: 'profile.memberCard',
};
const REPLACED_ONLY: readonly Field[] = ['phone', 'email'];

/** A profile field's value as the page shows it: a phone the way staff write it, a gender in words. */
export function fieldText(
  field: string,
  value: string,
  region: string,
  label: (k: string) => string,
): string {
  if (field === 'phone') return formatPhone(value, region);
  if (field === 'gender') return label(`segments.choice.${value}`);
  return value;
}

/**
 * What the profile says of the person, and the form staff correct it with: only the fields changed are
 * sent, and what staff write stands against later orders and imports (the API's PATCH).
 */
export function FundamentalsCard({
  shop,
  customer: c,
  onSaved,
}: {
  shop: Shop;
  customer: Customer;
  onSaved: () => void;
}) {
  const { t, label } = useI18n();
  const [draft, setDraft] = useState<Record<Field, string> | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const shown = (f: Field) =>
    f === 'phone' && c.phone ? formatPhone(c.phone, shop.phoneRegion) : (c[f] ?? '');

  const facts: [Key, string | null][] = [
    ['customers.phone', c.phone && fieldText('phone', c.phone, shop.phoneRegion, label)],
    ['customers.email', c.email],
    ['profile.memberCard', c.memberCard],
    ['profile.gender', c.gender && fieldText('gender', c.gender, shop.phoneRegion, label)],
    ['profile.birthday', c.birthday],
    ['profile.location', [c.country, c.province, c.city].filter(Boolean).join(' ') || null],
    ['profile.address', c.address],
    ['profile.company', c.company],
    ['profile.jobTitle', c.jobTitle],
    ['profile.firstSource', c.firstSource],
  ];

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const changes: Partial<Record<Field, string | null>> = {};
    for (const [f] of FIELDS) {
      const value = draft[f].trim();
      if (value === shown(f)) continue;
      if (value === '' && REPLACED_ONLY.includes(f)) continue;
      changes[f] = value === '' ? null : value;
    }
    void attempt(async () => {
      if (Object.keys(changes).length > 0) {
        await api(`/api/customers/${c.customerId}`, { method: 'PATCH', body: JSON.stringify(changes) });
        onSaved();
      }
      setDraft(null);
    });
  };

  return (
    <div className="card" data-testid="fundamentals">
      <h2>{t('profile.fundamentals')}</h2>
      {draft === null ? (
        <>
          <Facts facts={facts.filter((f): f is [Key, string] => Boolean(f[1]))} />
          {!c.erasedAt && (
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  setDraft(Object.fromEntries(FIELDS.map(([f]) => [f, shown(f)])) as Record<Field, string>)
                }
              >
                {t('profile.edit')}
              </button>
            </div>
          )}
        </>
      ) : (
        <form className="settings profile-edit" onSubmit={save}>
          {FIELDS.map(([f, key]) => (
            <label key={f}>
              {t(key)}
              {f === 'gender' ? (
                <select value={draft.gender} onChange={(e) => setDraft({ ...draft, gender: e.target.value })}>
                  <option value="">—</option>
                  {(['female', 'male', 'other'] as const).map((g) => (
                    <option key={g} value={g}>
                      {t(`segments.choice.${g}`)}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  type={f === 'birthday' ? 'date' : f === 'email' ? 'email' : f === 'phone' ? 'tel' : 'text'}
                  value={draft[f]}
                  onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
                />
              )}
            </label>
          ))}
          <p className="muted">{t('profile.editHelp')}</p>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('profile.save')}
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              {t('profile.cancel')}
            </button>
          </div>
        </form>
      )}
      <Problem text={problem} />
    </div>
  );
}
