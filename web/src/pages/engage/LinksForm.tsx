// The address customers reach this server at, which the links in messages (tracked clicks, unsubscribe
// pages) are written with: the shop's own, or left empty for the server's (REGULARS_PUBLIC_URL).
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';

import { SaveRow } from './SaveRow.js';

export interface LinkAddress {
  publicUrl: string;
  own: boolean;
  serverUrl: string;
}

/** `onSaved`: the page's other addresses built on this one (a provider's push addresses) load again. */
export function LinksForm({ initial, onSaved }: { initial: LinkAddress; onSaved: () => void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState(initial.own ? initial.publicUrl : '');
  const { problem, busy, attempt } = useAttempt();
  const [done, setDone] = useState(false);
  const save = () =>
    attempt(async () => {
      setDone(false);
      const r = await api<LinkAddress>('/api/engage/links', {
        method: 'PUT',
        body: JSON.stringify({ publicUrl: url.trim() === '' ? null : url.trim() }),
      });
      setUrl(r.own ? r.publicUrl : '');
      setDone(true);
      onSaved();
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
        <input
          name="publicUrl"
          value={url}
          placeholder={initial.serverUrl}
          onChange={(e) => setUrl(e.target.value)}
        />
      </label>
      <p className="muted">{t('channels.publicUrl.server', { url: initial.serverUrl })}</p>
      <SaveRow busy={busy} done={done} problem={problem} />
    </form>
  );
}
