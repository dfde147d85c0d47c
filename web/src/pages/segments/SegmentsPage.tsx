import { useEffect, useState } from 'react';
import { api, problemText, type Customer, type Shop } from '../../api.js';
import { customerName, dateTime, money, formatPhone } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { href } from '../../route.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { asGroup, EMPTY_RULE, type Catalog, type Group, type Rule } from './rule.js';
import { RuleEditor } from './RuleEditor.js';
import { Problem } from '../../Problem.js';

interface Segment {
  segmentId: string;
  name: string;
  description: string;
  rule: Rule;
}

interface Snapshot {
  snapshotId: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

interface Count {
  customers: number;
  of: number;
  ms: number;
}

/** Saved segments, and the builder: edit a rule and watch the count and a sample follow it. */
export function SegmentsPage({ shop }: { shop: Shop }) {
  const { t, lang } = useI18n();
  const catalog = useLoad(() => api<Catalog>('/api/segments/fields'), 'catalog');
  const [version, setVersion] = useState(0);
  const segments = useLoad(() => api<{ items: Segment[] }>('/api/segments'), String(version));
  const [editing, setEditing] = useState<{
    id: string | null;
    name: string;
    description: string;
    rule: Group;
  }>({
    id: null,
    name: '',
    description: '',
    rule: EMPTY_RULE,
  });
  const [count, setCount] = useState<Count | null>(null);
  const [sample, setSample] = useState<Customer[]>([]);
  const [ruleProblem, setRuleProblem] = useState<string | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const snapshots = useLoad(
    async () =>
      editing.id
        ? (await api<{ items: Snapshot[] }>(`/api/segments/${editing.id}/snapshots`)).items
        : ([] as Snapshot[]),
    `${editing.id}:${version}`,
  );

  // The live count: a moment after the last edit, so typing a number asks once, not per keystroke.
  const ruleJson = JSON.stringify(editing.rule);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      const body = JSON.stringify({ rule: editing.rule });
      Promise.all([
        api<Count>('/api/segments/count', { method: 'POST', body }),
        api<{ items: Customer[] }>('/api/segments/sample', {
          method: 'POST',
          body: JSON.stringify({ rule: editing.rule, limit: 10 }),
        }),
      ]).then(
        ([c, s]) => {
          if (!live) return;
          setCount(c);
          setSample(s.items);
          setRuleProblem(null);
        },
        (err: unknown) => live && setRuleProblem(problemText(err)),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- ruleJson stands for the rule
  }, [ruleJson]);

