import { useState, type FormEvent } from 'react';
import { api, ApiError, type Me, type ShopChoice } from '../api.js';
import { useI18n } from '../i18n.js';
import { Problem } from '../Problem.js';

/** The shop last chosen on this browser, offered first the next time. */
const LAST_SHOP = 'regulars.lastShop';
/** The email whose sign-in on this browser last offered several shops: the header offers to switch. */
const SEVERAL_SHOPS = 'regulars.severalShops';

export const hasSeveralShops = (email: string) => localStorage.getItem(SEVERAL_SHOPS) === email;

/** Notes the shop entered, to offer it first at the next sign-in. */
export const rememberShop = (shopId: string) => localStorage.setItem(LAST_SHOP, shopId);

export function LoginPage({
  onSignedIn,
  deletedShop = null,
  switchingFrom = null,
}: {
  onSignedIn: (me: Me) => void;
  deletedShop?: string | null;
  /** The email of a staff member switching shops: filled in, the password asked again. */
  switchingFrom?: string | null;
}) {
  const { t, label } = useI18n();
  const [email, setEmail] = useState(switchingFrom ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The shops the password opens, when it opens several: the staff member picks one.
  const [choices, setChoices] = useState<ShopChoice[] | null>(null);

  const signIn = async (shopId?: string) => {
    setBusy(true);
    setError(null);
    try {
      const me = await api<Me>('/api/auth/login', {
        method: 'POST',
        body: JSON.stringify({ email, password, shopId }),
      });
      if (shopId) {
        rememberShop(shopId);
        localStorage.setItem(SEVERAL_SHOPS, me.staff.email);
      } else if (hasSeveralShops(me.staff.email)) {
        localStorage.removeItem(SEVERAL_SHOPS);
      }
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body.error === 'choose_shop') {
        const last = localStorage.getItem(LAST_SHOP);
        const shops = (err.body as ApiError['body'] & { shops: ShopChoice[] }).shops;
        setChoices(
          [...shops].sort(
            (x, y) => +(y.shopId === last) - +(x.shopId === last) || x.name.localeCompare(y.name),
          ),
        );
        return;
      }
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

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void signIn();
  };

  if (choices) {
    return (
      <div className="login" data-testid="shop-choice">
        <h1>{t('login.chooseShop')}</h1>
        <p className="hint">{t('login.chooseShopHint', { email })}</p>
        <ul className="shop-choices">
          {choices.map((c) => (
            <li key={c.shopId}>
              <button type="button" disabled={busy} onClick={() => void signIn(c.shopId)}>
                {c.name}
              </button>{' '}
              <span className="hint">{label(`role.${c.role}`, c.role)}</span>
            </li>
          ))}
        </ul>
        <Problem text={error} />
        <button
          type="button"
          className="link"
          onClick={() => {
            setChoices(null);
            setPassword('');
          }}
        >
          {t('login.back')}
        </button>
      </div>
    );
  }

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
          autoFocus={switchingFrom !== null}
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
