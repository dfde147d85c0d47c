// The service desk's queue: the shop's open cases, priority members' (a tier benefit) first, then the
// longest waiting, with their customers; or the cases resolved lately; everyone's, one staff member's
// (their own) or nobody's yet, the overdue or priority members' alone, found by their words. A case is
// given to someone and resolved from here, or from the customer's profile; admins set below how soon
// each kind is to be resolved (in the desk's working hours), and who takes new cases of each.
import { useState } from 'react';
import { api, type Shop } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { href } from '../../route.js';
import { useLoad } from '../../useLoad.js';
import { CaseActions } from './CaseActions.js';
import { CaseAssignee, type Handler } from './CaseAssignee.js';
import { stars, type ServiceCase } from './cases.js';
import { HoursForm, type Hours } from './HoursForm.js';
import { KindOptions } from './KindOptions.js';
import { RotaForm, type Rota } from './RotaForm.js';
import { TargetsForm, type Targets } from './TargetsForm.js';

const PAGE = 50;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function ServicePage({ shop, access }: { shop: Shop; access: string[] }) {
  const { t, label, lang } = useI18n();
  const [status, setStatus] = useState<'open' | 'resolved' | ''>('open');
  const [kind, setKind] = useState('');
  const [assignee, setAssignee] = useState('');
  const [words, setWords] = useState('');
  const [overdue, setOverdue] = useState(false);
  const [priority, setPriority] = useState(false);
  const [offset, setOffset] = useState(0);
  const [version, setVersion] = useState(0);
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (status) query.set('status', status);
  if (kind) query.set('kind', kind);
  if (assignee) query.set('assignee', assignee);
  if (words.trim()) query.set('q', words.trim());
  if (overdue) query.set('overdue', 'true');
  if (priority) query.set('priority', 'true');
  // Read once: the form keeps what it saves, and a save reloads the queue's due times only.
  const targets = useLoad(() => api<Targets>('/api/service-targets'), 'targets');
  const rota = useLoad(() => api<Rota>('/api/service-rota'), 'rota');
  const hours = useLoad(() => api<Hours>('/api/service-hours'), 'hours');
  const staff = useLoad(() => api<{ items: Handler[] }>('/api/staff'), 'staff');
  const { data, error } = useLoad(
    () =>
      api<{ items: (ServiceCase & { customerName: string | null })[]; total: number }>(
        `/api/service-cases?${query.toString()}`,
      ),
    `${query.toString()}:${version}`,
  );
  // Waiting times count to when the page was opened.
  const [openedAt] = useState(() => Date.now());
  const waiting = (days: number) =>
    days < 1
      ? t('service.waitingToday')
      : days === 1
        ? t('service.waitingOne')
        : t('service.waiting', { days });
  // How far past (or short of) its due time an open case is, in hours or, from two days, days.
  const due = (dueAt: string) => {
    const ms = Date.parse(dueAt) - openedAt;
    const hours = Math.floor(Math.abs(ms) / HOUR_MS);
    const span =
      hours < 48 ? t('service.hours', { n: hours }) : t('service.days', { n: Math.floor(hours / 24) });
    return ms < 0 ? (
      <strong className="error" data-testid="overdue">
        {t('service.overdueBy', { span })}
      </strong>
    ) : (
      <span className="muted">{t('service.dueIn', { span })}</span>
    );
  };
  // A box that narrows the queue to some of its cases, back to its first page.
  const only = (name: string, on: boolean, set: (on: boolean) => void, text: string) => (
    <label>
      <input
        type="checkbox"
        name={name}
        checked={on}
        onChange={(e) => {
          set(e.target.checked);
          setOffset(0);
        }}
      />{' '}
      {text}
    </label>
  );
  return (
    <section className="service">
      <h1>{t('service.queue')}</h1>
      <p className="muted">{t('service.queueHelp')}</p>
      <div className="settings">
        <label>
          {t('service.status')}
          <select
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as typeof status);
              setOffset(0);
            }}
          >
            <option value="open">{t('service.status.open')}</option>
            <option value="resolved">{t('service.status.resolved')}</option>
            <option value="">{t('service.anyStatus')}</option>
          </select>
        </label>
        <label>
          {t('service.kind')}
          <select
            name="kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setOffset(0);
            }}
          >
            <KindOptions any />
          </select>
        </label>
        <label>
          {t('service.assignee')}
          <select
            name="assignee"
            value={assignee}
            onChange={(e) => {
              setAssignee(e.target.value);
              setOffset(0);
            }}
          >
            <option value="">{t('service.anyone')}</option>
            <option value="me">{t('service.mine')}</option>
            <option value="none">{t('service.nobody')}</option>
            {staff.data?.items.map((s) => (
              <option key={s.staffId} value={s.staffId}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        {only('overdue', overdue, setOverdue, t('service.overdueOnly'))}
        {only('priority', priority, setPriority, t('service.priorityOnly'))}
        <label>
          {t('service.search')}
          <input
            type="search"
            name="q"
            maxLength={100}
            placeholder={t('service.searchHint')}
            value={words}
            onChange={(e) => {
              setWords(e.target.value);
              setOffset(0);
            }}
          />
        </label>
      </div>
      {error && <p className="error">{t('common.error', { message: error })}</p>}
      {data && (
        <>
          <p data-testid="service-total">{t('service.total', { n: data.total })}</p>
          <table className="service-queue">
            <thead>
              <tr>
                <th>{t('service.openedAt')}</th>
                <th>{t('service.kind')}</th>
                <th>{t('service.subject')}</th>
                <th>{t('service.customer')}</th>
                <th>{t('service.channel')}</th>
                <th>{t('service.status')}</th>
                <th>{t('service.assignee')}</th>
                {access.includes('operate') && <th />}
              </tr>
            </thead>
            <tbody>
              {data.items.map((k) => (
                <tr key={k.caseId}>
                  <td>
                    {dateTime(k.openedAt, shop.timeZone, lang)}
                    {k.status === 'open' && (
                      <small className="muted">
                        {' '}
                        · {waiting(Math.floor((openedAt - Date.parse(k.openedAt)) / DAY_MS))}
                      </small>
                    )}
                    {k.status === 'open' && k.dueAt && <small> · {due(k.dueAt)}</small>}
                  </td>
                  <td>{label(`service.kind.${k.kind}`, k.kind)}</td>
                  <td>
                    {k.subject}
                    {k.rating !== null && <span className="stars"> {stars(k.rating)}</span>}
                    {k.orderExternalId && (
                      <small> · {t('service.aboutOrder', { order: k.orderExternalId })}</small>
                    )}
                    {k.resolution && <small className="muted"> · {k.resolution}</small>}
                  </td>
                  <td>
                    <a href={href({ page: 'customer', id: k.customerId })}>
                      {k.customerName ?? t('customers.unnamed')}
                    </a>
                    {k.priority && (
                      <>
                        {' '}
                        <span
                          className="tag priority"
                          data-testid="priority"
                          title={t('service.priorityHelp')}
                        >
                          {t('service.priority')}
                        </span>
                      </>
                    )}
                  </td>
                  <td>{label(`service.channel.${k.channel}`, k.channel)}</td>
                  <td>{label(`service.status.${k.status}`, k.status)}</td>
                  <td>
                    {access.includes('operate') ? (
                      <CaseAssignee
                        serviceCase={k}
                        staff={staff.data?.items ?? []}
                        onChanged={() => setVersion((v) => v + 1)}
                      />
                    ) : (
                      (k.assigneeName ?? '')
                    )}
                  </td>
                  {access.includes('operate') && (
                    <td>
                      <CaseActions serviceCase={k} onChanged={() => setVersion((v) => v + 1)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            {offset > 0 && (
              <button type="button" className="link" onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                {t('page.prev')}
              </button>
            )}
            {offset + PAGE < data.total && (
              <button type="button" className="link" onClick={() => setOffset(offset + PAGE)}>
                {t('page.next')}
              </button>
            )}
          </div>
        </>
      )}
      {targets.data && (
        <TargetsForm
          targets={targets.data}
          editable={access.includes('administer')}
          onSaved={() => setVersion((v) => v + 1)}
        />
      )}
      {hours.data && (
        <HoursForm
          hours={hours.data}
          editable={access.includes('administer')}
          onSaved={() => setVersion((v) => v + 1)}
        />
      )}
      {rota.data && staff.data && (
        <RotaForm rota={rota.data} staff={staff.data.items} editable={access.includes('administer')} />
      )}
    </section>
  );
}
