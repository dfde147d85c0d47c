// A flow's report: who entered, was held out, is in it, finished or left, what was sent and opened, the
// conversion of those who walked it against the held-out control (the lift), and its latest enrollments.
import { api, type Shop } from '../../api.js';
import { dateTime, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';
import type { Enrollment, FlowReport } from './types.js';

export function FlowReportPanel({
  r,
  flowId,
  shop,
  version,
}: {
  r: FlowReport;
  flowId: string;
  shop: Shop;
  version: number;
}) {
  const { t, lang, label } = useI18n();
  const enrollments = useLoad(
    () => api<{ items: Enrollment[] }>(`/api/flows/${flowId}/enrollments?limit=20`),
    `${flowId}:${version}`,
  );
  const pct = (x: number | null) => percent(x, lang);
  const sent = r.messages.sent + r.messages.delivered;
  return (
    <div className="report" data-testid="flow-report">
      <h3>{t('flows.report')}</h3>
      <dl>
        {(
          [
            ['flows.r.entered', r.entered, 'flow-entered'],
            ['flows.r.holdout', r.holdout],
            ['flows.r.active', r.active],
            ['flows.r.completed', r.completed, 'flow-completed'],
            ['flows.r.exited', r.exited],
            ['campaigns.r.sent', sent, 'flow-sent'],
            ['campaigns.r.suppressed', r.messages.suppressed],
            ['campaigns.r.opened', r.opened],
            ['campaigns.r.clicked', r.clicked],
          ] as const
        ).map(([k, v, id]) => (
          <div key={k}>
            <dt>{label(k)}</dt>
            <dd data-testid={id}>{v.toLocaleString(lang)}</dd>
          </div>
        ))}
      </dl>
      <p>
        {t('flows.r.walked')}: {pct(r.walked.conversionRate)} ·{' '}
        {money(r.walked.revenueCents, shop.currency, lang)} · {t('flows.r.control')}:{' '}
        {pct(r.control.conversionRate)} · {t('campaigns.lift')}: {pct(r.lift)}
      </p>
      <table data-testid="enrollments">
        <tbody>
          {(enrollments.data?.items ?? []).map((e) => (
            <tr key={e.enrollmentId}>
              <td>
                <a href={`#/customers/${e.customerId}`}>{e.customerName ?? e.customerId}</a>
              </td>
              <td>{e.occurrence}</td>
              <td>{label(`flows.enrollment.${e.status}`)}</td>
              <td>{e.holdout ? t('flows.r.holdout') : (e.exitReason ?? e.stepId ?? '')}</td>
              <td>{dateTime(e.nextAt, shop.timeZone, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
