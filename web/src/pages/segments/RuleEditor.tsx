import type { ReactNode } from 'react';
import { exponentOf } from '../../format.js';
import { useKnownValues } from '../KnownValues.js';
import { NumberBox } from './NumberBox.js';
import { ServiceFilters } from './ServiceFilters.js';
import { useI18n } from '../../i18n.js';
import {
  defaultValue,
  isMoney,
  parseList,
  type Catalog,
  type FieldInfo,
  type Group,
  type Rule,
} from './rule.js';

interface Props {
  rule: Group;
  onChange: (rule: Group) => void;
  catalog: Catalog;
  currency: string;
  /** Tag rules may not read tags. */
  allowTags?: boolean;
}

/** Edits a rule tree: groups of conditions joined by AND or OR, any of which may be negated. */
export function RuleEditor(props: Props) {
  return (
    <div className="rule-editor" data-testid="rule-editor">
      <GroupEditor {...props} group={props.rule} onChange={props.onChange} depth={0} />
    </div>
  );
}

function GroupEditor(
  p: Omit<Props, 'rule' | 'onChange'> & { group: Group; onChange: (g: Group) => void; depth: number },
) {
  const { t } = useI18n();
  const fields = p.catalog.fields.filter((f) => p.allowTags !== false || f.type !== 'tags');
  const first = fields.find((f) => f.field === 'orderCount') ?? fields[0]!;
  const set = (rules: Rule[]) => p.onChange({ ...p.group, rules });
  const add = (node: Rule) => set([...p.group.rules, node]);
  return (
    <fieldset className="rule-group" data-depth={p.depth}>
      <legend>
        <select
          aria-label={t('segments.join')}
          value={p.group.type}
          onChange={(e) => p.onChange({ ...p.group, type: e.target.value as Group['type'] })}
        >
          <option value="and">{t('segments.all')}</option>
          <option value="or">{t('segments.any')}</option>
        </select>
      </legend>
      {p.group.rules.length === 0 && <p className="muted">{t('segments.everyone')}</p>}
      {p.group.rules.map((node, n) => {
        const negated = node.type === 'not';
        const inner = node.type === 'not' ? node.rule : node;
        const replace = (next: Rule) =>
          set(p.group.rules.map((r, i) => (i === n ? (negated ? { type: 'not', rule: next } : next) : r)));
        return (
          <div className="rule-row" key={n} data-testid="rule-row">
            <label className="not">
              <input
                type="checkbox"
                checked={negated}
                onChange={() =>
                  set(
                    p.group.rules.map((r, i) =>
                      i === n ? (negated ? inner : { type: 'not', rule: inner }) : r,
                    ),
                  )
                }
              />
              {t('segments.not')}
            </label>
            {inner.type === 'and' || inner.type === 'or' ? (
              <GroupEditor {...p} group={inner} onChange={replace} depth={p.depth + 1} />
            ) : inner.type === 'not' ? null : (
              <ConditionEditor {...p} fields={fields} node={inner as Leaf} onChange={replace} />
            )}
            <button
              type="button"
              className="link"
              aria-label={t('segments.remove')}
              onClick={() => set(p.group.rules.filter((_, i) => i !== n))}
            >
              ✕
            </button>
          </div>
        );
      })}
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            add({
              type: 'field',
              field: first.field,
              op: 'gte',
              value: defaultValue(first, 'gte', p.catalog),
            })
          }
        >
          {t('segments.addCondition')}
        </button>
        <button type="button" onClick={() => add({ type: 'purchased' })}>
          {t('segments.addPurchase')}
        </button>
        {p.depth < 3 && (
          <button
            type="button"
            onClick={() => add({ type: p.group.type === 'and' ? 'or' : 'and', rules: [] })}
          >
            {t('segments.addGroup')}
          </button>
        )}
      </div>
    </fieldset>
  );
}

type Leaf = Exclude<Rule, { type: 'and' | 'or' | 'not' }>;

