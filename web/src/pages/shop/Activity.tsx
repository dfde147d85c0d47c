import { useState } from 'react';
import { api, type Me } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { href } from '../../route.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';

interface Entry {
  entryId: string;
  at: string;
  actor: string;
  address: string;
  method: string;
  route: string;
  params: Record<string, unknown>;
  status: number;
}

const PAGE = 50;

/**
 * What staff and API keys changed or exported, newest first, for the admins and the owner: the API
 * keeps it (GET /api/activity); older pages load on demand.
 */
export function Activity({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const first = useLoad(() => api<{ items: Entry[] }>(`/api/activity?limit=${PAGE}`), 'activity');
  const [older, setOlder] = useState<Entry[]>([]);
  const [done, setDone] = useState(false);
  const { problem, busy, attempt } = useAttempt();
  const entries = [...(first.data?.items ?? []), ...older];

  const more = () =>
    attempt(async () => {
      const last = entries.at(-1);
      if (!last) return;
      const page = await api<{ items: Entry[] }>(`/api/activity?limit=${PAGE}&before=${last.entryId}`);
      setOlder((o) => [...o, ...page.items]);
      if (page.items.length < PAGE) setDone(true);
    });

  return (
    <section>
      <h2>{t('activity.title')}</h2>
      <p className="muted">{t('activity.help')}</p>
      <Problem text={first.error ?? problem} />
      <ActivityExport />
      <table data-testid="activity">
        <thead>
          <tr>
            <th>{t('activity.at')}</th>
            <th>{t('activity.who')}</th>
            <th>{t('activity.what')}</th>
            <th>{t('activity.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.entryId}>
              <td>{dateTime(e.at, me.shop.timeZone, lang)}</td>
              <td>
                {e.actor} <small>{e.address}</small>
              </td>
              <td>
                <code>
                  {e.method} {e.route}
                </code>{' '}
                {typeof e.params.customerId === 'string' && (
                  <>
                    <a href={href({ page: 'customer', id: e.params.customerId })}>
                      {t('activity.customer')}
                    </a>{' '}
                  </>
                )}
                <small>
                  {Object.entries(e.params)
                    .filter(([k]) => k !== 'customerId')
                    // Lists (a refund's returned lines) as the API took them.
                    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
                    .join(' ')}
                </small>
              </td>
              <td className={e.status >= 400 ? 'status failed' : 'status completed'}>
                {e.status >= 400 ? t('activity.refused', { status: e.status }) : t('activity.done')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {first.data && entries.length === 0 && <p className="muted">{t('activity.none')}</p>}
      {!done && (first.data?.items.length ?? 0) === PAGE && (
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void more()}>
            {t('activity.more')}
          </button>
        </div>
      )}
    </section>
  );
}

/** The record as CSV over a range of the shop's days, for an audit; either end may be left open. */
function ActivityExport() {
  const { t } = useI18n();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString();
  return (
    <div className="settings" data-testid="activity-export">
      <label>
        {t('activity.from')}
        <input type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        {t('activity.to')}
        <input type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </label>
      <a href={`/api/activity.csv${query ? `?${query}` : ''}`} download>
        {t('activity.download')}
      </a>
    </div>
  );
}
