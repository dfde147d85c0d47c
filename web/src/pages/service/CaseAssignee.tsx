// Who handles a case: a select in the service queue's row giving it to a staff member who acts (not a
// viewer), or to nobody.
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useAttempt } from '../../useAttempt.js';
import type { ServiceCase } from './cases.js';

export interface Handler {
  staffId: string;
  name: string;
  role: string;
}

export function CaseAssignee({
  serviceCase: k,
  staff,
  onChanged,
}: {
  serviceCase: ServiceCase;
  staff: Handler[];
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const assign = (staffId: string) =>
    void attempt(async () => {
      await api(`/api/service-cases/${k.caseId}`, {
        method: 'PATCH',
        body: JSON.stringify({ assignedTo: staffId || null }),
      });
      onChanged();
    });
  return (
    <>
      <select
        aria-label={t('service.assignee')}
        value={k.assignedTo ?? ''}
        disabled={busy}
        onChange={(e) => assign(e.target.value)}
      >
        <option value="">{t('service.nobody')}</option>
        {staff
          .filter((s) => s.role !== 'viewer' || s.staffId === k.assignedTo)
          .map((s) => (
            <option key={s.staffId} value={s.staffId}>
              {s.name}
            </option>
          ))}
      </select>
      <Problem text={problem} />
    </>
  );
}
