// Correcting a case on the customer's service card: what it says (subject, details) and what it is
// (kind, channel, the order it is about, a review's stars).
import { useState, type FormEvent } from 'react';
import { api, type Order } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import { CaseFacts, type Facts } from './CaseFacts.js';
import type { ServiceCase } from './cases.js';
import { CaseWords } from './CaseWords.js';

interface Draft extends Facts {
  subject: string;
  body: string;
}

export function CaseEdit({
  serviceCase: k,
  orders,
  timeZone,
  onChanged,
}: {
  serviceCase: ServiceCase;
  orders: Order[];
  timeZone: string;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft | null>(null);
  const { problem, busy, attempt } = useAttempt();
  if (!draft)
    return (
      <button
        type="button"
        className="link"
        onClick={() =>
          setDraft({
            subject: k.subject,
            body: k.body ?? '',
            kind: k.kind,
            channel: k.channel,
            orderId: k.orderId ?? '',
            rating: k.rating,
          })
        }
      >
        {t('service.edit')}
      </button>
    );
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const save = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      const orderId = draft.orderId || null;
      await api(`/api/service-cases/${k.caseId}`, {
        method: 'PATCH',
        body: JSON.stringify({
          subject: draft.subject,
          body: draft.body.trim() ? draft.body : null,
          kind: draft.kind,
          channel: draft.channel,
          // Stars belong to a review: another kind takes them away.
          rating: draft.kind === 'review' ? draft.rating : null,
          // Sent only when changed: the case's order may be one the profile's list does not show.
          ...(orderId !== k.orderId ? { orderId } : {}),
        }),
      });
      setDraft(null);
      onChanged();
    });
  };
  return (
    <form onSubmit={save} className="service-case">
      <CaseFacts facts={draft} orders={orders} timeZone={timeZone} onChange={set} />
      <CaseWords subject={draft.subject} body={draft.body} onChange={set} />
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
