// A flow's trigger: what lets a customer in (an order, their purchase cycle, a birthday, no order for a
// while, a tier upgrade, points about to expire, a resolved service case, joining, a calendar date), with
// the settings each takes, and the big-promotion season's dates as presets.
import { useI18n } from '../../i18n.js';
import type { Trigger } from './types.js';
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

export function TriggerFields({
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
