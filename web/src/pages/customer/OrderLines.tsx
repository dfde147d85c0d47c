// The product lines of a purchase entered by hand, as typed: each a product, an optional category and
// brand (offered from those the shop's customers bought), a quantity and a unit price.
import { useI18n } from '../../i18n.js';

export interface Line {
  title: string;
  category: string;
  brand: string;
  quantity: string;
  price: string;
}

const emptyLine: Line = { title: '', category: '', brand: '', quantity: '1', price: '' };

export function OrderLines({
  lines,
  currency,
  lists,
  onChange,
}: {
  lines: Line[];
  currency: string;
  /** The ids of the datalists of known categories and brands. */
  lists: { categories: string; brands: string };
  onChange: (lines: Line[]) => void;
}) {
  const { t } = useI18n();
  const setLine = (n: number, change: Partial<Line>) =>
    onChange(lines.map((l, i) => (i === n ? { ...l, ...change } : l)));
  return (
    <>
      {lines.map((l, n) => (
        <fieldset key={n} className="line" data-testid="record-order-line">
          <legend>{t('recordOrder.line', { n: n + 1 })}</legend>
          <label>
            {t('recordOrder.item')}
            <input value={l.title} required onChange={(e) => setLine(n, { title: e.target.value })} />
          </label>
          <label>
            {t('recordOrder.category')}
            <input
              value={l.category}
              list={lists.categories}
              onChange={(e) => setLine(n, { category: e.target.value })}
            />
          </label>
          <label>
            {t('recordOrder.brand')}
            <input
              value={l.brand}
              list={lists.brands}
              onChange={(e) => setLine(n, { brand: e.target.value })}
            />
          </label>
          <label>
            {t('recordOrder.quantity')}
            <input
              type="number"
              min={1}
              step={1}
              value={l.quantity}
              required
              onChange={(e) => setLine(n, { quantity: e.target.value })}
            />
          </label>
          <label>
            {t('recordOrder.price', { currency })}
            <input
              inputMode="decimal"
              value={l.price}
              required
              onChange={(e) => setLine(n, { price: e.target.value })}
            />
          </label>
          <button type="button" className="link" onClick={() => onChange(lines.filter((_, i) => i !== n))}>
            {t('recordOrder.removeLine')}
          </button>
        </fieldset>
      ))}
      <button type="button" className="link" onClick={() => onChange([...lines, emptyLine])}>
        {t('recordOrder.addLine')}
      </button>
    </>
  );
}
