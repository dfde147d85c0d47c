import { api } from '../../api.js';
import { money } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';

interface Share {
  rank: number;
  name: string;
  customers: number;
  spendCents: number;
}

/** Customers per tier as bars, with their share and net spend. */
export function TierChart({ currency, version }: { currency: string; version: string }) {
  const { t, lang } = useI18n();
  const { data } = useLoad(() => api<{ items: Share[] }>('/api/membership/tiers'), version);
  if (!data) return <p className="loading">{t('common.loading')}</p>;
  const total = data.items.reduce((sum, s) => sum + s.customers, 0);
  const widest = Math.max(1, ...data.items.map((s) => s.customers));
  return (
    <table className="tier-chart" data-testid="tier-distribution">
      <tbody>
        {data.items.map((s) => (
          <tr key={s.rank} data-tier={s.name}>
            <th>{s.name}</th>
            <td className="bar-cell">
              <span className="bar" style={{ width: `${(s.customers / widest) * 100}%` }} />
            </td>
            <td className="num" data-testid="tier-customers">
              {s.customers.toLocaleString(lang)}
            </td>
            <td className="num">{total ? `${((s.customers / total) * 100).toFixed(1)}%` : '—'}</td>
            <td className="num">{money(s.spendCents, currency, lang)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th>{t('tiers.total')}</th>
          <td />
          <td className="num">{total.toLocaleString(lang)}</td>
          <td />
          <td />
        </tr>
      </tfoot>
    </table>
  );
}
