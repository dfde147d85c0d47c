// A service-history condition: cases of some kinds, open or resolved, opened lately, reviews of few
// stars, at least so many of them.
import { useI18n } from '../../i18n.js';
import { CASE_KINDS } from '../service/cases.js';
import { NumberBox } from './NumberBox.js';
import type { Rule } from './rule.js';

export function ServiceFilters({
  node,
  onChange,
}: {
  node: Extract<Rule, { type: 'service' }>;
  onChange: (r: Rule) => void;
}) {
  const { t, label } = useI18n();
  const kinds = node.kinds ?? [];
  const setKinds = (next: string[]) => onChange({ ...node, kinds: next.length > 0 ? next : undefined });
  return (
    <>
      {CASE_KINDS.map((k) => (
        <label key={k} className="inline">
          <input
            type="checkbox"
            checked={kinds.includes(k)}
            onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))}
          />
          {label(`service.kind.${k}`, k)}
        </label>
      ))}
      <select
        aria-label={t('service.status')}
        value={node.status ?? ''}
        onChange={(e) =>
          onChange({ ...node, status: (e.target.value || undefined) as 'open' | 'resolved' | undefined })
        }
      >
        <option value="">{t('service.anyStatus')}</option>
        <option value="open">{t('service.status.open')}</option>
        <option value="resolved">{t('service.status.resolved')}</option>
      </select>
      <NumberBox
        label={t('segments.withinDays')}
        value={node.withinDays}
        onChange={(v) => onChange({ ...node, withinDays: v })}
      />
      <NumberBox
        label={t('segments.service.maxRating')}
        value={node.maxRating}
        onChange={(v) => onChange({ ...node, maxRating: v })}
      />
      <NumberBox
        label={t('segments.service.minCases')}
        value={node.minCases}
        onChange={(v) => onChange({ ...node, minCases: v })}
      />
    </>
  );
}
