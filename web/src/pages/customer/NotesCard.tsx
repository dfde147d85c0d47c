// The notes staff keep on a customer: what no field holds, with who wrote it and when. Operators and
// above write them; a note is corrected or removed by its author or an admin (the API holds the same
// rule), and says when it was last corrected.
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
  editedAt: string | null;
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
  // The note being corrected, and its words so far.
  const [editing, setEditing] = useState<{ noteId: string; body: string } | null>(null);
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
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    void attempt(async () => {
      await api(`/api/customers/${customerId}/notes/${editing.noteId}`, {
        method: 'PATCH',
        body: JSON.stringify({ body: editing.body }),
      });
      setEditing(null);
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
  const mayChange = (note: Note) =>
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
            {editing?.noteId === n.noteId ? (
              <form onSubmit={save}>
                <textarea
                  aria-label={t('notes.edit')}
                  rows={3}
                  maxLength={4000}
                  value={editing.body}
                  required
                  onChange={(e) => setEditing({ noteId: n.noteId, body: e.target.value })}
                />
                <button type="submit" disabled={busy || editing.body.trim() === ''}>
                  {t('notes.save')}
                </button>{' '}
                <button type="button" className="link" onClick={() => setEditing(null)}>
                  {t('notes.cancel')}
                </button>
              </form>
            ) : (
              <p>{n.body}</p>
            )}
            <small className="muted">
              {n.author} · {dateTime(n.createdAt, timeZone, lang)}
              {n.editedAt && ` · ${t('notes.edited', { at: dateTime(n.editedAt, timeZone, lang) })}`}
            </small>{' '}
            {writable && mayChange(n) && editing?.noteId !== n.noteId && (
              <button
                type="button"
                className="link"
                onClick={() => setEditing({ noteId: n.noteId, body: n.body })}
              >
                {t('notes.edit')}
              </button>
            )}{' '}
            {mayChange(n) && (
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
