import { useState } from 'react';
import { api } from '../../api.js';
import { date } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';

interface CustomerCode {
  code: string;
  couponId: string;
  name: string;
  campaignId: string | null;
  issuedAt: string;
  expiresAt: string | null;
  redeemedAt: string | null;
  orderId: string | null;
}

/**
 * The customer's coupon codes, newest first, each with whether it can still be used: what staff at the
 * counter or on the phone need when a member asks about "the coupon you sent me".
 */
export function CouponsCard({
  customerId,
  pointsBalance,
  timeZone,
}: {
  customerId: string;
  pointsBalance: number;
  timeZone: string;
}) {
  const { t, lang } = useI18n();
  // A code bought with points (the member panel) moves the balance: that is when to load again.
  const codes = useLoad(
    () => api<{ items: CustomerCode[] }>(`/api/customers/${customerId}/coupons`),
    `${customerId}|${pointsBalance}`,
  );
  // Whether a code has lapsed is judged against when the card was opened, not re-read on every render.
  const [openedAt] = useState(() => Date.now());
  const state = (c: CustomerCode) => {
    if (c.redeemedAt) return t('coupons.state.used', { date: date(c.redeemedAt, timeZone, lang) });
    if (c.expiresAt && Date.parse(c.expiresAt) <= openedAt)
      return t('coupons.state.expired', { date: date(c.expiresAt, timeZone, lang) });
    return c.expiresAt
      ? t('coupons.state.validUntil', { date: date(c.expiresAt, timeZone, lang) })
      : t('coupons.state.valid');
  };
  const items = codes.data?.items ?? [];
  return (
    <div className="card" data-testid="customer-coupons">
      <h2>{t('coupons.ofCustomer')}</h2>
      {codes.data && items.length === 0 && <p className="muted">{t('coupons.noneForCustomer')}</p>}
      <ul className="codes">
        {items.map((c) => (
          <li key={c.code} data-code={c.code}>
            <code>{c.code}</code> {c.name}
            <br />
            <small data-testid="code-state">{state(c)}</small>
          </li>
        ))}
      </ul>
      {codes.error && <p className="error">{codes.error}</p>}
    </div>
  );
}
