// A purchase entered by hand: a store without a till that reports to Regulars, or an order taken by
// phone. It goes through POST /api/orders like any integration's, naming the buyer by an identity the
// profile has (the member card first, as a store would), so it earns points and moves the tier the same
// way; the order number is made up when the form opens, so a second click sends the same order again and
// changes nothing.
import { useState, type FormEvent } from 'react';
import { api, type Customer, type Identity, type Shop } from '../../api.js';
import { amountText, localNow, money, toMinor, zonedIso } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';
import { useKnownValues } from '../KnownValues.js';
import { fieldText } from './FundamentalsCard.js';
import { OrderLines, type Line } from './OrderLines.js';

interface CustomerCode {
  code: string;
  name: string;
  expiresAt: string | null;
  redeemedAt: string | null;
}

/**
 * The identity the order names its buyer by — as the API takes it, and as the card shows it — or null
 * when the profile has none an order can carry.
 */
function buyerRef(
  identities: Identity[],
  shown: (i: Identity) => string,
): { ref: Record<string, string>; shown: string } | null {
  const of = (kind: string) => identities.find((i) => i.kind === kind);
  const card = of('member_card');
  if (card) return { ref: { memberCard: card.value }, shown: shown(card) };
  const phone = of('phone');
  if (phone) return { ref: { phone: phone.value }, shown: shown(phone) };
  const email = of('email');
  if (email) return { ref: { email: email.value }, shown: shown(email) };
  // Kept as 'taobao:nick': the platform, then its id.
  const platform = of('platform_id');
  const at = platform?.value.indexOf(':') ?? -1;
  if (platform && at > 0)
    return {
      ref: { platform: platform.value.slice(0, at), platformId: platform.value.slice(at + 1) },
      shown: shown(platform),
    };
  return null;
}

const newNumber = () => `M-${Date.now().toString(36).toUpperCase()}`;

