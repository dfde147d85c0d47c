import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';

/** How many customers went from each tier at the period's start to each at its end. */
export function TierMoves({ query, tiers }: { query: string; tiers: string[] }) {
  const { t, lang } = useI18n();
  const moves = useLoad(
    () =>
      api<{ items: { from: number; to: number; customers: number }[] }>(
        `/api/analytics/tier-migration?${query}`,
      ),
    query,
  );
  const changed = (moves.data?.items ?? []).filter((m) => m.from !== m.to);
  return (
    <div title={t('dash.def.tierMoves')}>
      <h3>{t('dash.tierMoves')}</h3>
      {changed.length === 0 ? (
        <p className="muted">{t('dash.noTierMoves')}</p>
      ) : (
        <table data-testid="tier-moves">
          <tbody>
            {changed.map((m) => (
              <tr key={`${m.from}-${m.to}`}>
                <td>
                  {tiers[m.from] ?? m.from} → {tiers[m.to] ?? m.to}
                </td>
                <td className="num">{m.customers.toLocaleString(lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
