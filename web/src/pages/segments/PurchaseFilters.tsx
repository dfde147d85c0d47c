// A purchase condition ("bought …"): categories, brands, words of a title, SKUs, a channel and stores,
// within so many days, at least so many orders; the categories, brands and stores the shop knows are
// offered as they are typed.
import { useI18n } from '../../i18n.js';
import { useKnownValues } from '../KnownValues.js';
import { NumberBox } from './NumberBox.js';
import { parseList, type Rule } from './rule.js';

/** The filters typed as a comma-separated list. */
type ListKey = 'categories' | 'brands' | 'skus' | 'titleContains' | 'storeIds';

export function PurchaseFilters({
  node,
  onChange,
}: {
  node: Extract<Rule, { type: 'purchased' }>;
  onChange: (r: Rule) => void;
}) {
  const { t } = useI18n();
  const known = useKnownValues();
  // The datalists of the values the shop knows, for the boxes that have one.
  const suggested: Partial<Record<ListKey, string>> = {
    categories: known.categories,
    brands: known.brands,
    storeIds: known.stores,
  };
  const list = (key: ListKey) => (
    <label className="inline">
      {t(`segments.purchase.${key}`)}
      <input
        list={suggested[key]}
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
