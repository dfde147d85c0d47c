import { useMemo, useState, type FormEvent } from 'react';
import { api, type Me, type Shop } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';

/**
 * The shop's name, currency, time zone and phone region: everyone reads them, admins change them. The
 * API refuses a new currency once there are orders, and a new time zone recomputes the dashboard's days.
 */
export function ShopSettings({ me, onChanged }: { me: Me; onChanged: (shop: Shop) => void }) {
  const { t } = useI18n();
  const admin = me.access.includes('administer');
  const [form, setForm] = useState({
    name: me.shop.name,
    currency: me.shop.currency,
    timeZone: me.shop.timeZone,
    phoneRegion: me.shop.phoneRegion,
  });
  const [notice, setNotice] = useState<string | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const zones = useMemo(() => {
    const all = Intl.supportedValuesOf('timeZone');
    return all.includes(me.shop.timeZone) ? all : [me.shop.timeZone, ...all];
  }, [me.shop.timeZone]);

  const save = (e: FormEvent) => {
    e.preventDefault();
    setNotice(null);
    const change = Object.fromEntries(
      Object.entries(form).filter(([k, v]) => v !== me.shop[k as keyof typeof form]),
    );
    if (Object.keys(change).length === 0) return;
    void attempt(async () => {
      const shop = await api<Shop>('/api/shop', { method: 'PATCH', body: JSON.stringify(change) });
      setNotice(change.timeZone ? t('shop.savedZone') : t('shop.saved'));
      onChanged(shop);
    });
  };

  return (
    <section>
      <h2>{t('shop.title')}</h2>
      <form className="settings" onSubmit={save} data-testid="shop-settings">
        <label>
          {t('shop.name')}
          <input
            required
            maxLength={200}
            disabled={!admin}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </label>
        <label>
          {t('shop.currency')}
          <input
            required
            pattern="[A-Z]{3}"
            size={4}
            disabled={!admin}
            title={t('shop.currencyHelp')}
            value={form.currency}
            onChange={(e) => setForm({ ...form, currency: e.target.value.toUpperCase() })}
          />
        </label>
        <label>
          {t('shop.timeZone')}
          <select
            disabled={!admin}
            value={form.timeZone}
            onChange={(e) => setForm({ ...form, timeZone: e.target.value })}
          >
            {zones.map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </label>
        <label>
          {t('shop.phoneRegion')}
          <input
            required
            pattern="[A-Z]{2}"
            size={3}
            disabled={!admin}
            value={form.phoneRegion}
            onChange={(e) => setForm({ ...form, phoneRegion: e.target.value.toUpperCase() })}
          />
        </label>
        {admin && (
          <button type="submit" disabled={busy}>
            {t('shop.save')}
          </button>
        )}
      </form>
      <p className="muted">{t('shop.help')}</p>
      <Problem text={problem} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </section>
  );
}
