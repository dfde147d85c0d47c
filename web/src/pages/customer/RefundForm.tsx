// A refund recorded against one of the customer's orders (a return at the counter, a refund staff made
// by hand): the refunded amount in all, the whole order by default. POST /api/orders/{id}/refund takes
// back the points the order earned in proportion.
import { useState, type FormEvent } from 'react';
import { api, type Order } from '../../api.js';
import { amountText, money, toMinor } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { Problem } from '../../Problem.js';

/** Orders that were paid and are not wholly refunded yet. */
const REFUNDABLE = ['paid', 'shipped', 'completed', 'partially_refunded'];

export function RefundForm({ order, onRefunded }: { order: Order; onRefunded: () => void }) {
  const { t, lang } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const [open, setOpen] = useState(false);
  const [amount, setAmount] = useState(() => amountText(order.totalCents, order.currency));
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
      const refundedCents = toMinor(amount, order.currency);
      if (refundedCents === null)
        throw new Error(t('common.badAmount', { value: amount, currency: order.currency }));
      await api(`/api/orders/${order.orderId}/refund`, {
        method: 'POST',
        body: JSON.stringify({ refundedCents }),
      });
      setOpen(false);
      onRefunded();
    });
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="refund-form">
      <label>
        {t('refund.amount', { currency: order.currency })}
        <input inputMode="decimal" value={amount} required onChange={(e) => setAmount(e.target.value)} />
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
