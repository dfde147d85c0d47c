import { useI18n } from '../../i18n.js';
import { RuleEditor } from '../segments/RuleEditor.js';
import { asGroup, type Catalog, type Group, type Rule } from '../segments/rule.js';
import { closedBecause } from './couponTerms.js';
import type { Coupon, FlowStep, StepCounts, Template } from './types.js';

export interface StepChoices {
  templates: Template[];
  coupons: Coupon[];
  tags: { tagId: string; name: string; rule: unknown }[];
  catalog: Catalog;
  currency: string;
}

const STEP_TYPES = ['wait', 'send', 'coupon', 'tag', 'points', 'branch'] as const;

/** A new step of a kind, with what it needs chosen where there is an obvious choice. */
export function newStep(type: FlowStep['type'], choices: StepChoices): FlowStep {
  switch (type) {
    case 'wait':
      return { type, days: 3, hours: 0 };
    case 'send':
      return { type, templateId: choices.templates[0]?.templateId ?? '' };
    case 'coupon':
      return { type, couponId: choices.coupons.find((c) => !closedBecause(c))?.couponId ?? '' };
    case 'tag':
      return { type, tagId: choices.tags.find((t) => !t.rule)?.tagId ?? '', action: 'add' };
    case 'points':
      return { type, points: 100, reason: '' };
    case 'branch':
      return {
        type,
        condition: { type: 'and', rules: [{ type: 'field', field: 'orderCount', op: 'gte', value: 2 }] },
        yes: [],
        no: [],
      };
  }
}

interface ListProps {
  steps: FlowStep[];
  onChange: (steps: FlowStep[]) => void;
  choices: StepChoices;
  counts: Record<string, StepCounts>;
  /** Where the list sits, for test ids: 'steps', 'steps.0.yes', … */
  path: string;
}

/** The steps of one path, in order; a branch holds two more lists. */
export function StepList({ steps, onChange, choices, counts, path }: ListProps) {
  const { t } = useI18n();
  const set = (n: number, step: FlowStep) => onChange(steps.map((s, i) => (i === n ? step : s)));
  const move = (n: number, by: number) => {
    const next = [...steps];
    const [step] = next.splice(n, 1);
    next.splice(n + by, 0, step!);
    onChange(next);
  };
  return (
    <ol className="flow-steps" data-testid={`flow-${path}`}>
      {steps.map((step, n) => (
        <li key={step.id ?? `new-${n}`} className={`flow-step step-${step.type}`} data-step={step.type}>
          <div className="step-head">
            <strong>{t(`flows.step.${step.type}`)}</strong>
            {step.id && counts[step.id] && <Counts c={counts[step.id]!} branch={step.type === 'branch'} />}
            <span className="actions">
              <button type="button" className="link" disabled={n === 0} onClick={() => move(n, -1)}>
                ↑
              </button>
              <button
                type="button"
                className="link"
                disabled={n === steps.length - 1}
                onClick={() => move(n, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                className="link"
                onClick={() => onChange(steps.filter((_, i) => i !== n))}
                aria-label={t('flows.removeStep')}
              >
                ✕
              </button>
            </span>
          </div>
          <StepFields
            step={step}
            onChange={(s) => set(n, s)}
            choices={choices}
            counts={counts}
            path={`${path}.${n}`}
          />
        </li>
      ))}
      <li className="add-step">
        <select
          aria-label={t('flows.addStep')}
          data-testid={`add-step-${path}`}
          value=""
          onChange={(e) => {
            if (e.target.value) onChange([...steps, newStep(e.target.value as FlowStep['type'], choices)]);
          }}
        >
          <option value="">{t('flows.addStep')}</option>
          {STEP_TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`flows.step.${type}`)}
            </option>
          ))}
        </select>
      </li>
    </ol>
  );
}

function Counts({ c, branch }: { c: StepCounts; branch: boolean }) {
  const { t } = useI18n();
  return (
    <span className="step-counts" data-testid="step-counts">
      {branch ? t('flows.countsBranch', { yes: c.yes, no: c.no }) : t('flows.counts', { passed: c.passed })}
      {c.here > 0 && ` · ${t('flows.here', { n: c.here })}`}
    </span>
  );
}

