import { useState, type CSSProperties } from 'react';
import { api } from '../../api.js';
import { percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useLoad } from '../../useLoad.js';

interface Figures {
  units: number;
  grossCents: number;
  returnedUnits: number;
  returnedCents: number;
  netCents: number;
}
interface LineSales {
  total: Figures;
  rows: (Figures & { name: string | null; orders: number; newBuyers: number; share: number | null })[];
  others: (Figures & { names: number; newBuyers: number; share: number | null }) | null;
}

const BY = ['category', 'brand'] as const;

/**
 * The period's sales by category or by brand, most net first: what sold, what came back, and how many
 * customers bought each for the first time. Loads on its own, after the dashboard's figures.
 */
export function LineSalesTable({ query, cash }: { query: string; cash: (minor: number) => string }) {
  const { t, lang } = useI18n();
  const [by, setBy] = useState<(typeof BY)[number]>('category');
  const lines = useLoad(
    () => api<LineSales>(`/api/analytics/line-sales?${query}&by=${by}&limit=15`),
    `${query}&${by}`,
  );
  const num = (n: number) => n.toLocaleString(lang);
  const share = (x: number | null) => (
    <span className="share-bar" style={{ '--share': `${Math.max(0, x ?? 0) * 100}%` } as CSSProperties}>
      {percent(x, lang)}
    </span>
  );
  const d = lines.data;
  return (
    <section className="line-sales" title={t('dash.def.lineSales')}>
      <h2>
        {t('dash.lineSales')}{' '}
        <span className="presets" role="group" aria-label={t('dash.lineSales.by')}>
          {BY.map((b) => (
            <button key={b} type="button" className="chip" aria-pressed={by === b} onClick={() => setBy(b)}>
              {t(`dash.lineSales.by.${b}`)}
            </button>
          ))}
        </span>
      </h2>
      <Problem text={lines.error} />
      {!d ? (
        <p className="loading">{t('common.loading')}</p>
      ) : d.rows.length === 0 ? (
        <p className="muted">{t('dash.lineSales.none')}</p>
      ) : (
        <table data-testid="line-sales">
          <thead>
            <tr>
              <th>{t(`dash.lineSales.by.${by}`)}</th>
              <th className="num">{t('dash.lineSales.net')}</th>
              <th className="num">{t('dash.lineSales.share')}</th>
              <th className="num">{t('dash.lineSales.orders')}</th>
              <th className="num">{t('dash.lineSales.units')}</th>
              <th className="num" title={t('dash.def.lineSales.returned')}>
                {t('dash.lineSales.returned')}
              </th>
              <th className="num" title={t('dash.def.lineSales.newBuyers')}>
                {t('dash.lineSales.newBuyers')}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.rows.map((r) => (
              <tr key={r.name ?? ''} data-line={r.name ?? ''}>
                <td>{r.name ?? <span className="muted">{t(`dash.lineSales.unnamed.${by}`)}</span>}</td>
                <td className="num">{cash(r.netCents)}</td>
                <td className="num">{share(r.share)}</td>
                <td className="num">{num(r.orders)}</td>
                <td className="num">{num(r.units)}</td>
                <td className="num">
                  {num(r.returnedUnits)} · {cash(r.returnedCents)}
                </td>
                <td className="num">{num(r.newBuyers)}</td>
              </tr>
            ))}
            {d.others && (
              <tr data-line="others">
                <td>{t('dash.lineSales.others', { n: num(d.others.names) })}</td>
                <td className="num">{cash(d.others.netCents)}</td>
                <td className="num">{share(d.others.share)}</td>
                <td />
                <td className="num">{num(d.others.units)}</td>
                <td className="num">
                  {num(d.others.returnedUnits)} · {cash(d.others.returnedCents)}
                </td>
                <td className="num">{num(d.others.newBuyers)}</td>
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr data-line="total">
              <th>{t('dash.lineSales.total')}</th>
              <td className="num">{cash(d.total.netCents)}</td>
              <td />
              <td />
              <td className="num">{num(d.total.units)}</td>
              <td className="num">
                {num(d.total.returnedUnits)} · {cash(d.total.returnedCents)}
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
