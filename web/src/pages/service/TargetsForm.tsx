// How soon the desk means to resolve each kind of case, in hours (blank: no target): the queue marks the
// open cases past theirs as overdue. Admins set them; everyone sees them.
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useSave } from '../../useAttempt.js';
import { SaveRow } from './SaveRow.js';
import { CASE_KINDS, type CaseKind } from './cases.js';

export type Targets = Record<CaseKind, number | null>;

export function TargetsForm({
  targets,
  editable,
  onSaved,
}: {
  targets: Targets;
  editable: boolean;
  /** The targets are saved: the cases' due times have moved. */
  onSaved: () => void;
}) {
  const { t, label } = useI18n();
  const [draft, setDraft] = useState(
    () =>
      Object.fromEntries(CASE_KINDS.map((k) => [k, targets[k] === null ? '' : String(targets[k])])) as Record<
        CaseKind,
        string
      >,
  );
  const { problem, busy, saved, edited, submit } = useSave();
  const save = submit(async () => {
    const body = Object.fromEntries(
      CASE_KINDS.map((k) => [k, draft[k].trim() === '' ? null : Number(draft[k])]),
    );
    await api<Targets>('/api/service-targets', { method: 'PUT', body: JSON.stringify(body) });
    onSaved();
  });
  return (
    <section className="service-targets" data-testid="service-targets">
      <h2>{t('service.targets')}</h2>
      <p className="muted">{t('service.targetsHelp')}</p>
      <form className="settings" onSubmit={save}>
        {CASE_KINDS.map((k) => (
          <label key={k}>
            {label(`service.kind.${k}`, k)}
            <input
              type="number"
              min={1}
              max={8760}
              step={1}
              placeholder={t('service.noTarget')}
              disabled={!editable}
              value={draft[k]}
              onChange={(e) => {
                setDraft({ ...draft, [k]: e.target.value });
                edited();
              }}
            />
          </label>
        ))}
        <SaveRow editable={editable} busy={busy} saved={saved} label={t('service.saveTargets')} />
      </form>
      <Problem text={problem} />
    </section>
  );
}
