import { useI18n, type Key } from '../../i18n.js';

/** A card's facts, label on the left and value on the right. */
export function Facts({ facts, testId }: { facts: [Key, string][]; testId?: string }) {
  const { t } = useI18n();
  return (
    <dl data-testid={testId}>
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{t(k)}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
