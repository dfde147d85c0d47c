import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';

/**
 * What a person may ask of the shop about their data (admins and owners carry it out): a copy of all of
 * it, downloaded as JSON, and erasure — behind a second step with the reason, since it cannot be undone.
 */
export function PersonalDataCard({ customerId, onErased }: { customerId: string; onErased: () => void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const { problem, busy, attempt } = useAttempt();

  const erase = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      await api(`/api/customers/${customerId}/erase`, { method: 'POST', body: JSON.stringify({ reason }) });
      onErased();
    });
  };

  return (
    <div className="card" data-testid="personal-data">
      <h2>{t('erase.title')}</h2>
      <p>
        <a href={`/api/customers/${encodeURIComponent(customerId)}/personal-data`} download>
          {t('erase.download')}
        </a>
      </p>
      <p className="muted">{t('erase.help')}</p>
      {asking ? (
        <form onSubmit={erase}>
          <input
            aria-label={t('erase.reason')}
            placeholder={t('erase.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
          />
          <div className="actions">
            <button type="submit" className="danger" disabled={busy || reason.trim() === ''}>
              {t('erase.confirm')}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              {t('erase.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" onClick={() => setAsking(true)}>
            {t('erase.start')}
          </button>
        </div>
      )}
      <Problem text={problem} />
    </div>
  );
}
