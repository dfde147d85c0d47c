import { useCallback, useState } from 'react';
import { api, type Shop } from '../../api.js';
import { money } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { JobList } from '../membership/JobList.js';
import { Problem } from '../../Problem.js';

interface Grid {
  cells: { r: number; f: number; segment: string; customers: number; monetaryCents: number }[];
  segments: { segment: string; customers: number; monetaryCents: number }[];
}

interface Settings {
  windowDays: number;
  method: 'quantiles' | 'thresholds';
  thresholds: { recencyDays: number[]; orders: number[]; spendCents: number[] };
}

const SCORES = [5, 4, 3, 2, 1];

/** The R×F grid (customers and window spend per cell), the named segments, and the scoring settings. */
export function RfmPage({ shop }: { shop: Shop }) {
  const { t, label, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const grid = useLoad(() => api<Grid>('/api/rfm/grid'), String(version));
  const settings = useLoad(() => api<Settings>('/api/rfm/settings'), 'rfm-settings');
  const { problem, attempt } = useAttempt();

  const save = (next: Settings) =>
    attempt(async () => {
      await api('/api/rfm/settings', { method: 'PUT', body: JSON.stringify(next) });
      settings.reload();
      bump();
    });
  const cell = (r: number, f: number) => grid.data?.cells.find((c) => c.r === r && c.f === f);
  const total = grid.data?.cells.reduce((sum, c) => sum + c.customers, 0) ?? 0;

  return (
    <section className="rfm">
      <h1>{t('rfm.title')}</h1>
      <p className="muted">{t('rfm.help')}</p>
      {settings.data && (
        <div className="settings">
          <label>
            {t('rfm.window')}
            <input
              inputMode="numeric"
              defaultValue={settings.data.windowDays}
              onBlur={(e) => void save({ ...settings.data!, windowDays: Number(e.target.value) })}
            />
          </label>
          <label>
            {t('rfm.method')}
            <select
              value={settings.data.method}
              onChange={(e) => void save({ ...settings.data!, method: e.target.value as Settings['method'] })}
            >
              <option value="quantiles">{t('rfm.method.quantiles')}</option>
              <option value="thresholds">{t('rfm.method.thresholds')}</option>
            </select>
          </label>
          <div className="actions">
            <button
              type="button"
              onClick={() =>
                void attempt(async () => {
                  await api('/api/rfm/run', { method: 'POST' });
                  bump();
                })
              }
            >
              {t('rfm.runNow')}
            </button>
          </div>
        </div>
      )}
      <Problem text={problem} />
      <JobList timeZone={shop.timeZone} version={version} onDone={bump} />
      <h2>{t('rfm.grid')}</h2>
      {total === 0 ? (
        <p>{t('rfm.none')}</p>
      ) : (
        <table className="rfm-grid" data-testid="rfm-grid">
          <thead>
            <tr>
              <th>R / F</th>
              {[1, 2, 3, 4, 5].map((f) => (
                <th key={f}>F{f}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {SCORES.map((r) => (
              <tr key={r}>
                <th>R{r}</th>
                {[1, 2, 3, 4, 5].map((f) => {
                  const c = cell(r, f);
                  const shade = Math.min(0.85, (c ? c.customers / total : 0) * 4);
                  return (
                    <td
                      key={f}
                      data-cell={`${r}${f}`}
                      className={shade >= 0.6 ? 'dark' : undefined}
                      style={{ background: `rgba(194, 65, 12, ${shade})` }}
                      title={c ? label(`rfm.segment.${c.segment}`, c.segment) : ''}
                    >
                      <strong>{(c?.customers ?? 0).toLocaleString(lang)}</strong>
                      <br />
                      <small>{money(c?.monetaryCents ?? 0, shop.currency, lang)}</small>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('rfm.segments')}</h2>
      <table data-testid="rfm-segments">
        <tbody>
          {grid.data?.segments.map((s) => (
            <tr key={s.segment} data-segment={s.segment}>
              <th>{label(`rfm.segment.${s.segment}`, s.segment)}</th>
              <td className="num">{s.customers.toLocaleString(lang)}</td>
              <td className="num">{money(s.monetaryCents, shop.currency, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
