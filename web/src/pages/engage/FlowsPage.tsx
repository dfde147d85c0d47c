import { useState } from 'react';
import { api, type Shop } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { Catalog } from '../segments/rule.js';
import { FlowReportPanel } from './FlowReport.js';
import { StepList, type StepChoices } from './FlowSteps.js';
import { TriggerFields } from './FlowTrigger.js';
import type { Coupon, Flow, FlowReport, FlowStep, Template, Trigger } from './types.js';
import { Problem } from '../../Problem.js';

interface Draft {
  flowId: string | null;
  name: string;
  trigger: Trigger;
  segmentId: string;
  holdoutPercent: number;
  conversionDays: number;
  steps: FlowStep[];
}

const blank: Draft = {
  flowId: null,
  name: '',
  trigger: { type: 'order_paid' },
  segmentId: '',
  holdoutPercent: 0,
  conversionDays: 7,
  steps: [{ type: 'wait', days: 3, hours: 0 }],
};

/** Flows: the list, an editor (trigger, audience, steps with each step's counts), and who is in each. */
export function FlowsPage({ shop }: { shop: Shop }) {
  const { t, label } = useI18n();
  const [version, setVersion] = useState(0);
  const flows = useLoad(() => api<{ items: Flow[] }>('/api/flows'), String(version));
  const templates = useLoad(() => api<{ items: Template[] }>('/api/templates'), 'templates');
  const coupons = useLoad(() => api<{ items: Coupon[] }>('/api/coupons'), 'coupons');
  const tags = useLoad(() => api<{ items: StepChoices['tags'] }>('/api/tags'), 'tags');
  const segments = useLoad(
    () => api<{ items: { segmentId: string; name: string }[] }>('/api/segments'),
    'segments',
  );
  const catalog = useLoad(() => api<Catalog>('/api/segments/fields'), 'catalog');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [catchUp, setCatchUp] = useState(0);
  const { problem, busy, attempt } = useAttempt();
  const report = useLoad(
    () => (draft?.flowId ? api<FlowReport>(`/api/flows/${draft.flowId}/report`) : Promise.resolve(null)),
    `${draft?.flowId}:${version}`,
  );

  if (!templates.data || !coupons.data || !tags.data || !catalog.data || !segments.data)
    return <p className="loading">{t('common.loading')}</p>;
  const choices: StepChoices = {
    templates: templates.data.items,
    coupons: coupons.data.items,
    tags: tags.data.items,
    catalog: catalog.data,
    currency: shop.currency,
  };
  const current = flows.data?.items.find((f) => f.flowId === draft?.flowId);

  const save = () =>
    attempt(async () => {
      if (!draft) return;
      const body = JSON.stringify({
        name: draft.name,
        trigger: draft.trigger,
        segmentId: draft.segmentId || null,
        holdoutPercent: draft.holdoutPercent,
        conversionDays: draft.conversionDays,
        steps: draft.steps,
      });
      const saved = draft.flowId
        ? await api<Flow>(`/api/flows/${draft.flowId}`, { method: 'PUT', body })
        : await api<Flow>('/api/flows', { method: 'POST', body });
      setDraft(toDraft(saved));
      setVersion((v) => v + 1);
    });
  const act = (what: 'activate' | 'pause') =>
    attempt(async () => {
      if (!draft?.flowId) return;
      await api(`/api/flows/${draft.flowId}/${what}`, {
        method: 'POST',
        body: JSON.stringify(what === 'activate' ? { catchUpDays: catchUp } : {}),
      });
      setVersion((v) => v + 1);
    });
  const runNow = () =>
    attempt(async () => {
      await api('/api/flows/run', { method: 'POST', body: '{}' });
      // The run is a background job: look again once it has had a moment.
      setTimeout(() => setVersion((v) => v + 1), 1500);
    });

  return (
    <section className="flows">
      <h1>{t('flows.title')}</h1>
      <p className="muted">{t('flows.help')}</p>
      <table data-testid="flows">
        <thead>
          <tr>
            <th>{t('flows.name')}</th>
            <th>{t('flows.trigger')}</th>
            <th>{t('flows.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(flows.data?.items ?? []).map((f) => (
            <tr key={f.flowId} data-flow={f.name}>
              <td>{f.name}</td>
              <td>{t(`flows.trigger.${f.trigger.type}`)}</td>
              <td data-testid="flow-status">{label(`flows.status.${f.status}`)}</td>
              <td>
                <button type="button" className="link" onClick={() => setDraft(toDraft(f))}>
                  {t('flows.open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" onClick={() => setDraft({ ...blank })}>
          {t('flows.new')}
        </button>
        <button type="button" onClick={() => void runNow()} disabled={busy}>
          {t('flows.runNow')}
        </button>
      </div>
      {draft && (
        <form
          className="settings flow-editor"
          data-testid="flow-editor"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h2>{draft.flowId ? draft.name : t('flows.new')}</h2>
          <Problem text={current?.lastError} />
          <label>
            {t('flows.name')}
            <input
              name="name"
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </label>
          <TriggerFields
            trigger={draft.trigger}
            tiers={catalog.data.tiers}
            onChange={(trigger) => setDraft({ ...draft, trigger })}
          />
          <label>
            {t('flows.segment')}
            <select
              name="segment"
              value={draft.segmentId}
              onChange={(e) => setDraft({ ...draft, segmentId: e.target.value })}
            >
              <option value="">{t('flows.anyone')}</option>
              {segments.data.items.map((s) => (
                <option key={s.segmentId} value={s.segmentId}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('campaigns.holdout')}
            <input
              name="holdout"
              type="number"
              min={0}
              max={50}
              step={0.1}
              value={draft.holdoutPercent}
              onChange={(e) => setDraft({ ...draft, holdoutPercent: Number(e.target.value) })}
            />
          </label>
          <label>
            {t('campaigns.conversionDays')}
            <input
              name="conversionDays"
              type="number"
              min={1}
              max={90}
              value={draft.conversionDays}
              onChange={(e) => setDraft({ ...draft, conversionDays: Number(e.target.value) })}
            />
          </label>
          <h3>{t('flows.steps')}</h3>
          <StepList
            steps={draft.steps}
            onChange={(steps) => setDraft({ ...draft, steps })}
            choices={choices}
            counts={report.data?.steps ?? {}}
            path="steps"
          />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('flows.save')}
            </button>
            {current && current.status !== 'active' && (
              <>
                <label className="inline">
                  {t('flows.catchUp')}
                  <input
                    name="catchUp"
                    type="number"
                    min={0}
                    max={30}
                    value={catchUp}
                    onChange={(e) => setCatchUp(Number(e.target.value))}
                  />
                </label>
                <button type="button" disabled={busy} onClick={() => void act('activate')}>
                  {t('flows.activate')}
                </button>
              </>
            )}
            {current?.status === 'active' && (
              <button type="button" disabled={busy} onClick={() => void act('pause')}>
                {t('flows.pause')}
              </button>
            )}
          </div>
          <Problem text={problem} />
          {report.data && draft.flowId && (
            <FlowReportPanel r={report.data} flowId={draft.flowId} shop={shop} version={version} />
          )}
        </form>
      )}
    </section>
  );
}

function toDraft(f: Flow): Draft {
  return {
    flowId: f.flowId,
    name: f.name,
    trigger: f.trigger,
    segmentId: f.segmentId ?? '',
    holdoutPercent: f.holdoutPercent,
    conversionDays: f.conversionDays,
    steps: f.steps,
  };
}
