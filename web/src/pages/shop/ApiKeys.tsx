import { useState, type FormEvent } from 'react';
import { api, type Me } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';

interface ApiKey {
  keyId: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * The shop's API keys, for its integrations (the order webhook, a store's till). Everyone sees which keys
 * exist and when each was last used; only the owner makes or revokes one, as the API holds them to. A new
 * key is shown once, here, since only its hash is kept.
 */
export function ApiKeys({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const keys = useLoad(() => api<{ items: ApiKey[] }>('/api/api-keys'), 'keys');
  const [name, setName] = useState('');
  // The key just made, the only time its secret is shown.
  const [made, setMade] = useState<(ApiKey & { key: string }) | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const owner = me.access.includes('own');

  const create = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      setMade(
        await api<ApiKey & { key: string }>('/api/api-keys', {
          method: 'POST',
          body: JSON.stringify({ name }),
        }),
      );
      setName('');
      keys.reload();
    });
  };
  const revoke = (key: ApiKey) =>
    attempt(async () => {
      if (!confirm(t('keys.confirmRevoke', { name: key.name }))) return;
      await api(`/api/api-keys/${key.keyId}`, { method: 'DELETE' });
      // Names need not be unique: the shown key goes only if it is the one revoked.
      if (made?.keyId === key.keyId) setMade(null);
      keys.reload();
    });

  const zone = me.shop.timeZone;
  return (
    <section>
      <h2>{t('keys.title')}</h2>
      <p className="muted">{t('keys.help')}</p>
      <table data-testid="api-keys">
        <thead>
          <tr>
            <th>{t('keys.name')}</th>
            <th>{t('keys.created')}</th>
            <th>{t('keys.lastUsed')}</th>
            <th>{t('keys.status')}</th>
            {owner && <th />}
          </tr>
        </thead>
        <tbody>
          {(keys.data?.items ?? []).map((k) => (
            <tr key={k.keyId} data-key={k.name}>
              <td>{k.name}</td>
              <td>{dateTime(k.createdAt, zone, lang)}</td>
              <td>{k.lastUsedAt ? dateTime(k.lastUsedAt, zone, lang) : t('keys.never')}</td>
              <td data-testid="key-status">
                {k.revokedAt
                  ? t('keys.revokedAt', { at: dateTime(k.revokedAt, zone, lang) })
                  : t('keys.active')}
              </td>
              {owner && (
                <td>
                  {!k.revokedAt && (
                    <button
                      type="button"
                      className="link danger"
                      disabled={busy}
                      onClick={() => void revoke(k)}
                    >
                      {t('keys.revoke')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {keys.error && <p className="error">{keys.error}</p>}
      {made && (
        <div className="new-key" data-testid="new-key">
          <p>{t('keys.shownOnce', { name: made.name })}</p>
          <code data-testid="new-key-value">{made.key}</code>{' '}
          {/* The clipboard is there only on https or localhost; elsewhere one click selects the key. */}
          {window.isSecureContext && (
            <button
              type="button"
              className="link"
              onClick={() => void navigator.clipboard.writeText(made.key)}
            >
              {t('keys.copy')}
            </button>
          )}
        </div>
      )}
      {owner ? (
        <form className="inline key-form" onSubmit={create} data-testid="key-form">
          <label>
            {t('keys.name')}
            <input
              name="name"
              required
              maxLength={100}
              placeholder={t('keys.namePlaceholder')}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            {t('keys.create')}
          </button>
        </form>
      ) : (
        <p className="muted" data-testid="keys-owner-only">
          {t('keys.ownerOnly')}
        </p>
      )}
      <Problem text={problem} />
    </section>
  );
}
