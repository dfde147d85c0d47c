// Who takes new cases of each kind: a box per kind and staff member who acts (viewers only look). A case
// that comes in open goes to whoever of its kind's ticked staff has the fewest open cases; a kind with
// none ticked leaves its cases for staff to take from the queue. A last line takes priority members'
// cases of every kind (their tier's benefit); left empty, their kinds' staff do. Admins set it; everyone
// sees it.
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useSave } from '../../useAttempt.js';
import { SaveRow } from './SaveRow.js';
import type { Handler } from './CaseAssignee.js';
import { CASE_KINDS } from './cases.js';

const LINES = [...CASE_KINDS, 'priority'] as const;
type Line = (typeof LINES)[number];
export type Rota = Record<Line, string[]>;

export function RotaForm({ rota, staff, editable }: { rota: Rota; staff: Handler[]; editable: boolean }) {
  const { t, label } = useI18n();
  const [draft, setDraft] = useState(rota);
  const { problem, busy, saved, edited, submit } = useSave();
  const handlers = staff.filter((s) => s.role !== 'viewer');
  const name = (line: Line) =>
    line === 'priority' ? t('service.priorityLine') : label(`service.kind.${line}`, line);
  const toggle = (kind: Line, staffId: string, on: boolean) => {
    const ids = draft[kind].filter((id) => id !== staffId);
    setDraft({ ...draft, [kind]: on ? [...ids, staffId] : ids });
    edited();
  };
  const save = submit(async () => {
    setDraft(await api<Rota>('/api/service-rota', { method: 'PUT', body: JSON.stringify(draft) }));
  });
  return (
    <section className="service-rota" data-testid="service-rota">
      <h2>{t('service.rota')}</h2>
      <p className="muted">{t('service.rotaHelp')}</p>
      <form onSubmit={save}>
        <table>
          <thead>
            <tr>
              <th>{t('service.kind')}</th>
              {handlers.map((s) => (
                <th key={s.staffId}>{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {LINES.map((k) => (
              <tr key={k} data-kind={k}>
                <td>{name(k)}</td>
                {handlers.map((s) => (
                  <td key={s.staffId}>
                    <input
                      type="checkbox"
                      aria-label={`${name(k)} · ${s.name}`}
                      disabled={!editable}
                      checked={draft[k].includes(s.staffId)}
                      onChange={(e) => toggle(k, s.staffId, e.target.checked)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <SaveRow editable={editable} busy={busy} saved={saved} label={t('service.saveRota')} />
      </form>
      <Problem text={problem} />
    </section>
  );
}
