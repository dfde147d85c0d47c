// The notes staff keep on a customer: what no field holds, with who wrote it and when. Operators and
// above write them; a note is removed by its author or an admin (the API holds the same rule), and
// written anew rather than edited.
import { useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';

interface Note {
  noteId: string;
  body: string;
  staffId: string | null;
  author: string;
  createdAt: string;
}

export function NotesCard({
  customerId,
  staffId,
  access,
  writable,
  timeZone,
  onChanged,
}: {
  customerId: string;
  /** The signed-in staff member, who may remove their own notes. */
  staffId: string;
  access: string[];
  /** False for a profile erased on the person's request: nothing more is written about them. */
  writable: boolean;
  timeZone: string;
  onChanged: () => void;
}) {
  const { t, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const notes = useLoad(
    () => api<{ items: Note[] }>(`/api/customers/${customerId}/notes`),
    `${customerId}:${version}`,
  );
  const [body, setBody] = useState('');
  const { problem, busy, attempt } = useAttempt();
  const changed = () => {
    setVersion((v) => v + 1);
    onChanged();
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      await api(`/api/customers/${customerId}/notes`, { method: 'POST', body: JSON.stringify({ body }) });
      setBody('');
      changed();
    });
  };
  const remove = (note: Note) => {
    if (!window.confirm(t('notes.confirmRemove', { author: note.author }))) return;
    void attempt(async () => {
      await api(`/api/customers/${customerId}/notes/${note.noteId}`, { method: 'DELETE' });
      changed();
    });
  };
  const mayRemove = (note: Note) =>
    access.includes('administer') || (access.includes('operate') && note.staffId === staffId);
  return (
    <div className="card" data-testid="customer-notes">
      <h2>{t('notes.title')}</h2>
      {writable && access.includes('operate') && (
        <form onSubmit={add}>
          <label>
            {t('notes.new')}
            <textarea
              rows={3}
              maxLength={4000}
              value={body}
              required
              onChange={(e) => setBody(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy || body.trim() === ''}>
            {t('notes.add')}
          </button>
        </form>
      )}
      <Problem text={problem} />
      {notes.data?.items.length === 0 && <p className="muted">{t('notes.none')}</p>}
      <ul className="notes">
        {notes.data?.items.map((n) => (
          <li key={n.noteId}>
            <p>{n.body}</p>
            <small className="muted">
              {n.author} · {dateTime(n.createdAt, timeZone, lang)}
            </small>{' '}
            {mayRemove(n) && (
              <button type="button" className="link" onClick={() => remove(n)}>
                {t('notes.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
