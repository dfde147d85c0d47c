import { figure } from '../../format.js';
import { useI18n } from '../../i18n.js';
import type { Dashboard } from './types.js';

/** The audience's customers by their last RFM scoring's recency and frequency, with each cell's segment and money. */
export function RfmPanel({
  cells,
  cash,
}: {
  cells: Dashboard['rfm'];
  cash: (minor: number | null) => string;
}) {
  const { t, label, lang } = useI18n();
  return (
    <div className="panel" title={t('dash.def.rfm')}>
      <h2>{t('dash.rfm')}</h2>
      <table className="rfm-grid" data-testid="rfm-grid">
        <thead>
          <tr>
            <th>R / F</th>
            {[1, 2, 3, 4, 5].map((f) => (
              <th key={f} className="num">
                F{f}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[5, 4, 3, 2, 1].map((r) => (
            <tr key={r}>
              <th>R{r}</th>
              {[1, 2, 3, 4, 5].map((f) => {
                const c = cells.find((x) => x.r === r && x.f === f);
                return (
                  <td
                    key={f}
                    className="num"
                    title={
                      c ? `${label(`rfm.segment.${c.segment}`, c.segment)}: ${cash(c.monetaryCents)}` : ''
                    }
                  >
                    {figure(c?.customers ?? 0, lang)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
