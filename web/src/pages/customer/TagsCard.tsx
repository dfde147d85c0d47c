import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { Tag } from '../tags/TagsPage.js';
import { Problem } from '../../Problem.js';

interface CustomerTag {
  tagId: string;
  name: string;
  group: string | null;
  manual: boolean;
}

/** A customer's tags; manual ones can be put on and taken off here, rule tags follow their rule. */
export function TagsCard({ customerId, onChanged }: { customerId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const mine = useLoad(
    () => api<{ items: CustomerTag[] }>(`/api/customers/${customerId}/tags`),
    `${customerId}:${version}`,
  );
  const all = useLoad(() => api<{ items: Tag[] }>('/api/tags'), 'tags');
  const [chosen, setChosen] = useState('');
  const { problem, busy, attempt } = useAttempt();
  const change = (tagId: string, remove: boolean) =>
    attempt(async () => {
      await api(`/api/tags/${tagId}/customers`, {
        method: 'POST',
        body: JSON.stringify({ customerIds: [customerId], remove }),
      });
      setVersion((v) => v + 1);
      onChanged();
    });
  const have = new Set(mine.data?.items.map((x) => x.tagId));
  const addable = all.data?.items.filter((x) => !x.rule && !have.has(x.tagId)) ?? [];
  return (
    <div className="card" data-testid="customer-tags">
      <h2>{t('tags.title')}</h2>
      {mine.data?.items.length === 0 && <p className="muted">{t('tags.noneOnCustomer')}</p>}
      <ul className="tag-list">
        {mine.data?.items.map((x) => (
          <li key={x.tagId} className="tag" title={x.group ?? ''}>
            {x.name}
            {x.manual && (
              <button
                type="button"
                className="link"
                aria-label={t('tags.takeOff', { name: x.name })}
                onClick={() => void change(x.tagId, true)}
              >
                ✕
              </button>
            )}
          </li>
        ))}
      </ul>
      {addable.length > 0 && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) void change(chosen, false);
          }}
        >
          <select
            aria-label={t('tags.choose')}
            className="grow"
            value={chosen}
            onChange={(e) => setChosen(e.target.value)}
          >
            <option value="">{t('tags.choose')}</option>
            {addable.map((x) => (
              <option key={x.tagId} value={x.tagId}>
                {x.name}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !chosen}>
            {t('tags.putOn')}
          </button>
        </form>
      )}
      <Problem text={problem} />
    </div>
  );
}