export function RecordOrderCard({
  shop,
  customer,
  onRecorded,
}: {
  shop: Shop;
  customer: Customer & { identities: Identity[] };
  onRecorded: () => void;
}) {
  const { t, label, lang } = useI18n();
  const { problem, busy, attempt } = useAttempt();
  const [open, setOpen] = useState(false);
  const [channel, setChannel] = useState<'offline' | 'online'>('offline');
  const [storeId, setStoreId] = useState('');
  const [externalId, setExternalId] = useState(newNumber);
  const [orderedAt, setOrderedAt] = useState(() => localNow(shop.timeZone));
  const [status, setStatus] = useState<'paid' | 'completed'>('paid');
  const [total, setTotal] = useState('');
  const [lines, setLines] = useState<Line[]>([]);
  const [couponCode, setCouponCode] = useState('');
  const [discount, setDiscount] = useState('');
  const [shipping, setShipping] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const known = useKnownValues(open);
  // The member's codes still good: the one they show at the counter is marked used by this order.
  const codes = useLoad(
    async () =>
      open
        ? (
            await api<{ items: CustomerCode[] }>(`/api/customers/${customer.customerId}/coupons`)
          ).items.filter((c) => !c.redeemedAt && (!c.expiresAt || Date.parse(c.expiresAt) > Date.now()))
        : [],
    `${customer.customerId}|${open}|${customer.orderCount}`,
  ).data;
  const buyer = buyerRef(
    customer.identities,
    (i) => `${label(`identity.${i.kind}`)} ${fieldText(i.kind, i.value, shop.phoneRegion, label)}`,
  );
  if (!buyer) return null;

  /** An optional amount: zero when left empty, null when not an amount. */
  const optional = (text: string) => (text.trim() === '' ? 0 : toMinor(text, shop.currency));
  // Left empty, the amount paid is the lines' prices less the discount, plus shipping.
  const linesPaid = Math.max(
    0,
    lines.reduce((sum, l) => {
      const price = toMinor(l.price, shop.currency);
      return price === null ? sum : sum + price * (Number(l.quantity) || 0);
    }, 0) -
      (optional(discount) ?? 0) +
      (optional(shipping) ?? 0),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    void attempt(async () => {
      const discountCents = optional(discount);
      if (discountCents === null)
        throw new Error(t('common.badAmount', { value: discount, currency: shop.currency }));
      const shippingCents = optional(shipping);
      if (shippingCents === null)
        throw new Error(t('common.badAmount', { value: shipping, currency: shop.currency }));
      const totalCents = total.trim() === '' && lines.length > 0 ? linesPaid : toMinor(total, shop.currency);
      if (totalCents === null) throw new Error(t('recordOrder.badTotal'));
      const at = zonedIso(orderedAt, shop.timeZone);
      if (!at) throw new Error(t('recordOrder.badTime'));
      const items = lines.map((l, n) => {
        const unitPriceCents = toMinor(l.price, shop.currency);
        if (unitPriceCents === null) throw new Error(t('recordOrder.badPrice', { line: n + 1 }));
        return {
          title: l.title.trim(),
          ...(l.category.trim() ? { category: l.category.trim() } : {}),
          ...(l.brand.trim() ? { brand: l.brand.trim() } : {}),
          quantity: Number(l.quantity),
          unitPriceCents,
        };
      });
      const r = await api<{ outcome: 'created' | 'updated' | 'unchanged' }>('/api/orders', {
        method: 'POST',
        body: JSON.stringify({
          source: 'console',
          externalId: externalId.trim(),
          channel,
          ...(channel === 'offline' ? { storeId: storeId.trim() } : {}),
          status,
          totalCents,
          discountCents,
          shippingCents,
          ...(couponCode ? { couponCode } : {}),
          orderedAt: at,
          paidAt: at,
          customer: buyer.ref,
          items,
        }),
      });
      setDone(
        t(r.outcome === 'unchanged' ? 'recordOrder.unchanged' : 'recordOrder.done', {
          id: externalId.trim(),
          total: money(totalCents, shop.currency, lang),
        }),
      );
      if (r.outcome !== 'unchanged') {
        // The next purchase is another order: a new number, the same store and channel.
        setExternalId(newNumber());
        setTotal('');
        setLines([]);
        setCouponCode('');
        setDiscount('');
        setShipping('');
        setOrderedAt(localNow(shop.timeZone));
        onRecorded();
      }
    });
  };

  return (
    <div className="card" data-testid="record-order">
      <h2>{t('recordOrder.title')}</h2>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {!open ? (
        <button type="button" className="link" onClick={() => setOpen(true)}>
          {t('recordOrder.open')}
        </button>
      ) : (
        <form onSubmit={submit}>
          {known.lists}
          <p className="muted">{t('recordOrder.as', { who: buyer.shown })}</p>
          <label>
            {t('order.channel')}
            <select value={channel} onChange={(e) => setChannel(e.target.value as typeof channel)}>
              <option value="offline">{t('channel.offline')}</option>
              <option value="online">{t('channel.online')}</option>
            </select>
          </label>
          {channel === 'offline' && (
            <label>
              {t('recordOrder.store')}
              <input
                value={storeId}
                list={known.stores}
                required
                onChange={(e) => setStoreId(e.target.value)}
              />
            </label>
          )}
          <label>
            {t('recordOrder.number')}
            <input value={externalId} required onChange={(e) => setExternalId(e.target.value)} />
          </label>
          <label>
            {t('recordOrder.time')}
            <input
              type="datetime-local"
              value={orderedAt}
              required
              onChange={(e) => setOrderedAt(e.target.value)}
            />
          </label>
          <label>
            {t('order.status')}
            <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
              <option value="paid">{t('status.paid')}</option>
              <option value="completed">{t('status.completed')}</option>
            </select>
          </label>
          <OrderLines lines={lines} currency={shop.currency} lists={known} onChange={setLines} />
          {codes && codes.length > 0 && (
            <label>
              {t('recordOrder.coupon')}
              <select value={couponCode} onChange={(e) => setCouponCode(e.target.value)}>
                <option value="">{t('recordOrder.noCoupon')}</option>
                {codes.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.code} · {c.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {t('recordOrder.discount', { currency: shop.currency })}
            <input inputMode="decimal" value={discount} onChange={(e) => setDiscount(e.target.value)} />
          </label>
          <label>
            {t('recordOrder.shipping', { currency: shop.currency })}
            <input inputMode="decimal" value={shipping} onChange={(e) => setShipping(e.target.value)} />
          </label>
          <label>
            {t('recordOrder.total', { currency: shop.currency })}
            <input
              inputMode="decimal"
              value={total}
              required={lines.length === 0}
              placeholder={lines.length > 0 ? amountText(linesPaid, shop.currency) : undefined}
              onChange={(e) => setTotal(e.target.value)}
            />
          </label>
          <Problem text={problem} />
          <button type="submit" disabled={busy}>
            {t('recordOrder.submit')}
          </button>
        </form>
      )}
    </div>
  );
}