function StepFields({
  step,
  onChange,
  choices,
  counts,
  path,
}: {
  step: FlowStep;
  onChange: (s: FlowStep) => void;
  choices: StepChoices;
  counts: Record<string, StepCounts>;
  path: string;
}) {
  const { t } = useI18n();
  const num = (v: string) => (v === '' ? 0 : Number(v));
  switch (step.type) {
    case 'wait':
      return (
        <div className="step-fields">
          <label>
            {t('flows.days')}
            <input
              name="days"
              type="number"
              min={0}
              max={365}
              value={step.days}
              onChange={(e) => onChange({ ...step, days: num(e.target.value) })}
            />
          </label>
          <label>
            {t('flows.hours')}
            <input
              name="hours"
              type="number"
              min={0}
              max={23}
              value={step.hours}
              onChange={(e) => onChange({ ...step, hours: num(e.target.value) })}
            />
          </label>
        </div>
      );
    case 'send':
      return (
        <label className="step-fields">
          {t('campaigns.template')}
          <select
            name="template"
            value={step.templateId}
            onChange={(e) => onChange({ ...step, templateId: e.target.value })}
          >
            <option value="" />
            {choices.templates.map((tpl) => (
              <option key={tpl.templateId} value={tpl.templateId}>
                {tpl.name} ({t(`channels.${tpl.channel}`)})
              </option>
            ))}
          </select>
        </label>
      );
    case 'coupon':
      return (
        <label className="step-fields">
          {t('flows.coupon')}
          <select
            name="coupon"
            value={step.couponId}
            onChange={(e) => onChange({ ...step, couponId: e.target.value })}
          >
            <option value="" />
            {/* A closed coupon stays listed on the step that has it, marked, so the operator sees why it is refused. */}
            {choices.coupons
              .filter((c) => !closedBecause(c) || c.couponId === step.couponId)
              .map((c) => (
                <option key={c.couponId} value={c.couponId}>
                  {closedBecause(c) ? `${c.name} (${t(`coupons.${closedBecause(c)!}`)})` : c.name}
                </option>
              ))}
          </select>
        </label>
      );
    case 'tag':
      return (
        <div className="step-fields">
          <select
            name="action"
            value={step.action}
            onChange={(e) => onChange({ ...step, action: e.target.value as 'add' | 'remove' })}
          >
            <option value="add">{t('flows.tagAdd')}</option>
            <option value="remove">{t('flows.tagRemove')}</option>
          </select>
          <select
            name="tag"
            value={step.tagId}
            onChange={(e) => onChange({ ...step, tagId: e.target.value })}
          >
            <option value="" />
            {choices.tags
              .filter((tag) => !tag.rule)
              .map((tag) => (
                <option key={tag.tagId} value={tag.tagId}>
                  {tag.name}
                </option>
              ))}
          </select>
        </div>
      );
    case 'points':
      return (
        <div className="step-fields">
          <label>
            {t('flows.points')}
            <input
              name="points"
              type="number"
              min={1}
              value={step.points}
              onChange={(e) => onChange({ ...step, points: num(e.target.value) })}
            />
          </label>
          <label>
            {t('flows.reason')}
            <input
              name="reason"
              value={step.reason}
              onChange={(e) => onChange({ ...step, reason: e.target.value })}
            />
          </label>
        </div>
      );
    case 'branch':
      return (
        <div className="step-fields branch">
          <p className="muted">{t('flows.branchHelp')}</p>
          <RuleEditor
            rule={asGroup(step.condition as Rule)}
            onChange={(condition: Group) => onChange({ ...step, condition })}
            catalog={choices.catalog}
            currency={choices.currency}
          />
          <div className="paths">
            <div>
              <h4>{t('flows.yes')}</h4>
              <StepList
                steps={step.yes}
                onChange={(yes) => onChange({ ...step, yes })}
                choices={choices}
                counts={counts}
                path={`${path}.yes`}
              />
            </div>
            <div>
              <h4>{t('flows.no')}</h4>
              <StepList
                steps={step.no}
                onChange={(no) => onChange({ ...step, no })}
                choices={choices}
                counts={counts}
                path={`${path}.no`}
              />
            </div>
          </div>
        </div>
      );
  }
}
