import { useState, type FormEvent } from 'react';
import { api, type Me } from '../../api.js';
import { dateTime, fileSize } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import { useFollow, useLoad } from '../../useLoad.js';

interface ShopArchive {
  jobId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  done: number;
  total: number | null;
  failure: string | null;
  createdAt: string;
  finishedAt: string | null;
  bytes: number | null;
  rows: number | null;
  expiresAt: string | null;
  available: boolean;
}

/**
 * The shop's offboarding, the owner's alone as the API holds it: every table's rows as a zip of CSV files
 * (an agency handing a leaving client its data, or a backup of one shop), made in the background and
 * followed here until it can be downloaded; and the shop's deletion, which asks for its name typed out.
 */
export function ShopData({ me, onDeleted }: { me: Me; onDeleted: (name: string) => void }) {
  const { t, lang } = useI18n();
  const exports = useLoad(
    () => api<{ items: ShopArchive[]; keptDays: number }>('/api/shop/exports'),
    'exports',
  );
  const making = exports.data?.items.some((e) => e.status === 'queued' || e.status === 'running');
  const { reload } = exports;
  const { problem, busy, attempt } = useAttempt();
  const [confirmName, setConfirmName] = useState('');
  const deletion = useAttempt();

  useFollow(making, reload);

  const start = () =>
    attempt(async () => {
      await api('/api/shop/exports', { method: 'POST' });
      reload();
    });
  const remove = (e: ShopArchive) =>
    attempt(async () => {
      if (!confirm(t('shopData.confirmRemove'))) return;
      await api(`/api/shop/exports/${e.jobId}`, { method: 'DELETE' });
      reload();
    });
  const destroy = (e: FormEvent) => {
    e.preventDefault();
    void deletion.attempt(async () => {
      if (!confirm(t('shopData.confirmDelete', { name: me.shop.name }))) return;
      await api('/api/shop', { method: 'DELETE', body: JSON.stringify({ confirm: confirmName }) });
      onDeleted(me.shop.name);
    });
  };

  const zone = me.shop.timeZone;
  const status = (e: ShopArchive) => {
    if (e.status === 'failed') return t('shopData.failed', { reason: e.failure ?? '' });
    if (e.status === 'queued') return t('shopData.queued');
    if (e.status === 'running') return t('shopData.running', { done: e.done, total: e.total ?? '…' });
    return e.available ? t('shopData.ready') : t('shopData.removed');
  };
  return (
    <section data-testid="shop-data">
      <h2>{t('shopData.title')}</h2>
      <p className="muted">{t('shopData.help', { days: exports.data?.keptDays ?? '…' })}</p>
      {exports.data && exports.data.items.length > 0 && (
        <table data-testid="shop-exports">
          <thead>
            <tr>
              <th>{t('shopData.asked')}</th>
              <th>{t('shopData.status')}</th>
              <th>{t('shopData.size')}</th>
              <th>{t('shopData.keptUntil')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {exports.data.items.map((e) => (
              <tr key={e.jobId} data-status={e.status} data-available={e.available}>
                <td>{dateTime(e.createdAt, zone, lang)}</td>
                <td data-testid="export-status">
                  {e.status === 'running' && (
                    <>
                      <progress max={e.total ?? 1} value={e.done} />{' '}
                    </>
                  )}
                  {status(e)}
                </td>
                <td>
                  {e.bytes !== null && e.rows !== null
                    ? t('shopData.sizeRows', {
                        size: fileSize(e.bytes, lang),
                        rows: e.rows.toLocaleString(lang),
                      })
                    : '—'}
                </td>
                <td>{e.available ? dateTime(e.expiresAt, zone, lang) : '—'}</td>
                <td>
                  {e.available && (
                    <>
                      <a href={`/api/shop/exports/${e.jobId}/archive`} download data-testid="export-download">
                        {t('shopData.download')}
                      </a>{' '}
                      <button
                        type="button"
                        className="link danger"
                        disabled={busy}
                        onClick={() => void remove(e)}
                      >
                        {t('shopData.remove')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {exports.error && <p className="error">{exports.error}</p>}
      <p>
        <button type="button" disabled={busy || making} onClick={() => void start()}>
          {making ? t('shopData.making') : t('shopData.export')}
        </button>
      </p>
      <Problem text={problem} />

      <form className="danger-zone" onSubmit={destroy} data-testid="delete-shop">
        <h3>{t('shopData.deleteTitle')}</h3>
        <p>{t('shopData.deleteHelp')}</p>
        <label>
          {t('shopData.typeName', { name: me.shop.name })}
          <input
            name="confirm"
            autoComplete="off"
            value={confirmName}
            onChange={(e) => setConfirmName(e.target.value)}
          />
        </label>
        <button type="submit" className="danger" disabled={deletion.busy || confirmName !== me.shop.name}>
          {t('shopData.delete')}
        </button>
        <Problem text={deletion.problem} />
      </form>
    </section>
  );
}
