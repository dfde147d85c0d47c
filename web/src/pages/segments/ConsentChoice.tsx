// A consent condition: a channel (SMS or email) and the customer's standing on it.
import { useI18n } from '../../i18n.js';
import type { Rule } from './rule.js';

export function ConsentChoice({
  node,
  onChange,
}: {
  node: Extract<Rule, { type: 'consent' }>;
  onChange: (r: Rule) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <select
        aria-label={t('segments.consent.channel')}
        value={node.channel}
        onChange={(e) => onChange({ ...node, channel: e.target.value as 'email' | 'sms' })}
      >
        <option value="sms">{t('consent.sms')}</option>
        <option value="email">{t('consent.email')}</option>
      </select>
      <select
        aria-label={t('segments.consent.status')}
        value={node.status}
        onChange={(e) => onChange({ ...node, status: e.target.value as typeof node.status })}
      >
        <option value="opted_in">{t('consent.opted_in')}</option>
        <option value="opted_out">{t('consent.opted_out')}</option>
        <option value="none">{t('consent.none')}</option>
      </select>
    </>
  );
}
