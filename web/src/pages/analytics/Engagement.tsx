import { useI18n } from '../../i18n.js';
import type { Dashboard } from './types.js';

/** What each campaign and flow of the period did, and what it cost and brought back. */
export function Engagement({
  items,
  cash,
  pct,
}: {
  items: Dashboard['engagement'];
  cash: (minor: number | null) => string;
  pct: (x: number | null) => string;
}) {
  const { t, lang } = useI18n();
  const num = (n: number) => n.toLocaleString(lang);
  return (
    <>
      <h2 title={t('dash.def.engagement')}>{t('dash.engagement')}</h2>
      <table data-testid="engagement">
        <thead>
          <tr>
            <th />
            <th className="num">{t('campaigns.r.sent')}</th>
            <th className="num">{t('campaigns.r.delivered')}</th>
            <th className="num">{t('campaigns.r.opened')}</th>
            <th className="num">{t('campaigns.r.clicked')}</th>
            <th className="num">{t('campaigns.r.converted')}</th>
            <th className="num">{t('campaigns.r.revenue')}</th>
            <th className="num">{t('campaigns.lift')}</th>
            <th className="num">{t('dash.cost')}</th>
            <th className="num" title={t('dash.def.roi')}>
              {t('dash.roi')}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-engagement={e.name}>
              <td>
                {t(e.kind === 'flow' ? 'nav.flows' : 'nav.campaigns')}: {e.name}
              </td>
              <td className="num">{num(e.sent)}</td>
              <td className="num">{num(e.delivered)}</td>
              <td className="num">{num(e.opened)}</td>
              <td className="num">{num(e.clicked)}</td>
              <td className="num">
                {num(e.converted)} / {num(e.customers)}
              </td>
              <td className="num">{cash(e.revenueCents)}</td>
              <td className="num">{pct(e.lift)}</td>
              <td className="num">{cash(e.costCents)}</td>
              <td className="num" data-testid="roi">
                {pct(e.roi)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p className="muted">{t('dash.noEngagement')}</p>}
    </>
  );
}
