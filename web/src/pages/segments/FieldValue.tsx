// A field condition's value, as its field and operator want it: a number (money in the shop's currency),
// a date or days ago, a tier, tags or choices, one or several.
import type { ReactNode } from 'react';
import { exponentOf } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { NumberBox } from './NumberBox.js';
import { defaultValue, isMoney, parseList, type Catalog, type FieldInfo, type Rule } from './rule.js';

export function FieldValue(p: {
  node: Extract<Rule, { type: 'field' }>;
  onChange: (r: Rule) => void;
  fields: FieldInfo[];
  catalog: Catalog;
  currency: string;
}) {
  const { t, label } = useI18n();
  const info = p.fields.find((f) => f.field === p.node.field);
  if (!info) return null;
  const { op, value } = p.node;
  const set = (v: unknown) => p.onChange({ ...p.node, value: v });
  const scale = isMoney(info.field) ? 10 ** exponentOf(p.currency) : 1;
  const many = op === 'in' || op === 'notIn' || info.type === 'tags';
  const options =
    info.type === 'tier' ? p.catalog.tiers : info.type === 'tags' ? p.catalog.tags : info.choices;
  const choiceLabel = (o: string) =>
    info.type !== 'choice'
      ? o
      : info.field === 'rfmSegment'
        ? label(`rfm.segment.${o}`, o)
        : label(`segments.choice.${o}`, o);
  // Inputs are keyed by field and operator: a new choice starts from its own default, not the last text.
  const key = `${info.field}:${op}`;

  let input: ReactNode;
  if (op === 'isSet' || op === 'isNotSet') input = null;
  else if (options && many) {
    const chosen = Array.isArray(value) ? (value as string[]) : [];
    input = (
      <span className="choices">
        {options.map((o) => (
          <label key={o} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(o)}
              onChange={(e) => set(e.target.checked ? [...chosen, o] : chosen.filter((x) => x !== o))}
            />
            {choiceLabel(o)}
          </label>
        ))}
      </span>
    );
  } else if (options) {
    input = (
      <select
        aria-label={t('segments.value')}
        value={String(value ?? '')}
        onChange={(e) => set(e.target.value)}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {choiceLabel(o)}
          </option>
        ))}
      </select>
    );
  } else if (many) {
    input = (
      <input
        key={key}
        aria-label={t('segments.value')}
        defaultValue={Array.isArray(value) ? value.join(', ') : ''}
        onChange={(e) => set(parseList(e.target.value))}
      />
    );
  } else if (info.type === 'time' && (op === 'before' || op === 'onOrAfter')) {
    input = (
      <input
        key={key}
        type="date"
        aria-label={t('segments.value')}
        defaultValue={String(value ?? '')}
        onChange={(e) => set(e.target.value)}
      />
    );
  } else if (op === 'between') {
    const pair = Array.isArray(value) ? value : [undefined, undefined];
    const isDate = info.type === 'time';
    input = (
      <>
        {[0, 1].map((i) =>
          isDate ? (
            <input
              key={`${key}:${i}`}
              type="date"
              aria-label={t(i === 0 ? 'segments.from' : 'segments.to')}
              defaultValue={String(pair[i] ?? '')}
              onChange={(e) => set(pair.map((x, j) => (j === i ? e.target.value : x)))}
            />
          ) : (
            <NumberBox
              key={`${key}:${i}`}
              label={t(i === 0 ? 'segments.from' : 'segments.to')}
              value={typeof pair[i] === 'number' ? (pair[i] as number) / scale : undefined}
              onChange={(v) =>
                set(pair.map((x, j) => (j === i ? (v === undefined ? v : Math.round(v * scale)) : x)))
              }
            />
          ),
        )}
      </>
    );
  } else if (info.type === 'number' || info.type === 'time') {
    input = (
      <NumberBox
        key={key}
        label={t('segments.value')}
        value={typeof value === 'number' ? value / scale : undefined}
        onChange={(v) =>
          set(v === undefined ? v : info.type === 'time' ? v : scale > 1 ? Math.round(v * scale) : v)
        }
      />
    );
  } else {
    input = (
      <input
        key={key}
        aria-label={t('segments.value')}
        defaultValue={String(value ?? '')}
        onChange={(e) => set(e.target.value)}
      />
    );
  }

  return (
    <>
      <select
        aria-label={t('segments.operator')}
        value={op}
        onChange={(e) =>
          p.onChange({ ...p.node, op: e.target.value, value: defaultValue(info, e.target.value, p.catalog) })
        }
      >
        {info.operators.map((o) => (
          <option key={o} value={o}>
            {label(`segments.op.${o}`, o)}
          </option>
        ))}
      </select>
      {input}
      {info.type === 'time' && ['withinLastDays', 'moreThanDaysAgo', 'withinNextDays'].includes(op) && (
        <span>{t('segments.days')}</span>
      )}
    </>
  );
}