  const save = () =>
    attempt(async () => {
      const body = JSON.stringify({
        name: editing.name,
        description: editing.description,
        rule: editing.rule,
      });
      const saved = editing.id
        ? await api<Segment>(`/api/segments/${editing.id}`, { method: 'PUT', body })
        : await api<Segment>('/api/segments', { method: 'POST', body });
      setEditing({ ...editing, id: saved.segmentId });
      setVersion((v) => v + 1);
    });
  const snapshot = () =>
    attempt(async () => {
      await api(`/api/segments/${editing.id}/snapshots`, { method: 'POST' });
      setVersion((v) => v + 1);
    });
  const remove = () =>
    attempt(async () => {
      await api(`/api/segments/${editing.id}`, { method: 'DELETE' });
      setEditing({ id: null, name: '', description: '', rule: EMPTY_RULE });
      setVersion((v) => v + 1);
    });
  // An unsaved rule is exported by POST, so the file is fetched here and handed to the browser.
  const exportRule = (format: 'csv' | 'xlsx') =>
    attempt(async () => {
      const response = await fetch(`/api/segments/export?format=${format}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rule: editing.rule }),
      });
      if (!response.ok) throw new Error((await response.json()).message);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(await response.blob());
      a.download = `segment.${format}`;
      a.click();
      URL.revokeObjectURL(a.href);
    });

  if (!catalog.data) return <p className="loading">{t('common.loading')}</p>;
  const share = count && count.of > 0 ? ((100 * count.customers) / count.of).toFixed(1) : '0.0';
  return (
    <section className="segments">
      <h1>{t('segments.title')}</h1>
      <div className="columns">
        <aside>
          <h2>{t('segments.saved')}</h2>
          <ul data-testid="segment-list">
            {segments.data?.items.map((s) => (
              <li key={s.segmentId}>
                <button
                  type="button"
                  className={`link ${s.segmentId === editing.id ? 'active' : ''}`}
                  onClick={() =>
                    setEditing({
                      id: s.segmentId,
                      name: s.name,
                      description: s.description,
                      rule: asGroup(s.rule),
                    })
                  }
                >
                  {s.name}
                </button>
              </li>
            ))}
          </ul>
          <div className="actions">
            <button
              type="button"
              onClick={() => setEditing({ id: null, name: '', description: '', rule: EMPTY_RULE })}
            >
              {t('segments.new')}
            </button>
          </div>
        </aside>
        <div className="builder">
          <label>
            {t('segments.name')}
            <input value={editing.name} onChange={(e) => setEditing({ ...editing, name: e.target.value })} />
          </label>
          <label>
            {t('segments.description')}
            <input
              value={editing.description}
              onChange={(e) => setEditing({ ...editing, description: e.target.value })}
            />
          </label>
          {/* Remounted per segment: its inputs keep what was typed, and another segment's values must show. */}
          <RuleEditor
            key={editing.id ?? 'new'}
            rule={editing.rule}
            onChange={(rule) => setEditing({ ...editing, rule })}
            catalog={catalog.data}
            currency={shop.currency}
          />
          <p className="count" data-testid="segment-count" aria-live="polite">
            {count &&
              t('segments.count', {
                customers: count.customers.toLocaleString(lang),
                of: count.of.toLocaleString(lang),
                share,
                ms: count.ms,
              })}
          </p>
          <Problem text={ruleProblem} testId="rule-problem" />
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void save()}>
              {t('segments.save')}
            </button>
            {editing.id && (
              <>
                <button type="button" disabled={busy} onClick={() => void snapshot()}>
                  {t('segments.snapshot')}
                </button>
                <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
                  {t('segments.delete')}
                </button>
              </>
            )}
            <button type="button" onClick={() => void exportRule('csv')}>
              {t('segments.exportCsv')}
            </button>
            <button type="button" onClick={() => void exportRule('xlsx')}>
              {t('segments.exportXlsx')}
            </button>
          </div>
          <Problem text={problem} />
          {snapshots.data && snapshots.data.length > 0 && (
            <>
              <h2>{t('segments.snapshots')}</h2>
              <table data-testid="snapshots">
                <thead>
                  <tr>
                    <th>{t('segments.frozenAt')}</th>
                    <th className="num">{t('segments.members')}</th>
                    <th>{t('segments.download')}</th>
                  </tr>
                </thead>
                <tbody>
                  {snapshots.data.map((s) => (
                    <tr key={s.snapshotId}>
                      <td>{dateTime(s.createdAt, shop.timeZone, lang)}</td>
                      <td className="num">{s.memberCount.toLocaleString(lang)}</td>
                      <td>
                        <a href={`/api/snapshots/${s.snapshotId}/export?format=csv`}>CSV</a>{' '}
                        <a href={`/api/snapshots/${s.snapshotId}/export?format=xlsx`}>XLSX</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <h2>{t('segments.sample')}</h2>
          <table data-testid="segment-sample">
            <thead>
              <tr>
                <th>{t('customers.name')}</th>
                <th className="num">{t('customers.orders')}</th>
                <th className="num">{t('customers.spend')}</th>
                <th>{t('customers.lastOrder')}</th>
              </tr>
            </thead>
            <tbody>
              {sample.map((c) => (
                <tr key={c.customerId}>
                  <td>
                    <a href={href({ page: 'customer', id: c.customerId })}>
                      {customerName(c, t, (c.phone && formatPhone(c.phone, shop.phoneRegion)) ?? c.email)}
                    </a>
                  </td>
                  <td className="num">{c.orderCount}</td>
                  <td className="num">{money(c.spendCents, shop.currency, lang)}</td>
                  <td>{dateTime(c.lastOrderAt, shop.timeZone, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
