// Column choices saved by name (/api/import-mappings): pick one for a file of a kind the shop imports
// again and again, save the current choices, or delete one. A file whose headers hold every column a saved
// mapping reads is offered that mapping, whichever format it was saved for.
import { useState } from 'react';
import { api, type ImportPreview, type SavedMapping } from '../api.js';
import { useI18n } from '../i18n.js';
import { Problem } from '../Problem.js';
import { useAttempt } from '../useAttempt.js';
import { useLoad } from '../useLoad.js';
import type { Mapping } from './ImportPreview.js';

export interface Chosen {
  format: string;
  source: string;
  mapping: Mapping;
}

/** The same choices, whatever order their fields came in (the database keeps its own). */
const sameMapping = (a: Mapping, b: Mapping) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** The headers a mapping reads: neither fixed values, positions nor row numbers. */
const headersRead = (m: Mapping) => Object.values(m).filter((v) => !v.startsWith('=') && !v.startsWith('#'));

export function SavedMappings({
  current,
  preview,
  onChoose,
}: {
  current: Chosen;
  preview: ImportPreview | null;
  onChoose: (c: Chosen) => void;
}) {
  const { t } = useI18n();
  const saved = useLoad(() => api<{ items: SavedMapping[] }>('/api/import-mappings'), 'import-mappings');
  const [name, setName] = useState('');
  const { problem, busy, attempt } = useAttempt();
  const items = saved.data?.items ?? [];
  const selected = items.find(
    (m) =>
      m.format === current.format &&
      sameMapping(m.mapping, current.mapping) &&
      m.source === (current.source || 'import'),
  );
  const choose = (m: SavedMapping) => onChoose({ format: m.format, source: m.source, mapping: m.mapping });
  // A file's header row is the same whatever format was picked first: a mapping saved for another format
  // is offered too (using it switches the format), after those of the format picked.
  const fits = (m: SavedMapping) =>
    preview !== null &&
    headersRead(m.mapping).length > 0 &&
    headersRead(m.mapping).every((h) => preview.header.includes(h));
  const fitting =
    Object.keys(current.mapping).length === 0
      ? (items.find((m) => m.format === current.format && fits(m)) ?? items.find(fits))
      : undefined;
  const save = () =>
    void attempt(async () => {
      const body = JSON.stringify({
        name: name.trim(),
        format: current.format,
        source: current.source || undefined,
        mapping: current.mapping,
      });
      const existing = items.find((m) => m.name === name.trim());
      await api(existing ? `/api/import-mappings/${existing.mappingId}` : '/api/import-mappings', {
        method: existing ? 'PUT' : 'POST',
        body,
      });
      setName('');
      saved.reload();
    });
  const remove = (m: SavedMapping) =>
    void attempt(async () => {
      await api(`/api/import-mappings/${m.mappingId}`, { method: 'DELETE' });
      saved.reload();
    });

  return (
    <div className="saved-mappings" data-testid="saved-mappings">
      {items.length > 0 && (
        <label>
          {t('imports.savedMapping')}
          <select
            value={selected?.mappingId ?? ''}
            onChange={(e) => {
              const m = items.find((x) => x.mappingId === e.target.value);
              if (m) choose(m);
              else onChoose({ ...current, mapping: {} });
            }}
          >
            <option value="">{t('imports.noSavedMapping')}</option>
            {items.map((m) => (
              <option key={m.mappingId} value={m.mappingId}>
                {m.name} ({t(`format.${m.format}`)})
              </option>
            ))}
          </select>
        </label>
      )}
      {selected && (
        <button type="button" className="link" disabled={busy} onClick={() => remove(selected)}>
          {t('imports.deleteMapping', { name: selected.name })}
        </button>
      )}
      {fitting && (
        <p className="notice" data-testid="mapping-fits">
          {fitting.format === current.format
            ? t('imports.mappingFits', { name: fitting.name })
            : t('imports.mappingFitsFormat', {
                name: fitting.name,
                format: t(`format.${fitting.format}`),
              })}{' '}
          <button type="button" className="link" onClick={() => choose(fitting)}>
            {t('imports.useMapping')}
          </button>
        </p>
      )}
      {Object.keys(current.mapping).length > 0 && !selected && (
        <div className="inline-form">
          <label>
            {t('imports.saveMappingAs')}
            <input
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
              // Inside the import's form, Enter would start the import: here it saves.
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                if (name.trim()) save();
              }}
            />
          </label>
          <button type="button" disabled={busy || !name.trim()} onClick={save}>
            {t('imports.saveMapping')}
          </button>
        </div>
      )}
      <Problem text={problem} />
    </div>
  );
}
