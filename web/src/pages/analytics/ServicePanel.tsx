import { figure, fixedFigure } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { CASE_KINDS } from '../service/cases.js';
import type { Dashboard } from './types.js';

/** The period's service cases: opened by kind, resolved, on target, how fast and how rated. */
export function ServicePanel({
  figures: service,
  pct,
}: {
  figures: Dashboard['service'];
  pct: (x: number | null) => string;
}) {
  const { t, label, lang } = useI18n();
  return (
    <div className="panel" title={t('dash.def.service')}>
      <h2>{t('dash.service')}</h2>
      <dl className="points" data-testid="service-figures">
        {CASE_KINDS.map((k) => (
          <div key={k}>
            <dt>{label(`service.kind.${k}`, k)}</dt>
            <dd>{figure(service.opened[k], lang)}</dd>
          </div>
        ))}
        <div>
          <dt>{t('dash.service.customers')}</dt>
          <dd>{figure(service.customers, lang)}</dd>
        </div>
        <div>
          <dt>{t('dash.service.stillOpen')}</dt>
          <dd>{figure(service.stillOpen, lang)}</dd>
        </div>
        <div>
          <dt>{t('dash.service.resolved')}</dt>
          <dd>{figure(service.resolved, lang)}</dd>
        </div>
        <div>
          <dt>{t('dash.service.onTarget')}</dt>
          <dd data-testid="service-on-target">
            {service.resolvedWithTarget > 0
              ? pct(service.resolvedOnTarget / service.resolvedWithTarget)
              : '—'}
          </dd>
        </div>
        <div>
          <dt title={t('dash.service.medianHoursHelp')}>{t('dash.service.medianHours')}</dt>
          <dd>{fixedFigure(service.medianHoursToResolve, lang, 1)}</dd>
        </div>
        <div>
          <dt>{t('dash.service.rating')}</dt>
          <dd>{fixedFigure(service.averageRating, lang, 1)}</dd>
        </div>
      </dl>
    </div>
  );
}
