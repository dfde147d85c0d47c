import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { Template } from './types.js';
import { Problem } from '../../Problem.js';

interface PackageInsert {
  orderId: string;
  externalId: string;
  name: string | null;
  address: string;
  tier: string;
  items: string;
  firstOrder: boolean;
  gifts: string[];
  note: string;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** The warehouse's list: online orders waiting to ship, each with its buyer's note and gifts, to print. */
export function InsertsPage() {
  const { t } = useI18n();
  const templates = useLoad(() => api<{ items: Template[] }>('/api/templates'), 'templates');
  const [from, setFrom] = useState(day(-7));
  const [to, setTo] = useState(day(1));
  const [templateId, setTemplateId] = useState('');
  const [rows, setRows] = useState<PackageInsert[] | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const query = () =>
    new URLSearchParams({
      from: new Date(`${from}T00:00:00`).toISOString(),
      to: new Date(`${to}T00:00:00`).toISOString(),
      templateId,
    }).toString();
  const list = () =>
    attempt(async () => {
      setRows((await api<{ items: PackageInsert[] }>(`/api/package-inserts?${query()}`)).items);
    });
  return (
    <section className="inserts">
      <h1>{t('inserts.title')}</h1>
      <p className="muted">{t('inserts.help')}</p>
      <form
        className="settings"
        onSubmit={(e) => {
          e.preventDefault();
          void list();
        }}
      >
        <label>
          {t('inserts.from')}
          <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('inserts.to')}
          <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('inserts.note')}
          <select required value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            <option value="" />
            {(templates.data?.items ?? []).map((tpl) => (
              <option key={tpl.templateId} value={tpl.templateId}>
                {tpl.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t('inserts.list')}
        </button>
        {rows && templateId && (
          <a href={`/api/package-inserts/print?${query()}`} target="_blank" rel="noreferrer">
            {t('inserts.print')}
          </a>
        )}
      </form>
      <Problem text={problem} />
      {rows && (
        <table data-testid="inserts">
          <thead>
            <tr>
              <th>{t('inserts.order')}</th>
              <th>{t('inserts.buyer')}</th>
              <th>{t('inserts.items')}</th>
              <th>{t('inserts.gifts')}</th>
              <th>{t('inserts.noteText')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.orderId} data-order={r.externalId}>
                <td>{r.externalId}</td>
                <td>
                  {r.name} · {r.tier}
                  <br />
                  <small>{r.address}</small>
                </td>
                <td>{r.items}</td>
                <td data-testid="insert-gifts">
                  {[...(r.firstOrder ? [t('inserts.welcome')] : []), ...r.gifts].join('，')}
                </td>
                <td>{r.note.replace(/<[^>]*>/g, ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
