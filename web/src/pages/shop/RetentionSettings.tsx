import { useState } from 'react';
import { api, type Me } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useSave } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';

interface Retention {
  activityDays: number;
  importCellsDays: number;
}

/**
 * How long the shop keeps its activity record and the refused cells of its imports. Admins read the
 * periods; only the owner changes them, since a shorter record could hide what an admin did.
 */
export function RetentionSettings({ me }: { me: Me }) {
  const { t } = useI18n();
  const loaded = useLoad(() => api<Retention>('/api/retention'), 'retention');
  const owner = me.access.includes('own');
  return (
    <section>
      <h2>{t('retention.title')}</h2>
      <p className="muted">{t('retention.help')}</p>
      <Problem text={loaded.error} />
      {loaded.data && <RetentionForm stored={loaded.data} owner={owner} />}
      {!owner && <p className="muted">{t('retention.ownerOnly')}</p>}
    </section>
  );
}

function RetentionForm({ stored, owner }: { stored: Retention; owner: boolean }) {
  const { t } = useI18n();
  const [activityDays, setActivityDays] = useState(String(stored.activityDays));
  const [importCellsDays, setImportCellsDays] = useState(String(stored.importCellsDays));
  const { problem, busy, saved, submit } = useSave();

  const save = submit(async () => {
    await api('/api/retention', {
      method: 'PUT',
      body: JSON.stringify({
        activityDays: Number(activityDays),
        importCellsDays: Number(importCellsDays),
      }),
    });
  });

  return (
    <>
      <form className="settings" onSubmit={save} data-testid="retention">
        <label>
          {t('retention.activityDays')}
          <input
            type="number"
            required
            min={180}
            max={3650}
            disabled={!owner}
            value={activityDays}
            onChange={(e) => setActivityDays(e.target.value)}
          />
        </label>
        <label>
          {t('retention.importCellsDays')}
          <input
            type="number"
            required
            min={1}
            max={3650}
            disabled={!owner}
            value={importCellsDays}
            onChange={(e) => setImportCellsDays(e.target.value)}
          />
        </label>
        {owner && (
          <button type="submit" disabled={busy}>
            {t('retention.save')}
          </button>
        )}
      </form>
      <Problem text={problem} />
      {saved && (
        <p className="notice" role="status">
          {t('retention.saved')}
        </p>
      )}
    </>
  );
}
