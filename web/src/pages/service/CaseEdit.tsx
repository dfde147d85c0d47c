// Correcting what a case says — its subject and details — on the customer's service card.
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import type { ServiceCase } from './cases.js';
import { CaseWords } from './CaseWords.js';

export function CaseEdit({ serviceCase, onChanged }: { serviceCase: ServiceCase; onChanged: () => void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<{ subject: string; body: string } | null>(null);
  const { problem, busy, attempt } = useAttempt();
  if (!draft)
    return (
      <button
        type="button"
        className="link"
        onClick={() => setDraft({ subject: serviceCase.subject, body: serviceCase.body ?? '' })}
      >
        {t('service.edit')}
      </button>
    );
  const save = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      await api(`/api/service-cases/${serviceCase.caseId}`, {
        method: 'PATCH',
        body: JSON.stringify({ subject: draft.subject, body: draft.body.trim() ? draft.body : null }),
      });
      setDraft(null);
      onChanged();
    });
  };
  return (
    <form onSubmit={save} className="service-case">
      <CaseWords
        subject={draft.subject}
        body={draft.body}
        onChange={(words) => setDraft({ ...draft, ...words })}
      />
      <div>
        <button type="submit" disabled={busy || draft.subject.trim() === ''}>
          {t('service.saveEdit')}
        </button>{' '}
        <button type="button" className="link" onClick={() => setDraft(null)}>
          {t('service.cancel')}
        </button>
      </div>
      <Problem text={problem} />
    </form>
  );
}
