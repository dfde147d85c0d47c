import { useCallback, useState } from 'react';
import { api, type Shop } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { JobList } from '../membership/JobList.js';
import { asGroup, EMPTY_RULE, type Catalog, type Group, type Rule } from '../segments/rule.js';
import { RuleEditor } from '../segments/RuleEditor.js';
import { Problem } from '../../Problem.js';

export interface Tag {
  tagId: string;
  name: string;
  group: string | null;
  rule: Rule | null;
  customerCount: number;
  ruleProblem: string | null;
}

interface Draft {
  tagId: string | null;
  name: string;
  group: string;
  byRule: boolean;
  rule: Group;
}

const NEW: Draft = { tagId: null, name: '', group: '', byRule: true, rule: EMPTY_RULE };

/** Every tag by group with its count; a form that creates or edits one, by hand or by rule. */
export function TagsPage({ shop }: { shop: Shop }) {
  const { t, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion((v) => v + 1), []);
  const tags = useLoad(() => api<{ items: Tag[] }>('/api/tags'), String(version));
  const catalog = useLoad(() => api<Catalog>('/api/segments/fields'), 'catalog');
  const [draft, setDraft] = useState<Draft>(NEW);
  const { problem, busy, attempt } = useAttempt();

  const save = () =>
    attempt(async () => {
      const body = JSON.stringify({
        name: draft.name,
        group: draft.group.trim() || null,
        rule: draft.byRule ? draft.rule : null,
      });
      if (draft.tagId) await api(`/api/tags/${draft.tagId}`, { method: 'PUT', body });
      else await api('/api/tags', { method: 'POST', body });
      setDraft(NEW);
      bump();
    });
  const remove = (tag: Tag) =>
    attempt(async () => {
      if (!confirm(t('tags.confirmDelete', { name: tag.name, count: tag.customerCount }))) return;
      await api(`/api/tags/${tag.tagId}`, { method: 'DELETE' });
      bump();
    });
  const backfill = () =>
    attempt(async () => {
      await api('/api/tags/backfill', { method: 'POST' });
      bump();
    });

  const groups = new Map<string, Tag[]>();
  for (const tag of tags.data?.items ?? []) {
    const key = tag.group ?? t('tags.ungrouped');
    groups.set(key, [...(groups.get(key) ?? []), tag]);
  }
  return (
    <section className="tags">
      <h1>{t('tags.title')}</h1>
      <p className="muted">{t('tags.help')}</p>
      <table data-testid="tags">
        <thead>
          <tr>
            <th>{t('tags.name')}</th>
            <th>{t('tags.kind')}</th>
            <th className="num">{t('tags.customers')}</th>
            <th />
          </tr>
        </thead>
        {[...groups].map(([group, members]) => (
          <tbody key={group}>
            <tr className="group">
              <th colSpan={4}>{group}</th>
            </tr>
            {members.map((tag) => (
              <tr key={tag.tagId} data-tag={tag.name}>
                <td>{tag.name}</td>
                <td>
                  {tag.rule ? t('tags.byRule') : t('tags.byHand')}
                  {tag.ruleProblem && (
                    <span className="error" title={tag.ruleProblem}>
                      {' '}
                      {t('tags.ruleBroken')}
                    </span>
                  )}
                </td>
                <td className="num" data-testid="tag-count">
                  {tag.customerCount.toLocaleString(lang)}
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setDraft({
                        tagId: tag.tagId,
                        name: tag.name,
                        group: tag.group ?? '',
                        byRule: tag.rule !== null,
                        rule: asGroup(tag.rule),
                      })
                    }
                  >
                    {t('tags.edit')}
                  </button>{' '}
                  <button type="button" className="link danger" onClick={() => void remove(tag)}>
                    {t('tags.delete')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
      <form
        className="tag-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h2>{draft.tagId ? t('tags.editing', { name: draft.name }) : t('tags.new')}</h2>
        <label>
          {t('tags.name')}
          <input required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        </label>
        <label>
          {t('tags.group')}
          <input value={draft.group} onChange={(e) => setDraft({ ...draft, group: e.target.value })} />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={draft.byRule}
            onChange={(e) => setDraft({ ...draft, byRule: e.target.checked })}
          />
          {t('tags.applyByRule')}
        </label>
        {draft.byRule && catalog.data && (
          <RuleEditor
            key={draft.tagId ?? 'new'}
            rule={draft.rule}
            onChange={(rule) => setDraft({ ...draft, rule })}
            catalog={catalog.data}
            currency={shop.currency}
            allowTags={false}
          />
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('tags.save')}
          </button>
          {draft.tagId && (
            <button type="button" onClick={() => setDraft(NEW)}>
              {t('tags.cancel')}
            </button>
          )}
          <button type="button" onClick={() => void backfill()}>
            {t('tags.backfill')}
          </button>
        </div>
        <Problem text={problem} />
      </form>
      <JobList timeZone={shop.timeZone} version={version} onDone={bump} />
    </section>
  );
}
