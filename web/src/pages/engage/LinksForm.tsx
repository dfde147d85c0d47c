// The address customers reach this server at, which the links in messages (tracked clicks, unsubscribe
// pages) are written with.
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';

import { SaveRow } from './SaveRow.js';

export function LinksForm({ initial }: { initial: string }) {
  const { t } = useI18n();
  const [url, setUrl] = useState(initial);
  const { problem, busy, attempt } = useAttempt();
  const [done, setDone] = useState(false);
  const save = () =>
    attempt(async () => {
      setDone(false);
      const r = await api<{ publicUrl: string }>('/api/engage/links', {
        method: 'PUT',
        body: JSON.stringify({ publicUrl: url }),
      });
      setUrl(r.publicUrl);
      setDone(true);
    });
  return (
    <form
      className="settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t('channels.links')}</h2>
      <label>
        {t('channels.publicUrl')}
        <input name="publicUrl" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      <SaveRow busy={busy} done={done} problem={problem} />
    </form>
  );
}
