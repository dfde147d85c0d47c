// What a case says — its subject and details — as fields, for opening a case and for correcting one.
import { useI18n } from '../../i18n.js';

export function CaseWords({
  subject,
  body,
  onChange,
}: {
  subject: string;
  body: string;
  onChange: (words: { subject?: string; body?: string }) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t('service.subject')}
        <input
          value={subject}
          maxLength={200}
          required
          onChange={(e) => onChange({ subject: e.target.value })}
        />
      </label>
      <label>
        {t('service.body')}
        <textarea
          rows={3}
          maxLength={4000}
          value={body}
          onChange={(e) => onChange({ body: e.target.value })}
        />
      </label>
    </>
  );
}
