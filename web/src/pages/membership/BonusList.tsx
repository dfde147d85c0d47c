import type { MemberProgram } from '../../api.js';
import { useI18n } from '../../i18n.js';

/** Bonus rules: double points in a date range, for the whole order or one category, on one channel or both. */
export function BonusList({
  bonuses,
  onChange,
}: {
  bonuses: MemberProgram['points']['bonuses'];
  onChange: (b: MemberProgram['points']['bonuses']) => void;
}) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<(typeof bonuses)[number]>) =>
    onChange(bonuses.map((b, n) => (n === i ? { ...b, ...patch } : b)));
  // datetime-local edits wall time; the API keeps instants, so convert on the way in and out.
  const local = (iso: string) => {
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  };
  const instant = (value: string) => new Date(value).toISOString();
  return (
    <div className="bonuses">
      {bonuses.map((b, i) => (
        <div key={i} className="settings" data-testid="bonus">
          <input
            aria-label={t('points.bonus.name')}
            value={b.name}
            onChange={(e) => set(i, { name: e.target.value })}
          />
          <label>
            ×
            <input
              aria-label={t('points.bonus.multiplier')}
              inputMode="decimal"
              value={b.multiplier}
              onChange={(e) => set(i, { multiplier: Number(e.target.value) })}
            />
          </label>
          <input
            type="datetime-local"
            aria-label={t('points.bonus.from')}
            value={local(b.from)}
            onChange={(e) => e.target.value && set(i, { from: instant(e.target.value) })}
          />
          <input
            type="datetime-local"
            aria-label={t('points.bonus.to')}
            value={local(b.to)}
            onChange={(e) => e.target.value && set(i, { to: instant(e.target.value) })}
          />
          <input
            aria-label={t('points.bonus.category')}
            placeholder={t('points.bonus.anyCategory')}
            value={b.category ?? ''}
            onChange={(e) => set(i, { category: e.target.value.trim() ? e.target.value : null })}
          />
          <select
            aria-label={t('points.bonus.channel')}
            value={b.channel ?? ''}
            onChange={(e) => set(i, { channel: (e.target.value || null) as 'online' | 'offline' | null })}
          >
            <option value="">{t('points.bonus.anyChannel')}</option>
            <option value="online">{t('channel.online')}</option>
            <option value="offline">{t('channel.offline')}</option>
          </select>
          <button type="button" className="link" onClick={() => onChange(bonuses.filter((_, n) => n !== i))}>
            {t('tiers.remove')}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link"
        onClick={() => {
          const from = new Date();
          onChange([
            ...bonuses,
            {
              name: t('points.bonus.default'),
              multiplier: 2,
              from: from.toISOString(),
              to: new Date(from.getTime() + 7 * 86_400_000).toISOString(),
              category: null,
              channel: null,
            },
          ]);
        }}
      >
        + {t('points.bonus.add')}
      </button>
    </div>
  );
}