function ConditionEditor(p: {
  node: Leaf;
  onChange: (r: Rule) => void;
  fields: FieldInfo[];
  catalog: Catalog;
  currency: string;
}) {
  const { t, label } = useI18n();
  const kind = p.node.type === 'field' ? `field:${p.node.field}` : p.node.type;
  const choose = (next: string) => {
    if (next === 'purchased') return p.onChange({ type: 'purchased' });
    if (next === 'discountShare') return p.onChange({ type: 'discountShare', atLeast: 0.5 });
    if (next === 'nearNextTier') return p.onChange({ type: 'nearNextTier', ordersWithin: 1 });
    if (next === 'interacted') return p.onChange({ type: 'interacted', kinds: ['clicked'] });
    if (next === 'consent') return p.onChange({ type: 'consent', channel: 'sms', status: 'opted_in' });
    if (next === 'service') return p.onChange({ type: 'service', kinds: ['complaint'], status: 'open' });
    const info = p.fields.find((f) => `field:${f.field}` === next)!;
    const op = info.operators[0]!;
    p.onChange({ type: 'field', field: info.field, op, value: defaultValue(info, op, p.catalog) });
  };
  return (
    <div className="condition">
      <select aria-label={t('segments.what')} value={kind} onChange={(e) => choose(e.target.value)}>
        <optgroup label={t('segments.fields')}>
          {p.fields.map((f) => (
            <option key={f.field} value={`field:${f.field}`}>
              {label(`segments.field.${f.field}`, f.field)}
            </option>
          ))}
        </optgroup>
        <optgroup label={t('segments.history')}>
          <option value="purchased">{t('segments.purchased')}</option>
          <option value="discountShare">{t('segments.discountShare')}</option>
          <option value="nearNextTier">{t('segments.nearNextTier')}</option>
          <option value="interacted">{t('segments.interacted')}</option>
          <option value="consent">{t('segments.consent')}</option>
          <option value="service">{t('segments.service')}</option>
        </optgroup>
      </select>
      {p.node.type === 'field' && <FieldValue {...p} node={p.node} />}
      {p.node.type === 'purchased' && <PurchaseFilters node={p.node} onChange={p.onChange} />}
      {p.node.type === 'discountShare' && (
        <>
          <span>≥</span>
          <NumberBox
            label={t('segments.share')}
            value={Math.round(p.node.atLeast * 100)}
            onChange={(v) =>
              p.onChange({ ...(p.node as Extract<Rule, { type: 'discountShare' }>), atLeast: (v ?? 0) / 100 })
            }
          />
          <span>%</span>
        </>
      )}
      {p.node.type === 'nearNextTier' && (
        <NearNextTier node={p.node} onChange={p.onChange} currency={p.currency} />
      )}
      {p.node.type === 'consent' && <ConsentChoice node={p.node} onChange={p.onChange} />}
      {p.node.type === 'service' && <ServiceFilters node={p.node} onChange={p.onChange} />}
      {p.node.type === 'interacted' && (
        <>
          {p.catalog.interactions.map((k) => {
            const node = p.node as Extract<Rule, { type: 'interacted' }>;
            return (
              <label key={k} className="inline">
                <input
                  type="checkbox"
                  checked={node.kinds.includes(k)}
                  onChange={(e) =>
                    p.onChange({
                      ...node,
                      kinds: e.target.checked ? [...node.kinds, k] : node.kinds.filter((x) => x !== k),
                    })
                  }
                />
                {label(`segments.interaction.${k}`, k)}
              </label>
            );
          })}
          <NumberBox
            label={t('segments.withinDays')}
            value={p.node.withinDays}
            onChange={(v) =>
              p.onChange({ ...(p.node as Extract<Rule, { type: 'interacted' }>), withinDays: v })
            }
          />
        </>
      )}
    </div>
  );
}

/** How far short of the tier above a member may be: in money (the shop's currency) and in purchases. */
function NearNextTier(p: {
  node: Extract<Rule, { type: 'nearNextTier' }>;
  onChange: (r: Rule) => void;
  currency: string;
}) {
  const { t } = useI18n();
  const scale = 10 ** exponentOf(p.currency);
  return (
    <>
      <NumberBox
        label={t('segments.nearSpend', { currency: p.currency })}
        value={p.node.spendWithinCents === undefined ? undefined : p.node.spendWithinCents / scale}
        onChange={(v) =>
          p.onChange({ ...p.node, spendWithinCents: v === undefined ? undefined : Math.round(v * scale) })
        }
      />
      <NumberBox
        label={t('segments.nearOrders')}
        value={p.node.ordersWithin}
        onChange={(v) => p.onChange({ ...p.node, ordersWithin: v })}
      />
    </>
  );
}

function FieldValue(p: {
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

function ConsentChoice({
  node,
  onChange,
}: {
  node: Extract<Rule, { type: 'consent' }>;
  onChange: (r: Rule) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <select
        aria-label={t('segments.consent.channel')}
        value={node.channel}
        onChange={(e) => onChange({ ...node, channel: e.target.value as 'email' | 'sms' })}
      >
        <option value="sms">{t('consent.sms')}</option>
        <option value="email">{t('consent.email')}</option>
      </select>
      <select
        aria-label={t('segments.consent.status')}
        value={node.status}
        onChange={(e) => onChange({ ...node, status: e.target.value as typeof node.status })}
      >
        <option value="opted_in">{t('consent.opted_in')}</option>
        <option value="opted_out">{t('consent.opted_out')}</option>
        <option value="none">{t('consent.none')}</option>
      </select>
    </>
  );
}

function PurchaseFilters({
  node,
  onChange,
}: {
  node: Extract<Rule, { type: 'purchased' }>;
  onChange: (r: Rule) => void;
}) {
  const { t } = useI18n();
  const known = useKnownValues();
  const suggested = { categories: known.categories, brands: known.brands, storeIds: known.stores };
  const list = (key: 'categories' | 'brands' | 'skus' | 'titleContains' | 'storeIds') => (
    <label className="inline">
      {t(`segments.purchase.${key}`)}
      <input
        list={key === 'categories' || key === 'brands' || key === 'storeIds' ? suggested[key] : undefined}
        defaultValue={node[key]?.join(', ') ?? ''}
        onChange={(e) => {
          const values = parseList(e.target.value);
          onChange({ ...node, [key]: values.length > 0 ? values : undefined });
        }}
      />
    </label>
  );
  return (
    <span className="purchase">
      {known.lists}
      {list('categories')}
      {list('brands')}
      {list('titleContains')}
      {list('skus')}
      <label className="inline">
        {t('segments.purchase.channel')}
        <select
          value={node.channel ?? ''}
          onChange={(e) =>
            onChange({ ...node, channel: (e.target.value || undefined) as 'online' | 'offline' | undefined })
          }
        >
          <option value="">{t('segments.purchase.anyChannel')}</option>
          <option value="online">{t('segments.purchase.online')}</option>
          <option value="offline">{t('segments.purchase.offline')}</option>
        </select>
      </label>
      {list('storeIds')}
      <NumberBox
        label={t('segments.withinDays')}
        value={node.withinDays}
        onChange={(v) => onChange({ ...node, withinDays: v })}
      />
      <NumberBox
        label={t('segments.minOrders')}
        value={node.minOrders}
        onChange={(v) => onChange({ ...node, minOrders: v })}
      />
    </span>
  );
}
