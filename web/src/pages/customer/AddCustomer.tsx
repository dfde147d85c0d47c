// A customer added without an order — a member signing up at the counter — by POST /api/customers. A
// person the shop knows already (the same phone, email or card) is found rather than made twice, and
// either way the page opens their profile.
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { href } from '../../route.js';
import { useAttempt } from '../../useAttempt.js';
import { Problem } from '../../Problem.js';

const FIELDS = ['name', 'phone', 'email', 'memberCard'] as const;

export function AddCustomer() {
  const { t } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState<Record<(typeof FIELDS)[number], string>>({
    name: '',
    phone: '',
    email: '',
    memberCard: '',
  });
  const [sms, setSms] = useState(false);
  if (!open)
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        {t('addCustomer.open')}
      </button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      const given = Object.fromEntries(FIELDS.flatMap((f) => (form[f].trim() ? [[f, form[f].trim()]] : [])));
      const r = await api<{ customerId: string }>('/api/customers', {
        method: 'POST',
        body: JSON.stringify({ ...given, ...(sms ? { consents: { sms: 'opted_in' } } : {}) }),
      });
      location.hash = href({ page: 'customer', id: r.customerId });
    });
  };
  return (
    <form className="settings" onSubmit={submit} data-testid="add-customer">
      <h2>{t('addCustomer.title')}</h2>
      <p className="muted">{t('addCustomer.help')}</p>
      {FIELDS.map((f) => (
        <label key={f}>
          {t(`addCustomer.${f}`)}
          <input
            value={form[f]}
            type={f === 'email' ? 'email' : 'text'}
            onChange={(e) => setForm({ ...form, [f]: e.target.value })}
          />
        </label>
      ))}
      <label className="inline">
        <input type="checkbox" checked={sms} onChange={(e) => setSms(e.target.checked)} />
        {t('addCustomer.sms')}
      </label>
      <Problem text={problem} />
      <button type="submit" disabled={busy}>
        {t('addCustomer.submit')}
      </button>
    </form>
  );
}
