// A campaign's report: what was sent, delivered, opened and clicked, who bought after it against the
// held-out control (the lift), the coupons used, the lapsed customers it woke up, and its messages.
import { api, type Shop } from '../../api.js';
import { dateTime, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';
import type { CampaignReport, Message } from './types.js';

export function CampaignReportPanel({
  campaignId,
  shop,
  version,
}: {
  campaignId: string;
  shop: Shop;
  version: number;
}) {
  const { t, lang, label } = useI18n();
  const report = useLoad(
    () => api<CampaignReport>(`/api/campaigns/${campaignId}/report`),
    `${campaignId}:${version}`,
  );
  const messages = useLoad(
    () => api<{ items: Message[] }>(`/api/messages?campaignId=${campaignId}&limit=20`),
    `${campaignId}:${version}`,
  );
  const r = report.data;
  if (!r) return <p className="loading">{t('common.loading')}</p>;
  const sent = r.messages.sent + r.messages.delivered;
  const row = (k: string, v: string | number, testId?: string) => (
    <div key={k}>
      <dt>{label(k)}</dt>
      <dd data-testid={testId}>{typeof v === 'number' ? v.toLocaleString(lang) : v}</dd>
    </div>
  );
  return (
    <div className="report" data-testid="campaign-report">
      <h2>{t('campaigns.report')}</h2>
      <dl>
        {row('campaigns.r.audience', r.audience)}
        {row('campaigns.r.holdout', r.holdout)}
        {row('campaigns.r.sent', sent, 'report-sent')}
        {row('campaigns.r.delivered', r.messages.delivered)}
        {row('campaigns.r.failed', r.messages.failed)}
        {row('campaigns.r.waiting', r.messages.queued + r.messages.sending)}
        {row('campaigns.r.suppressed', r.messages.suppressed, 'report-suppressed')}
        {row(
          'campaigns.r.opened',
          `${r.opened.toLocaleString(lang)} (${percent(sent ? r.opened / sent : null, lang)})`,
        )}
        {row(
          'campaigns.r.clicked',
          `${r.clicked.toLocaleString(lang)} (${percent(sent ? r.clicked / sent : null, lang)})`,
        )}
        {row('campaigns.r.unsubscribed', r.unsubscribed)}
        {r.coupons.issued > 0 &&
          row(
            'campaigns.r.coupons',
            `${r.coupons.redeemed.toLocaleString(lang)} / ${r.coupons.issued.toLocaleString(lang)} · ${money(r.coupons.revenueCents, shop.currency, lang)}`,
          )}
      </dl>
      {Object.keys(r.suppressedBecause).length > 0 && (
        <p className="muted" data-testid="suppressed-because">
          {Object.entries(r.suppressedBecause)
            .map(([why, n]) => `${label(`suppressed.${why}`, why)}: ${n.toLocaleString(lang)}`)
            .join(' · ')}
        </p>
      )}
      <table className="lift" data-testid="lift">
        <thead>
          <tr>
            <th />
            <th className="num">{t('campaigns.r.customers')}</th>
            <th className="num">{t('campaigns.r.converted')}</th>
            <th className="num">{t('campaigns.r.rate')}</th>
            <th className="num">{t('campaigns.r.revenue')}</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['campaigns.r.recipients', r.recipients],
              ['campaigns.r.control', r.control],
            ] as const
          ).map(([k, g]) => (
            <tr key={k}>
              <th>{label(k)}</th>
              <td className="num">{g.customers.toLocaleString(lang)}</td>
              <td className="num">{g.converted.toLocaleString(lang)}</td>
              <td className="num">{percent(g.conversionRate, lang)}</td>
              <td className="num">{money(g.revenueCents, shop.currency, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="big" title={t('campaigns.liftHelp')}>
        {t('campaigns.lift')}: <span data-testid="lift-value">{percent(r.lift, lang)}</span>
      </p>
      <p title={t('campaigns.wakeUpHelp', { days: r.reactivation.days })} data-testid="wake-up">
        {t('campaigns.wakeUp', {
          reactivated: r.reactivation.recipients.reactivated.toLocaleString(lang),
          dormant: r.reactivation.recipients.dormant.toLocaleString(lang),
          rate: percent(r.reactivation.recipients.rate, lang),
          control: percent(r.reactivation.control.rate, lang),
        })}
      </p>
      <h3>{t('campaigns.messages')}</h3>
      <table data-testid="messages">
        <tbody>
          {(messages.data?.items ?? []).map((m) => (
            <tr key={m.messageId}>
              <td>{m.customerName ?? m.customerId}</td>
              <td>{m.recipient ?? '–'}</td>
              <td>{label(`message.${m.status}`)}</td>
              <td>{m.reason ? label(`suppressed.${m.reason}`, m.reason) : ''}</td>
              <td>{dateTime(m.sentAt, shop.timeZone, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
