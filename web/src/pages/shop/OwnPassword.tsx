import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { Problem } from '../../Problem.js';

/** The signed-in staff member changes their own password; their other sessions end. */
export function OwnPassword() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const { problem, busy, attempt } = useAttempt();
  const change = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    void attempt(async () => {
      await api('/api/me/password', {
        method: 'PUT',
        body: JSON.stringify({ currentPassword: current, newPassword: next }),
      });
      setCurrent('');
      setNext('');
      setDone(true);
    });
  };
  return (
    <section>
      <h2>{t('password.title')}</h2>
      <form className="settings" onSubmit={change} data-testid="own-password">
        <label>
          {t('password.current')}
          <input
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          {t('password.new')}
          <input
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {t('password.change')}
        </button>
      </form>
      {done && (
        <p className="notice" role="status">
          {t('password.changed')}
        </p>
      )}
      <Problem text={problem} />
    </section>
  );
}
