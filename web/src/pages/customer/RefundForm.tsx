// A refund recorded against one of the customer's orders (a return at the counter, a refund staff made
// by hand): the units of each line returned and the amount refunded, both in all — the whole order by
// default. POST /api/orders/{id}/refund takes back the points the order earned in proportion, and a line
// returned in full stops counting as bought.
import { useState, type FormEvent } from 'react';
import { api, type Order } from '../../api.js';
import { amountText, money, toMinor } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { Problem } from '../../Problem.js';

/** Orders that were paid and are not wholly refunded yet. */
const REFUNDABLE = ['paid', 'shipped', 'completed', 'partially_refunded'];

/**
 * What the order's refund comes to with `returned` units per line: what it has refunded already, plus
 * what the newly returned units were paid — their prices' share of the total less shipping, as the
 * server reckons a return sent without an amount.
 */
function refundFor(order: Order, returned: number[]): number {
  const prices = order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
  if (prices === 0) return order.totalCents;
  const back = order.items.reduce(
    (sum, i, n) => sum + ((returned[n] ?? i.refundedQuantity) - i.refundedQuantity) * i.unitPriceCents,
    0,
  );
  const share = Math.round((back * Math.max(0, order.totalCents - order.shippingCents)) / prices);
  return Math.min(order.refundedCents + share, order.totalCents);
}

export function RefundForm({ order, onRefunded }: { order: Order; onRefunded: () => void }) {
  const { t, lang } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const [open, setOpen] = useState(false);
  // Every unit returned: the whole order, unless the operator says otherwise.
  const [returned, setReturned] = useState(() => order.items.map((i) => String(i.quantity)));
  const counts = returned.map((r) => (/^\d+$/.test(r.trim()) ? Number(r) : NaN));
  const [typed, setTyped] = useState<string | null>(null);
  const amount =
    typed ??
    (counts.every((c) => !Number.isNaN(c)) ? amountText(refundFor(order, counts), order.currency) : '');
  if (!REFUNDABLE.includes(order.status)) return null;
  if (!open)
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        {t('refund.open')}
      </button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      order.items.forEach((i, n) => {
        const c = counts[n]!;
        if (!(c >= i.refundedQuantity && c <= i.quantity))
          throw new Error(t('refund.badUnits', { title: i.title, from: i.refundedQuantity, to: i.quantity }));
      });
      const refundedCents = toMinor(amount, order.currency);
      if (refundedCents === null)
        throw new Error(t('common.badAmount', { value: amount, currency: order.currency }));
      const lines = order.items.flatMap((i, n) =>
        counts[n] !== i.refundedQuantity ? [{ lineNo: i.lineNo, refundedQuantity: counts[n] }] : [],
      );
      await api(`/api/orders/${order.orderId}/refund`, {
        method: 'POST',
        body: JSON.stringify({ refundedCents, ...(lines.length > 0 && { lines }) }),
      });
      setOpen(false);
      onRefunded();
    });
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="refund-form">
      {order.items.map((i, n) => (
        <label key={i.lineNo}>
          {t('refund.returned', { title: i.title, quantity: i.quantity })}
          <input
            type="number"
            min={i.refundedQuantity}
            max={i.quantity}
            value={returned[n]}
            onChange={(e) => {
              setReturned(returned.map((r, m) => (m === n ? e.target.value : r)));
              // What was returned changed: the amount follows again, until typed anew.
              setTyped(null);
            }}
          />
        </label>
      ))}
      <label>
        {t('refund.amount', { currency: order.currency })}
        <input inputMode="decimal" value={amount} required onChange={(e) => setTyped(e.target.value)} />
      </label>
      {order.refundedCents > 0 && (
        <small className="muted">
          {t('refund.already', { amount: money(order.refundedCents, order.currency, lang) })}
        </small>
      )}
      <button type="submit" disabled={busy}>
        {t('refund.submit')}
      </button>
      <button type="button" className="link" onClick={() => setOpen(false)}>
        {t('profile.cancel')}
      </button>
      <Problem text={problem} />
    </form>
  );
}
