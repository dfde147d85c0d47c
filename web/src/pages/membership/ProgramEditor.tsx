import { useState, type FormEvent } from 'react';
import { api, type MemberProgram, type StoredProgram, type Tier } from '../../api.js';
import { exponentOf } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { BonusList } from './BonusList.js';
import { Problem } from '../../Problem.js';

/** Amounts are edited in currency units and stored in minor units. */
function useUnits(currency: string) {
  const scale = 10 ** exponentOf(currency);
  return {
    show: (minor: number | null) => (minor === null ? '' : String(minor / scale)),
    read: (text: string) => (text.trim() === '' ? null : Math.round(Number(text) * scale)),
  };
}

const count = (text: string) => (text.trim() === '' ? null : Number(text));

const newTier = (n: number): Tier => ({
  name: `Tier ${n + 1}`,
  minSpendCents: null,
  minOrders: n + 1,
  keepSpendCents: null,
  keepOrders: null,
  benefits: {
    discountPercent: 0,
    pointsMultiplier: 1,
    freeShipping: false,
    birthdayGift: null,
    memberOffers: false,
    priorityService: false,
  },
});

export function ProgramEditor({
  stored,
  currency,
  onSaved,
}: {
  stored: StoredProgram;
  currency: string;
  onSaved: (saved: StoredProgram & { regrade: unknown }) => void;
}) {
  const { t } = useI18n();
  const units = useUnits(currency);
  const [p, setP] = useState<MemberProgram>(stored.program);
  const { problem, busy, attempt } = useAttempt();

  const setTier = (i: number, patch: Partial<Tier>) =>
    setP({ ...p, tiers: p.tiers.map((tier, n) => (n === i ? { ...tier, ...patch } : tier)) });
  const setBenefit = (i: number, patch: Partial<Tier['benefits']>) =>
    setTier(i, { benefits: { ...p.tiers[i]!.benefits, ...patch } });
  const setPoints = (patch: Partial<MemberProgram['points']>) =>
    setP({ ...p, points: { ...p.points, ...patch } });

  const save = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () =>
      onSaved(await api('/api/membership/program', { method: 'PUT', body: JSON.stringify(p) })),
    );
  };

  return (
    <form className="program" onSubmit={save} data-testid="program-editor">
      <table className="tiers">
        <thead>
          <tr>
            <th>{t('tiers.name')}</th>
            <th>{t('tiers.minSpend', { currency })}</th>
            <th>{t('tiers.minOrders')}</th>
            <th>{t('tiers.keepSpend', { currency })}</th>
            <th>{t('tiers.keepOrders')}</th>
            <th>{t('tiers.discount')}</th>
            <th>{t('tiers.multiplier')}</th>
            <th>{t('tiers.perks')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {p.tiers.map((tier, i) => (
            <tr key={i} data-testid="tier-row">
              <td>
                <input
                  aria-label={t('tiers.name')}
                  value={tier.name}
                  onChange={(e) => setTier(i, { name: e.target.value })}
                />
              </td>
              {i === 0 ? (
                <td colSpan={4} className="muted">
                  {t('tiers.entry')}
                </td>
              ) : (
                <>
                  <td>
                    <input
                      aria-label={t('tiers.minSpend', { currency })}
                      inputMode="decimal"
                      value={units.show(tier.minSpendCents)}
                      onChange={(e) => setTier(i, { minSpendCents: units.read(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('tiers.minOrders')}
                      inputMode="numeric"
                      value={tier.minOrders ?? ''}
                      onChange={(e) => setTier(i, { minOrders: count(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('tiers.keepSpend', { currency })}
                      inputMode="decimal"
                      placeholder={units.show(tier.minSpendCents)}
                      value={units.show(tier.keepSpendCents)}
                      onChange={(e) => setTier(i, { keepSpendCents: units.read(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={t('tiers.keepOrders')}
                      inputMode="numeric"
                      placeholder={tier.minOrders === null ? '' : String(tier.minOrders)}
                      value={tier.keepOrders ?? ''}
                      onChange={(e) => setTier(i, { keepOrders: count(e.target.value) })}
                    />
                  </td>
                </>
              )}
              <td>
                <input
                  aria-label={t('tiers.discount')}
                  inputMode="decimal"
                  value={tier.benefits.discountPercent}
                  onChange={(e) => setBenefit(i, { discountPercent: Number(e.target.value) })}
                />
              </td>
              <td>
                <input
                  aria-label={t('tiers.multiplier')}
                  inputMode="decimal"
                  value={tier.benefits.pointsMultiplier}
                  onChange={(e) => setBenefit(i, { pointsMultiplier: Number(e.target.value) })}
                />
              </td>
              <td className="perks">
                {(['freeShipping', 'memberOffers', 'priorityService'] as const).map((perk) => (
                  <label key={perk}>
                    <input
                      type="checkbox"
                      checked={tier.benefits[perk]}
                      onChange={(e) => setBenefit(i, { [perk]: e.target.checked })}
                    />{' '}
                    {t(`tiers.${perk}`)}
                  </label>
                ))}
                <input
                  aria-label={t('tiers.birthdayGift')}
                  placeholder={t('tiers.birthdayGift')}
                  value={tier.benefits.birthdayGift ?? ''}
                  onChange={(e) =>
                    setBenefit(i, { birthdayGift: e.target.value.trim() ? e.target.value : null })
                  }
                />
              </td>
              <td>
                {i > 0 && i === p.tiers.length - 1 && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => setP({ ...p, tiers: p.tiers.slice(0, -1) })}
                  >
                    {t('tiers.remove')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {p.tiers.length < 10 && (
        <button
          type="button"
          className="link"
          onClick={() => setP({ ...p, tiers: [...p.tiers, newTier(p.tiers.length)] })}
        >
          + {t('tiers.add')}
        </button>
      )}
      <div className="settings">
        <label>
          {t('tiers.window')}
          <select
            value={p.window}
            onChange={(e) => setP({ ...p, window: e.target.value as MemberProgram['window'] })}
          >
            <option value="lifetime">{t('tiers.window.lifetime')}</option>
            <option value="rolling_12_months">{t('tiers.window.rolling_12_months')}</option>
          </select>
        </label>
        <label>
          {t('tiers.match')}
          <select
            value={p.match}
            onChange={(e) => setP({ ...p, match: e.target.value as MemberProgram['match'] })}
          >
            <option value="any">{t('tiers.match.any')}</option>
            <option value="all">{t('tiers.match.all')}</option>
          </select>
        </label>
        <label>
          {t('tiers.reviewEvery')}
          <select
            value={p.review.every}
            onChange={(e) =>
              setP({
                ...p,
                review: { ...p.review, every: e.target.value as MemberProgram['review']['every'] },
              })
            }
          >
            {(['month', 'quarter', 'year'] as const).map((every) => (
              <option key={every} value={every}>
                {t(`tiers.every.${every}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('tiers.graceDays')}
          <input
            inputMode="numeric"
            value={p.review.graceDays}
            onChange={(e) => setP({ ...p, review: { ...p.review, graceDays: Number(e.target.value) } })}
          />
        </label>
      </div>
      <h3>{t('points.rules')}</h3>
      <div className="settings">
        <label>
          {t('points.awardOn')}
          <select
            value={p.points.awardOn}
            onChange={(e) => setPoints({ awardOn: e.target.value as 'paid' | 'completed' })}
          >
            <option value="paid">{t('points.awardOn.paid')}</option>
            <option value="completed">{t('points.awardOn.completed')}</option>
          </select>
        </label>
        {(['online', 'offline'] as const).map((channel) => (
          <label key={channel}>
            {t(`points.perUnit.${channel}`, { currency })}
            <input
              inputMode="decimal"
              value={p.points.perUnit[channel]}
              onChange={(e) =>
                setPoints({ perUnit: { ...p.points.perUnit, [channel]: Number(e.target.value) } })
              }
            />
          </label>
        ))}
        <label>
          {t('points.expiry')}
          <select
            value={p.points.expiry.kind}
            onChange={(e) => {
              const kind = e.target.value as MemberProgram['points']['expiry']['kind'];
              setPoints({ expiry: kind === 'after_days' ? { kind, days: 365 } : { kind } });
            }}
          >
            {(['end_of_next_year', 'after_days', 'never'] as const).map((kind) => (
              <option key={kind} value={kind}>
                {t(`points.expiry.${kind}`)}
              </option>
            ))}
          </select>
        </label>
        {p.points.expiry.kind === 'after_days' && (
          <label>
            {t('points.expiryDays')}
            <input
              inputMode="numeric"
              value={p.points.expiry.days}
              onChange={(e) => setPoints({ expiry: { kind: 'after_days', days: Number(e.target.value) } })}
            />
          </label>
        )}
        <label>
          {t('points.perUnitOff', { currency })}
          <input
            inputMode="numeric"
            value={p.points.pointsPerUnitOff}
            onChange={(e) => setPoints({ pointsPerUnitOff: Number(e.target.value) })}
          />
        </label>
      </div>
      <h3>{t('points.bonuses')}</h3>
      <BonusList bonuses={p.points.bonuses} onChange={(bonuses) => setPoints({ bonuses })} />
      <Problem text={problem} />
      <button type="submit" disabled={busy}>
        {t('tiers.save')}
      </button>
    </form>
  );
}
