import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type ImportRecord, type RowError, type Shop } from '../api.js';
import { isKey, useI18n } from '../i18n.js';
import { useAttempt } from '../useAttempt.js';
import { useFollow, useLoad } from '../useLoad.js';
import { Problem } from '../Problem.js';
import { ColumnMapping, mappingToSend, PreviewRows, type Mapping } from './ImportPreview.js';
import { SavedMappings } from './SavedMappings.js';
import { requestPreview, sendFile, type Kept, type Preview } from './importUpload.js';

const FORMATS = ['generic', 'shopify-orders', 'shopify-customers', 'taobao', 'service-cases'] as const;
export function ImportsPage({ shop }: { shop: Shop }) {
  const { t } = useI18n();
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('generic');
  const [source, setSource] = useState('');
  const [mapping, setMapping] = useState<Mapping>({});
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const kept = useRef<Kept | null>(null);
  const previewing = useRef<Promise<void>>(Promise.resolve());
  const { problem, busy, attempt } = useAttempt();
  const list = useLoad(() => api<{ items: ImportRecord[] }>('/api/imports?limit=20'), 'imports');
  const active = list.data?.items.some((i) => i.status === 'queued' || i.status === 'running');
  const { reload } = list;

  useFollow(active, reload);

  const fields = (): Record<string, string> => {
    const f: Record<string, string> = { format };
    if (source.trim()) f.source = source.trim();
    const sent = mappingToSend(mapping);
    if (Object.keys(sent).length > 0) f.mapping = JSON.stringify(sent);
    return f;
  };
  const fieldsKey = JSON.stringify(fields());
  // Read again whenever the file, the format or a column's choice changes; typing waits for a pause.
  useEffect(() => {
    if (!file) return;
    let live = true;
    const timer = setTimeout(() => {
      // One preview at a time: the next waits for the one on its way, so it sends the file id that one
      // kept. Two at once after the kept file was swept both sent the file again.
      previewing.current = previewing.current.then(async () => {
        const p = await requestPreview(file, JSON.parse(fieldsKey) as Record<string, string>, kept.current);
        kept.current = p.kept;
        if (live) setPreview(p.preview);
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [file, fieldsKey]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const whole = kept.current?.file === file && kept.current.whole ? kept.current : null;
    void attempt(async () => {
      await sendFile('/api/imports', fields(), whole, () => file, file.name);
      // The server moved the kept file into the import: a new preview sends it again.
      if (whole) kept.current = null;
      reload();
    });
  };
  const data = preview && 'data' in preview ? preview.data : null;
  const sent = mappingToSend(mapping);

  return (
    <section>
      <h1>{t('imports.title')}</h1>
      <form className="upload" onSubmit={submit}>
        <label>
          {t('imports.file')}
          <input
            name="file"
            type="file"
            accept=".csv,.txt,.xlsx,text/csv"
            required
            onChange={(e) => {
              const chosen = e.target.files?.[0] ?? null;
              setFile(chosen);
              if (!chosen) setPreview(null);
            }}
          />
        </label>
        <label>
          {t('imports.format')}
          <select
            name="format"
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as typeof format);
              setMapping({});
            }}
          >
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`format.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <SavedMappings
          current={{ format, source: source.trim(), mapping: sent }}
          preview={data}
          onChoose={(c) => {
            setFormat(c.format as typeof format);
            setSource(c.source === 'import' ? '' : c.source);
            setMapping(c.mapping);
          }}
        />
        {(format === 'generic' || format === 'service-cases') && (
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
        {data && (
          <p className="muted" data-testid="preview-read-as">
            {t('imports.readAs', { encoding: t(`encoding.${data.encoding}`) })}
          </p>
        )}
        {data?.unfit && (
          <p className="error" data-testid="preview-unfit">
            {data.unfit}
          </p>
        )}
        {preview && 'problem' in preview && <Problem text={preview.problem} />}
        {preview && 'skipped' in preview && <p className="muted">{t('imports.previewTooLarge')}</p>}
        <Problem text={problem} />
        <button
          type="submit"
          disabled={busy || !file || Boolean(data?.unfit) || (preview !== null && 'problem' in preview)}
        >
          {t('imports.submit')}
        </button>
        {Object.keys(sent).length > 0 && (
          <p className="muted">
            {t('imports.cli')}{' '}
            <code data-testid="preview-cli">
              {Object.entries(sent)
                .map(([k, v]) => `--map '${k}=${v.replace(/'/g, "'\\''")}'`)
                .join(' ')}
            </code>
          </p>
        )}
      </form>
      {data && (data.header.length > 0 || data.firstRow.length > 0) && (
        <ColumnMapping preview={data} mapping={mapping} onChange={setMapping} />
      )}
      {data && !data.unfit && <PreviewRows preview={data} shop={shop} />}
      <h2>{t('imports.recent')}</h2>
      {list.data?.items.length === 0 && <p>{t('imports.none')}</p>}
      {list.data?.items.map((i) => (
        <ImportRow key={i.importId} record={i} onChanged={reload} />
      ))}
    </section>
  );
}

function ImportRow({ record: r, onChanged }: { record: ImportRecord; onChanged: () => void }) {
  const { t } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const live = r.status === 'queued' || r.status === 'running';
  const stop = () =>
    void attempt(async () => {
      await api(`/api/imports/${r.importId}/cancel`, { method: 'POST' });
      onChanged();
    });
  const percent =
    r.status === 'completed' ? 100 : r.fileBytes > 0 ? Math.floor((r.bytesDone / r.fileBytes) * 100) : 0;
  const status = `imports.status.${r.status}`;
  const formatKey = `format.${r.format}`;
  return (
    <article className="import" data-testid="import" data-status={r.status}>
      <header>
        <strong>{r.fileName}</strong>{' '}
        <span className="tag">{isKey(formatKey) ? t(formatKey) : r.format}</span>{' '}
        <span className={`status ${r.status}`}>{isKey(status) ? t(status) : r.status}</span>{' '}
        {live && !r.cancelRequestedAt && (
          <button type="button" className="link" disabled={busy} onClick={stop}>
            {t('imports.stop')}
          </button>
        )}
        {live && r.cancelRequestedAt && <span className="muted">{t('imports.stopping')}</span>}
      </header>
      <Problem text={problem} />
      <progress max={100} value={percent} aria-label={t('imports.progress')} />
      <p data-testid="import-result">
        {r.format === 'service-cases'
          ? t('imports.casesCreated', {
              cases: r.casesCreated,
              updated: r.casesUpdated,
              unchanged: r.casesUnchanged,
              customers: r.customersCreated,
            })
          : t('imports.created', {
              orders: r.ordersCreated,
              updated: r.ordersUpdated,
              unchanged: r.ordersUnchanged,
              customers: r.customersCreated,
            })}
      </p>
      {r.failure && <p className="error">{r.failure}</p>}
      {r.status === 'cancelled' && (
        <p className="muted" data-testid="import-stopped">
          {r.rowsDone > 0 ? t('imports.stoppedAt', { row: r.rowsDone }) : t('imports.stoppedBefore')}
        </p>
      )}
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
