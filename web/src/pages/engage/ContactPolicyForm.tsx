// The shop's contact policy: at most so many messages per customer in so many days, quiet hours in the
// shop's time zone, and whether an open complaint or dispute holds marketing back.
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import type { ContactPolicy } from './types.js';

import { SaveRow } from './SaveRow.js';

export function ContactPolicyForm({ initial }: { initial: ContactPolicy }) {
  const { t } = useI18n();
  const [p, setP] = useState(initial);
  const { problem, busy, attempt } = useAttempt();
  const [done, setDone] = useState(false);
  const save = () =>
    attempt(async () => {
      setDone(false);
      setP(await api<ContactPolicy>('/api/contact-policy', { method: 'PUT', body: JSON.stringify(p) }));
      setDone(true);
    });
  return (
    <form
      className="settings"
      data-testid="contact-policy"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t('channels.policy')}</h2>
      <label>
        {t('channels.maxMessages')}
        <input
          name="maxMessages"
          type="number"
          min={0}
          value={p.maxMessages}
          onChange={(e) => setP({ ...p, maxMessages: Number(e.target.value) })}
        />
      </label>
      <label>
        {t('channels.perDays')}
        <input
          name="perDays"
          type="number"
          min={1}
          value={p.perDays}
          onChange={(e) => setP({ ...p, perDays: Number(e.target.value) })}
        />
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={p.quietHours !== null}
          onChange={(e) =>
            setP({ ...p, quietHours: e.target.checked ? { start: '21:00', end: '09:00' } : null })
          }
        />
        {t('channels.quiet')}
      </label>
      {p.quietHours && (
        <>
          <label>
            {t('channels.quietStart')}
            <input
              type="time"
              value={p.quietHours.start}
              onChange={(e) => setP({ ...p, quietHours: { ...p.quietHours!, start: e.target.value } })}
            />
          </label>
          <label>
            {t('channels.quietEnd')}
            <input
              type="time"
              value={p.quietHours.end}
              onChange={(e) => setP({ ...p, quietHours: { ...p.quietHours!, end: e.target.value } })}
            />
          </label>
        </>
      )}
      <label className="inline">
        <input
          type="checkbox"
          name="holdOpenComplaints"
          checked={p.holdOpenComplaints}
          onChange={(e) => setP({ ...p, holdOpenComplaints: e.target.checked })}
        />
        {t('channels.holdOpenComplaints')}
      </label>
      <SaveRow busy={busy} done={done} problem={problem} />
    </form>
  );
}
