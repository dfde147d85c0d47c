import { useState, type FormEvent } from 'react';
import { api, type Me } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';

interface StaffMember {
  staffId: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
  lockedUntil: string | null;
}

const BLANK = { name: '', email: '', password: '', role: 'operator' };

/**
 * The shop's staff and what each role may do. Everyone sees the list; the owner adds staff, changes a
 * role (the next request already holds to it), sets a new password (which signs them out) and removes
 * them. The API refuses leaving the shop without an owner, and says so here.
 */
export function StaffList({ me }: { me: Me }) {
  const { t, label, lang } = useI18n();
  const staff = useLoad(() => api<{ items: StaffMember[] }>('/api/staff'), 'staff');
  const [draft, setDraft] = useState(BLANK);
  const [notice, setNotice] = useState<string | null>(null);
  // The member whose new password is being typed, in a form in their row.
  const [resetting, setResetting] = useState<string | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const { problem, busy, attempt } = useAttempt();
  const owner = me.access.includes('own');

  const act = (action: () => Promise<unknown>, done: string) =>
    attempt(async () => {
      setNotice(null);
      await action();
      setNotice(done);
      staff.reload();
    });
  const add = (e: FormEvent) => {
    e.preventDefault();
    void act(
      async () => {
        await api('/api/staff', { method: 'POST', body: JSON.stringify(draft) });
        setDraft(BLANK);
      },
      t('staff.added', { name: draft.name }),
    );
  };
  const setRole = (s: StaffMember, role: string) =>
    act(
      () => api(`/api/staff/${s.staffId}`, { method: 'PATCH', body: JSON.stringify({ role }) }),
      t('staff.roleSet', { name: s.name, role: label(`role.${role}`, role) }),
    );
  const resetPassword = (e: FormEvent, s: StaffMember) => {
    e.preventDefault();
    void act(
      async () => {
        await api(`/api/staff/${s.staffId}`, {
          method: 'PATCH',
          body: JSON.stringify({ password: newPassword }),
        });
        setResetting(null);
        setNewPassword('');
      },
      t('staff.passwordSet', { name: s.name }),
    );
  };
  const remove = (s: StaffMember) => {
    if (!confirm(t('staff.confirmRemove', { name: s.name }))) return;
    void act(
      () => api(`/api/staff/${s.staffId}`, { method: 'DELETE' }),
      t('staff.removed', { name: s.name }),
    );
  };

  return (
    <section>
      <h2>{t('staff.title')}</h2>
      <p className="muted">{t('staff.help')}</p>
      <table data-testid="staff">
        <thead>
          <tr>
            <th>{t('staff.name')}</th>
            <th>{t('staff.email')}</th>
            <th>{t('staff.role')}</th>
            <th>{t('staff.since')}</th>
            {owner && <th />}
          </tr>
        </thead>
        <tbody>
          {(staff.data?.items ?? []).map((s) => (
            <tr key={s.staffId} data-staff={s.email}>
              <td>
                {s.name}
                {s.staffId === me.staff.staffId && <span className="muted"> ({t('staff.you')})</span>}
                {s.lockedUntil && (
                  <>
                    {' '}
                    <span className="tag" data-testid="staff-locked">
                      {t(owner ? 'staff.lockedOwner' : 'staff.locked', {
                        time: dateTime(s.lockedUntil, me.shop.timeZone, lang),
                      })}
                    </span>
                  </>
                )}
              </td>
              <td>{s.email}</td>
              <td data-testid="staff-role">
                {owner ? (
                  <select
                    aria-label={t('staff.roleOf', { name: s.name })}
                    value={s.role}
                    disabled={busy}
                    onChange={(e) => void setRole(s, e.target.value)}
                  >
                    {me.roles.map((r) => (
                      <option key={r} value={r}>
                        {label(`role.${r}`, r)}
                      </option>
                    ))}
                  </select>
                ) : (
                  label(`role.${s.role}`, s.role)
                )}
              </td>
              <td>{dateTime(s.createdAt, me.shop.timeZone, lang)}</td>
              {owner && (
                <td>
                  {resetting === s.staffId ? (
                    <form className="inline" onSubmit={(e) => resetPassword(e, s)}>
                      <input
                        type="password"
                        required
                        minLength={8}
                        autoComplete="new-password"
                        aria-label={t('staff.newPasswordFor', { name: s.name })}
                        value={newPassword}
                        onChange={(e) => setNewPassword(e.target.value)}
                      />
                      <button type="submit" disabled={busy}>
                        {t('staff.setPassword')}
                      </button>
                    </form>
                  ) : (
                    <button
                      type="button"
                      className="link"
                      disabled={busy}
                      onClick={() => setResetting(s.staffId)}
                    >
                      {t('staff.resetPassword')}
                    </button>
                  )}{' '}
                  <button type="button" className="link danger" disabled={busy} onClick={() => remove(s)}>
                    {t('staff.remove')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {staff.error && <p className="error">{staff.error}</p>}
      <p className="muted">{t('staff.roles')}</p>
      {owner && (
        <form className="settings" onSubmit={add} data-testid="staff-form">
          <label>
            {t('staff.name')}
            <input
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </label>
          <label>
            {t('staff.email')}
            <input
              type="email"
              required
              value={draft.email}
              onChange={(e) => setDraft({ ...draft, email: e.target.value })}
            />
          </label>
          <label>
            {t('staff.password')}
            <input
              type="password"
              required
              minLength={8}
              autoComplete="new-password"
              value={draft.password}
              onChange={(e) => setDraft({ ...draft, password: e.target.value })}
            />
          </label>
          <label>
            {t('staff.role')}
            <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value })}>
              {me.roles.map((r) => (
                <option key={r} value={r}>
                  {label(`role.${r}`, r)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy}>
            {t('staff.add')}
          </button>
        </form>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <Problem text={problem} />
    </section>
  );
}
