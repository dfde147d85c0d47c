import { useEffect, useState, type FormEvent } from 'react';
import { api, type ImportRecord, type RowError } from '../api.js';
import { isKey, useI18n } from '../i18n.js';
import { useAttempt } from '../useAttempt.js';
import { useLoad } from '../useLoad.js';
import { Problem } from '../Problem.js';

const FORMATS = ['generic', 'shopify-orders', 'shopify-customers', 'taobao'] as const;

export function ImportsPage() {
  const { t } = useI18n();
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('generic');
  const [source, setSource] = useState('');
  const [mapping, setMapping] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const list = useLoad(() => api<{ items: ImportRecord[] }>('/api/imports?limit=20'), 'imports');
  const active = list.data?.items.some((i) => i.status === 'queued' || i.status === 'running');
  const { reload } = list;

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [active, reload]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.set('format', format);
    if (source.trim()) form.set('source', source.trim());
    if (mapping.trim()) form.set('mapping', mapping.trim());
    form.set('file', file);
    void attempt(async () => {
      await api('/api/imports', { method: 'POST', body: form });
      reload();
    });
  };

  return (
    <section>
      <h1>{t('imports.title')}</h1>
      <form className="upload" onSubmit={submit}>
        <label>
          {t('imports.file')}
          <input
            name="file"
            type="file"
            accept=".csv,.xlsx,text/csv"
            required
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </label>
        <label>
          {t('imports.format')}
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        {format === 'generic' && (
          <label>
            {t('imports.source')}
            <input
              name="source"
              placeholder="import"
              value={source}
              onChange={(e) => setSource(e.target.value)}
            />
          </label>
        )}
        <label>
          {t('imports.mapping')}
          <textarea name="mapping" rows={2} value={mapping} onChange={(e) => setMapping(e.target.value)} />
        </label>
        <Problem text={problem} />
        <button type="submit" disabled={busy || !file}>
          {t('imports.submit')}
        </button>
      </form>
      <h2>{t('imports.recent')}</h2>
      {list.data?.items.length === 0 && <p>{t('imports.none')}</p>}
      {list.data?.items.map((i) => (
        <ImportRow key={i.importId} record={i} />
      ))}
    </section>
  );
}

function ImportRow({ record: r }: { record: ImportRecord }) {
  const { t } = useI18n();
  const percent =
    r.status === 'completed' ? 100 : r.fileBytes > 0 ? Math.floor((r.bytesDone / r.fileBytes) * 100) : 0;
  const status = `imports.status.${r.status}`;
  const formatKey = `format.${r.format}`;
  return (
    <article className="import" data-testid="import" data-status={r.status}>
      <header>
        <strong>{r.fileName}</strong>{' '}
        <span className="tag">{isKey(formatKey) ? t(formatKey) : r.format}</span>{' '}
        <span className={`status ${r.status}`}>{isKey(status) ? t(status) : r.status}</span>
      </header>
      <progress max={100} value={percent} aria-label={t('imports.progress')} />
      <p data-testid="import-result">
        {t('imports.created', {
          orders: r.ordersCreated,
          updated: r.ordersUpdated,
          unchanged: r.ordersUnchanged,
          customers: r.customersCreated,
        })}
      </p>
      {r.failure && <p className="error">{r.failure}</p>}
      {r.expiryJobId && (
        <p className="notice" data-testid="import-expiry">
          {t('imports.expiryQueued')} <a href="#/membership">{t('imports.expiryJobs')}</a>
        </p>
      )}
      {r.errorRows > 0 && <ImportErrors record={r} />}
    </article>
  );
}

function ImportErrors({ record: r }: { record: ImportRecord }) {
  const { t } = useI18n();
  const { data } = useLoad(
    () => api<{ items: RowError[] }>(`/api/imports/${r.importId}/errors?limit=10`),
    `${r.importId}|${r.errorRows}`,
  );
  return (
    <div className="import-errors">
      <p>
        {t('imports.errorRows', { n: r.errorRows })} ·{' '}
        <a href={`/api/imports/${r.importId}/errors.csv`} download>
          {t('imports.errorReport')}
        </a>
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('imports.row')}</th>
            <th>{t('imports.column')}</th>
            <th>{t('imports.reason')}</th>
            <th>{t('imports.value')}</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((e, n) => (
            <tr key={`${e.rowNo}-${n}`}>
              <td>{e.rowNo}</td>
              <td>{e.column ?? ''}</td>
              <td>{e.reason}</td>
              <td>{e.value ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
