import { useState, type FormEvent } from 'react';
import { api, ApiError, type Me } from '../api.js';
import { useI18n } from '../i18n.js';
import { Problem } from '../Problem.js';

export function LoginPage({
  onSignedIn,
  deletedShop = null,
}: {
  onSignedIn: (me: Me) => void;
  deletedShop?: string | null;
}) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(
        await api<Me>('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }),
      );
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? t('login.failed')
          : err instanceof ApiError && err.status === 429
            ? t(err.body.error === 'throttled' ? 'login.throttled' : 'login.locked')
            : t('common.error', { message: String(err) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login" onSubmit={submit}>
      <h1>{t('login.title')}</h1>
      {deletedShop && (
        <p className="notice" role="status" data-testid="shop-deleted">
          {t('login.shopDeleted', { name: deletedShop })}
        </p>
      )}
      <label>
        {t('login.email')}
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        {t('login.password')}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <Problem text={error} />
      <button type="submit" disabled={busy}>
        {t('login.submit')}
      </button>
    </form>
  );
}
