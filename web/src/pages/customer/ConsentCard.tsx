import { api } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';

interface Consent {
  channel: 'email' | 'sms';
  status: 'opted_in' | 'opted_out';
  source: string;
  changedAt: string;
}

const CHANNELS = ['sms', 'email'] as const;

/** The customer's marketing consent per channel, and staff recording what the customer told them. */
export function ConsentCard({ customerId, timeZone }: { customerId: string; timeZone: string }) {
  const { t, lang } = useI18n();
  const consents = useLoad(
    () => api<{ items: Consent[] }>(`/api/customers/${customerId}/consents`),
    customerId,
  );
  const { problem, busy, attempt } = useAttempt();
  const record = (channel: string, status: Consent['status']) =>
    attempt(async () => {
      await api(`/api/customers/${customerId}/consents/${channel}`, {
        method: 'PUT',
        body: JSON.stringify({ status, source: 'staff' }),
      });
      consents.reload();
    });
  return (
    <div className="card" data-testid="consents">
      <h2>{t('consent.title')}</h2>
      <dl>
        {CHANNELS.map((channel) => {
          const c = consents.data?.items.find((x) => x.channel === channel);
          return (
            <div key={channel} data-channel={channel}>
              <dt>{t(`consent.${channel}`)}</dt>
              <dd>
                <span data-testid={`consent-${channel}`}>
                  {t(c ? `consent.${c.status}` : 'consent.none')}
                </span>
                {c && (
                  <small>
                    {' '}
                    {c.source} · {dateTime(c.changedAt, timeZone, lang)}
                  </small>
                )}{' '}
                <button
                  type="button"
                  className="link"
                  disabled={busy}
                  onClick={() => void record(channel, c?.status === 'opted_in' ? 'opted_out' : 'opted_in')}
                >
                  {t(c?.status === 'opted_in' ? 'consent.optOut' : 'consent.optIn')}
                </button>
              </dd>
            </div>
          );
        })}
      </dl>
      <Problem text={problem} />
    </div>
  );
}
