// Resolving a case (saying what was done) or opening it again: on the profile's service card and in
// the service queue alike.
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import type { ServiceCase } from './cases.js';

export function CaseActions({ serviceCase, onChanged }: { serviceCase: ServiceCase; onChanged: () => void }) {
  const { t } = useI18n();
  const [resolving, setResolving] = useState(false);
  const [resolution, setResolution] = useState('');
  const { problem, busy, attempt } = useAttempt();
  const patch = (body: object) =>
    attempt(async () => {
      await api(`/api/service-cases/${serviceCase.caseId}`, { method: 'PATCH', body: JSON.stringify(body) });
      setResolving(false);
      setResolution('');
      onChanged();
    });
  const resolve = (e: FormEvent) => {
    e.preventDefault();
    void patch({ status: 'resolved', ...(resolution.trim() ? { resolution } : {}) });
  };
  if (serviceCase.status === 'resolved')
    return (
      <>
        <button type="button" className="link" disabled={busy} onClick={() => void patch({ status: 'open' })}>
          {t('service.reopen')}
        </button>
        <Problem text={problem} />
      </>
    );
  if (!resolving)
    return (
      <button type="button" className="link" onClick={() => setResolving(true)}>
        {t('service.resolve')}
      </button>
    );
  return (
    <form onSubmit={resolve} className="resolve">
      <label>
        {t('service.resolution')}
        <textarea
          rows={2}
          maxLength={4000}
          value={resolution}
          onChange={(e) => setResolution(e.target.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        {t('service.markResolved')}
      </button>{' '}
      <button type="button" className="link" onClick={() => setResolving(false)}>
        {t('service.cancel')}
      </button>
      <Problem text={problem} />
    </form>
  );
}
