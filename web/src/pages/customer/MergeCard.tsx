import { useState, type FormEvent } from 'react';
import { api, type Customer, type Shop } from '../../api.js';
import { customerName, formatPhone } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { Problem } from '../../Problem.js';

/**
 * Folds another profile of the same person into this one, when the matcher could not tell (a new phone,
 * a nickname never linked): staff find it, say why, and its orders, points and history move here.
 */
export function MergeCard({
  shop,
  customer,
  onMerged,
}: {
  shop: Shop;
  customer: Customer;
  onMerged: () => void;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[] | null>(null);
  const [chosen, setChosen] = useState<Customer | null>(null);
  const [reason, setReason] = useState('');
  const [merged, setMerged] = useState<string | null>(null);
  const { problem, busy, attempt } = useAttempt();
  // How the duplicate is named in the confirm button and in the outcome.
  const phoneOf = (c: Customer) => c.phone && formatPhone(c.phone, shop.phoneRegion);
  const nameOf = (c: Customer) => customerName(c, t, phoneOf(c) ?? c.email);

  const find = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      setChosen(null);
      setMerged(null);
      const page = await api<{ items: Customer[] }>(
        `/api/customers?limit=5&q=${encodeURIComponent(q.trim())}`,
      );
      setFound(page.items.filter((c) => c.customerId !== customer.customerId));
    });
  };
  const merge = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    void attempt(async () => {
      await api(`/api/customers/${customer.customerId}/merge`, {
        method: 'POST',
        body: JSON.stringify({ customerIds: [chosen.customerId], reason }),
      });
      setMerged(nameOf(chosen));
      setFound(null);
      setChosen(null);
      setReason('');
      onMerged();
    });
  };

  return (
    <div className="card" data-testid="merge">
      <h2>{t('merge.title')}</h2>
      <p className="muted">{t('merge.help')}</p>
      <form onSubmit={find}>
        <input
          type="search"
          aria-label={t('merge.find')}
          placeholder={t('merge.find')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" disabled={busy || q.trim() === ''}>
          {t('merge.search')}
        </button>
      </form>
      {found && found.length === 0 && <p className="muted">{t('merge.none')}</p>}
      {found && found.length > 0 && (
        <ul className="merge-candidates">
          {found.map((c) => (
            <li key={c.customerId}>
              <label>
                <input
                  type="radio"
                  name="duplicate"
                  checked={chosen?.customerId === c.customerId}
                  onChange={() => setChosen(c)}
                />
                {customerName(c, t)} · {phoneOf(c) ?? c.email ?? c.memberCard ?? ''} ·{' '}
                {t('merge.orders', { n: c.orderCount })}
              </label>
            </li>
          ))}
        </ul>
      )}
      {chosen && (
        <form onSubmit={merge}>
          <input
            aria-label={t('merge.reason')}
            placeholder={t('merge.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
          />
          <button type="submit" disabled={busy || reason.trim() === ''}>
            {t('merge.confirm', { name: nameOf(chosen) })}
          </button>
        </form>
      )}
      {merged !== null && (
        <p role="status" className="muted">
          {t('merge.done', { name: merged })}
        </p>
      )}
      <Problem text={problem} />
    </div>
  );
}
