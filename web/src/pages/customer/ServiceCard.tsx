// The customer's service history on their profile: the cases they brought (inquiries, after-sale,
// complaints, disputes, reviews), which are open, and what was done. Operators and above open cases
// here, about one of the customer's orders if it concerns one, correct what they say, and resolve or
// reopen them.
import { useState, type FormEvent } from 'react';
import { api, type Order } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { CaseActions } from '../service/CaseActions.js';
import { CaseEdit } from '../service/CaseEdit.js';
import { CaseFacts, type Facts } from '../service/CaseFacts.js';
import { CaseWords } from '../service/CaseWords.js';
import { stars, type ServiceCase } from '../service/cases.js';

interface Draft extends Facts {
  subject: string;
  body: string;
}

const blank: Draft = { kind: 'inquiry', channel: 'phone', subject: '', body: '', orderId: '', rating: 5 };

export function ServiceCard({
  customerId,
  orders,
  access,
  writable,
  timeZone,
  onChanged,
}: {
  customerId: string;
  orders: Order[];
  access: string[];
  /** False for a profile erased on the person's request: nothing more is written about them. */
  writable: boolean;
  timeZone: string;
  onChanged: () => void;
}) {
  const { t, label, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const cases = useLoad(
    () => api<{ items: ServiceCase[] }>(`/api/customers/${customerId}/service-cases`),
    `${customerId}:${version}`,
  );
  const [draft, setDraft] = useState<Draft | null>(null);
  // Overdue counts to when the card was shown, as the queue's waiting times do.
  const [loadedAt] = useState(() => Date.now());
  const { problem, busy, attempt } = useAttempt();
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    void attempt(async () => {
      await api(`/api/customers/${customerId}/service-cases`, {
        method: 'POST',
        body: JSON.stringify({
          kind: draft.kind,
          channel: draft.channel,
          subject: draft.subject,
          ...(draft.body.trim() ? { body: draft.body } : {}),
          ...(draft.orderId ? { orderId: draft.orderId } : {}),
          ...(draft.kind === 'review' && draft.rating !== null ? { rating: draft.rating } : {}),
        }),
      });
      setDraft(null);
      changed();
    });
  };
  const set = (patch: Partial<Draft>) => setDraft((d) => (d ? { ...d, ...patch } : d));
  const operate = access.includes('operate');
  return (
    <div className="card" data-testid="customer-service">
      <h2>{t('service.title')}</h2>
      {writable && operate && !draft && (
        <button type="button" onClick={() => setDraft(blank)}>
          {t('service.open')}
        </button>
      )}
      {draft && (
        <form onSubmit={open} className="service-case">
          <CaseFacts facts={draft} orders={orders} timeZone={timeZone} onChange={set} />
          <CaseWords subject={draft.subject} body={draft.body} onChange={set} />
          <div>
            <button type="submit" disabled={busy || draft.subject.trim() === ''}>
              {t('service.save')}
            </button>{' '}
            <button type="button" className="link" onClick={() => setDraft(null)}>
              {t('service.cancel')}
            </button>
          </div>
        </form>
      )}
      <Problem text={problem} />
      {cases.data?.items.length === 0 && <p className="muted">{t('service.none')}</p>}
      <ul className="service-cases">
        {cases.data?.items.map((k) => (
          <li key={k.caseId} data-status={k.status}>
            <span className="tag">{label(`service.kind.${k.kind}`, k.kind)}</span>{' '}
            <span className={`tag ${k.status}`}>{label(`service.status.${k.status}`, k.status)}</span>{' '}
            {k.status === 'open' && k.dueAt && Date.parse(k.dueAt) < loadedAt && (
              <>
                <span className="tag error" data-testid="case-overdue">
                  {t('service.overdue')}
                </span>{' '}
              </>
            )}
            <strong>{k.subject}</strong>
            {k.rating !== null && <span className="stars"> {stars(k.rating)}</span>}
            {k.body && <p>{k.body}</p>}
            <small className="muted">
              {k.orderExternalId && `${t('service.aboutOrder', { order: k.orderExternalId })} · `}
              {label(`service.channel.${k.channel}`, k.channel)} · {k.openedBy} ·{' '}
              {dateTime(k.openedAt, timeZone, lang)}
              {k.assigneeName && ` · ${t('service.handledBy', { name: k.assigneeName })}`}
            </small>
            {k.resolvedAt && (
              <p className="resolution">
                {t('service.resolvedBy', {
                  by: k.resolvedBy ?? '',
                  at: dateTime(k.resolvedAt, timeZone, lang),
                })}
                {k.resolution ? `: ${k.resolution}` : ''}
              </p>
            )}{' '}
            {operate && writable && (
              <>
                <CaseEdit serviceCase={k} orders={orders} timeZone={timeZone} onChanged={changed} />{' '}
                <CaseActions serviceCase={k} onChanged={changed} />
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
