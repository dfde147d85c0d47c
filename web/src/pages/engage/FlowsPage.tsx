import { useState } from 'react';
import { api, type Shop } from '../../api.js';
import { dateTime, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { Catalog } from '../segments/rule.js';
import { StepList, type StepChoices } from './FlowSteps.js';
import type { Coupon, Enrollment, Flow, FlowReport, FlowStep, Template, Trigger } from './types.js';
import { Problem } from '../../Problem.js';
import type { CaseKind } from '../service/cases.js';
import { KindOptions } from '../service/KindOptions.js';

const TRIGGERS: Trigger['type'][] = [
  'order_paid',
  'purchase_cycle',
  'birthday',
  'no_order',
  'tier_upgraded',
  'points_expiring',
  'service_resolved',
  'joined',
  'date',
];

/** Sensible settings for a trigger just picked. */
function newTrigger(type: Trigger['type']): Trigger {
  switch (type) {
    case 'purchase_cycle':
      return { type, daysBefore: 3 };
    case 'birthday':
      return { type, daysBefore: 0, hour: 10 };
    case 'no_order':
      return { type, days: 90 };
    case 'points_expiring':
      return { type, daysBefore: 30 };
    case 'date':
      return { type, month: 11, day: 1, hour: 10 };
    default:
      return { type } as Trigger;
  }
}

/** The big-promotion season's dates (recall before Double 11, care between 11 and 12, follow-up after). */
const PRESETS = [
  { key: 'double11Recall', month: 11, day: 1 },
  { key: 'afterSalesCare', month: 11, day: 12 },
  { key: 'memberFollowUp', month: 12, day: 13 },
] as const;

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
            <Report r={report.data} flowId={draft.flowId} shop={shop} version={version} />
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

function TriggerFields({
  trigger,
  tiers,
  onChange,
}: {
  trigger: Trigger;
  tiers: string[];
  onChange: (t: Trigger) => void;
}) {
  const { t } = useI18n();
  const number = (
    key: 'daysBefore' | 'hour' | 'days' | 'month' | 'day',
    value: number,
    min: number,
    max: number,
  ) => (
    <label key={key}>
      {t(`flows.field.${key}`)}
      <input
        name={key}
        type="number"
        min={min}
        max={max}
        value={value}
        onChange={(e) => onChange({ ...trigger, [key]: Number(e.target.value) } as Trigger)}
      />
    </label>
  );
  return (
    <fieldset className="trigger">
      <label>
        {t('flows.trigger')}
        <select
          name="trigger"
          value={trigger.type}
          onChange={(e) => onChange(newTrigger(e.target.value as Trigger['type']))}
        >
          {TRIGGERS.map((type) => (
            <option key={type} value={type}>
              {t(`flows.trigger.${type}`)}
            </option>
          ))}
        </select>
      </label>
      <p className="muted">{t(`flows.triggerHelp.${trigger.type}`)}</p>
      {trigger.type === 'purchase_cycle' && (
        <>
          <label>
            {t('flows.field.category')}
            <input
              name="category"
              value={trigger.category ?? ''}
              onChange={(e) => onChange({ ...trigger, category: e.target.value || undefined })}
            />
          </label>
          {number('daysBefore', trigger.daysBefore, 0, 60)}
        </>
      )}
      {trigger.type === 'birthday' && [
        number('daysBefore', trigger.daysBefore, 0, 60),
        number('hour', trigger.hour, 0, 23),
      ]}
      {trigger.type === 'no_order' && number('days', trigger.days, 1, 3650)}
      {trigger.type === 'points_expiring' && number('daysBefore', trigger.daysBefore, 1, 365)}
      {trigger.type === 'tier_upgraded' && (
        <label>
          {t('flows.field.tier')}
          <select
            name="tier"
            value={trigger.tier ?? ''}
            onChange={(e) => onChange({ ...trigger, tier: e.target.value || undefined })}
          >
            <option value="">{t('flows.anyTier')}</option>
            {tiers.slice(1).map((tier) => (
              <option key={tier} value={tier}>
                {tier}
              </option>
            ))}
          </select>
        </label>
      )}
      {trigger.type === 'service_resolved' && (
        <label>
          {t('flows.field.caseKind')}
          <select
            name="caseKind"
            value={trigger.kind ?? ''}
            onChange={(e) =>
              onChange({ type: 'service_resolved', kind: (e.target.value || undefined) as CaseKind })
            }
          >
            <KindOptions any />
          </select>
        </label>
      )}
      {trigger.type === 'date' && (
        <>
          <div className="presets">
            {PRESETS.map((p) => (
              <button
                key={p.key}
                type="button"
                className="chip"
                onClick={() => onChange({ ...trigger, month: p.month, day: p.day })}
              >
                {t(`flows.preset.${p.key}`)}
              </button>
            ))}
          </div>
          {number('month', trigger.month, 1, 12)}
          {number('day', trigger.day, 1, 31)}
          {number('hour', trigger.hour, 0, 23)}
        </>
      )}
    </fieldset>
  );
}

function Report({
  r,
  flowId,
  shop,
  version,
}: {
  r: FlowReport;
  flowId: string;
  shop: Shop;
  version: number;
}) {
  const { t, lang, label } = useI18n();
  const enrollments = useLoad(
    () => api<{ items: Enrollment[] }>(`/api/flows/${flowId}/enrollments?limit=20`),
    `${flowId}:${version}`,
  );
  const pct = (x: number | null) => percent(x, lang);
  const sent = r.messages.sent + r.messages.delivered;
  return (
    <div className="report" data-testid="flow-report">
      <h3>{t('flows.report')}</h3>
      <dl>
        {(
          [
            ['flows.r.entered', r.entered, 'flow-entered'],
            ['flows.r.holdout', r.holdout],
            ['flows.r.active', r.active],
            ['flows.r.completed', r.completed, 'flow-completed'],
            ['flows.r.exited', r.exited],
            ['campaigns.r.sent', sent, 'flow-sent'],
            ['campaigns.r.suppressed', r.messages.suppressed],
            ['campaigns.r.opened', r.opened],
            ['campaigns.r.clicked', r.clicked],
          ] as const
        ).map(([k, v, id]) => (
          <div key={k}>
            <dt>{label(k)}</dt>
            <dd data-testid={id}>{v.toLocaleString(lang)}</dd>
          </div>
        ))}
      </dl>
      <p>
        {t('flows.r.walked')}: {pct(r.walked.conversionRate)} ·{' '}
        {money(r.walked.revenueCents, shop.currency, lang)} · {t('flows.r.control')}:{' '}
        {pct(r.control.conversionRate)} · {t('campaigns.lift')}: {pct(r.lift)}
      </p>
      <table data-testid="enrollments">
        <tbody>
          {(enrollments.data?.items ?? []).map((e) => (
            <tr key={e.enrollmentId}>
              <td>
                <a href={`#/customers/${e.customerId}`}>{e.customerName ?? e.customerId}</a>
              </td>
              <td>{e.occurrence}</td>
              <td>{label(`flows.enrollment.${e.status}`)}</td>
              <td>{e.holdout ? t('flows.r.holdout') : (e.exitReason ?? e.stepId ?? '')}</td>
              <td>{dateTime(e.nextAt, shop.timeZone, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
