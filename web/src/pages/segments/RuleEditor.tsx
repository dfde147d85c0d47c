import { exponentOf } from '../../format.js';
import { ConsentChoice } from './ConsentChoice.js';
import { FieldValue } from './FieldValue.js';
import { NumberBox } from './NumberBox.js';
import { PurchaseFilters } from './PurchaseFilters.js';
import { ServiceFilters } from './ServiceFilters.js';
import { useI18n } from '../../i18n.js';
import { defaultValue, type Catalog, type FieldInfo, type Group, type Rule } from './rule.js';

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
