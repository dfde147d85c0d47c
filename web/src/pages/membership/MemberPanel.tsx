import { useState, type FormEvent } from 'react';
import {
  api,
  type Customer,
  type LedgerEntry,
  type MemberTier,
  type PointsSummary,
  type Shop,
  type StoredProgram,
} from '../../api.js';
import { date, dateTime, pointsKindKey } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { closedBecause } from '../engage/couponTerms.js';
import type { Coupon } from '../engage/types.js';
import { ledgerNote } from './ledgerNote.js';
import { TierStanding } from './TierStanding.js';

interface Member {
  program: StoredProgram;
  tier: MemberTier;
  points: PointsSummary;
  ledger: LedgerEntry[];
}

/** A customer's tier and points: set the tier by hand, adjust points, spend them on a coupon, read the ledger. */
export function MemberPanel({
  shop,
  customer,
  onChanged,
}: {
  shop: Shop;
  customer: Customer;
  onChanged: () => void;
}) {
  const { t, label, lang } = useI18n();
  const base = `/api/customers/${customer.customerId}`;
  const { data } = useLoad(
    async (): Promise<Member> => {
      const [program, tier, points, ledger] = await Promise.all([
        api<StoredProgram>('/api/membership/program'),
        api<MemberTier>(`${base}/tier`),
        api<PointsSummary>(`${base}/points`),
        api<{ items: LedgerEntry[] }>(`${base}/points/ledger?limit=100`),
      ]);
      return { program, tier, points, ledger: ledger.items };
      // The profile reloads after every change here; what moved on it says when to reload the panel.
    },
    `${customer.customerId}|${customer.pointsBalance}|${customer.tierRank}|${customer.tierHoldUntil}|${customer.spendCents - customer.refundedCents}|${customer.orderCount}`,
  );
  const changed = onChanged;
  if (!data) return <p className="loading">{t('common.loading')}</p>;
  const tiers = data.program.program.tiers;
  const tier = tiers[Math.min(customer.tierRank, tiers.length - 1)]!;
  return (
    <>
      <div className="cards">
        <div className="card" data-testid="member-tier">
          <h2>{t('member.tier')}</h2>
          <p className="big" data-testid="tier-name">
            {tier.name}
          </p>
          <p className="muted">
            {customer.tierSince
              ? t('member.since', { date: date(customer.tierSince, shop.timeZone, lang) })
              : ''}
            {customer.tierHoldUntil
              ? ` · ${t('member.heldUntil', { date: date(customer.tierHoldUntil, shop.timeZone, lang) })}`
              : ''}
            {customer.tierGraceUntil
              ? ` · ${t('member.graceUntil', { date: date(customer.tierGraceUntil, shop.timeZone, lang) })}`
              : ''}
          </p>
          <TierStanding shop={shop} tier={data.tier} />
          <SetTier
            tiers={tiers.map((x) => x.name)}
            current={customer.tierRank}
            url={`${base}/tier`}
            onDone={changed}
          />
        </div>
        <div className="card" data-testid="member-points">
          <h2>{t('member.points')}</h2>
          <p className="big" data-testid="points-balance">
            {data.points.balance.toLocaleString(lang)}
          </p>
          <p className="muted">
            {t('member.pointsTotals', {
              earned: data.points.earned,
              redeemed: data.points.redeemed,
              expired: data.points.expired,
            })}
          </p>
          {data.points.expiring.length > 0 && (
            <ul className="expiring">
              {data.points.expiring.slice(0, 3).map((e) => (
                <li key={e.expiresAt}>
                  {t('member.expiring', { points: e.points, date: date(e.expiresAt, shop.timeZone, lang) })}
                </li>
              ))}
            </ul>
          )}
          <AdjustPoints url={`${base}/points/adjustments`} onDone={changed} />
          <BuyCoupon
            url={`${base}/points/redemptions`}
            balance={data.points.balance}
            memberOffers={data.tier.benefits.memberOffers}
            onDone={changed}
          />
        </div>
      </div>
      <h2>{t('member.ledger')}</h2>
      <table className="ledger" data-testid="ledger">
        <thead>
          <tr>
            <th>{t('order.date')}</th>
            <th>{t('member.entry')}</th>
            <th className="num">{t('member.points')}</th>
            <th>{t('member.expires')}</th>
            <th>{t('member.note')}</th>
          </tr>
        </thead>
        <tbody>
          {data.ledger.map((e) => (
            <tr key={e.entryId} data-kind={e.kind}>
              <td>{dateTime(e.createdAt, shop.timeZone, lang)}</td>
              <td>{label(pointsKindKey(e.kind, e.points), e.kind)}</td>
              <td className="num">{e.points > 0 ? `+${e.points}` : e.points}</td>
              <td>{e.expiresAt && e.points > 0 ? date(e.expiresAt, shop.timeZone, lang) : ''}</td>
              <td>{ledgerNote({ ...e.detail, reason: e.reason }, shop.currency, lang, label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function SetTier({
  tiers,
  current,
  url,
  onDone,
}: {
  tiers: string[];
  current: number;
  url: string;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [rank, setRank] = useState(current);
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const { problem, attempt } = useAttempt();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      await api(url, {
        method: 'POST',
        body: JSON.stringify({
          rank,
          reason,
          ...(until ? { until: new Date(`${until}T00:00:00`).toISOString() } : {}),
        }),
      });
      setReason('');
      onDone();
    });
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="set-tier">
      <select aria-label={t('member.tier')} value={rank} onChange={(e) => setRank(Number(e.target.value))}>
        {tiers.map((name, i) => (
          <option key={name} value={i}>
            {name}
          </option>
        ))}
      </select>
      <input
        aria-label={t('member.reason')}
        placeholder={t('member.reason')}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
      />
      <label>
        {t('member.until')} <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
      </label>
      <button type="submit">{t('member.setTier')}</button>
      {problem && <p className="error">{problem}</p>}
    </form>
  );
}

function AdjustPoints({ url, onDone }: { url: string; onDone: () => void }) {
  const { t } = useI18n();
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const { problem, attempt } = useAttempt();
  // One key per adjustment being filled in: a double click or a resent request adjusts once.
  const [key, setKey] = useState(() => `console-${crypto.randomUUID()}`);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      await api(url, {
        method: 'POST',
        body: JSON.stringify({ points: Number(points), reason, idempotencyKey: key }),
      });
      setKey(`console-${crypto.randomUUID()}`);
      setPoints('');
      setReason('');
      onDone();
    });
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="adjust-points">
      <input
        aria-label={t('member.adjustPoints')}
        placeholder="+100 / -50"
        inputMode="numeric"
        value={points}
        onChange={(e) => setPoints(e.target.value)}
        required
      />
      <input
        aria-label={t('member.reason')}
        placeholder={t('member.reason')}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        required
      />
      <button type="submit">{t('member.adjust')}</button>
      {problem && <p className="error">{problem}</p>}
    </form>
  );
}

/** The shop's coupons on offer for points now, as the API would sell them. */
const onOffer = (c: Coupon, now: number) =>
  c.pointsPrice !== null && (!c.validFrom || Date.parse(c.validFrom) <= now) && !closedBecause(c, now);

/**
 * Spends points on one of the shop's coupons (at its price): the code issued is shown here and in the
 * profile's coupons. Members-only coupons are offered to members whose tier grants member-only offers.
 */
function BuyCoupon({
  url,
  balance,
  memberOffers,
  onDone,
}: {
  url: string;
  balance: number;
  memberOffers: boolean;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const coupons = useLoad(async () => {
    const { items } = await api<{ items: Coupon[] }>('/api/coupons');
    const now = Date.now();
    return items.filter((c) => onOffer(c, now) && (memberOffers || !c.membersOnly));
  }, `coupons:${memberOffers}`);
  const [couponId, setCouponId] = useState('');
  const [bought, setBought] = useState<string | null>(null);
  const { problem, attempt } = useAttempt();
  const [key, setKey] = useState(() => `console-${crypto.randomUUID()}`);
  const offers = coupons.data;
  if (!offers) return null;
  if (offers.length === 0) return <p className="muted">{t('member.noCouponForPoints')}</p>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const coupon = offers.find((c) => c.couponId === couponId)!;
    void attempt(async () => {
      const r = await api<{ coupon: { code: string } }>(url, {
        method: 'POST',
        body: JSON.stringify({
          purpose: 'coupon',
          couponId,
          points: coupon.pointsPrice,
          idempotencyKey: key,
        }),
      });
      setKey(`console-${crypto.randomUUID()}`);
      setBought(t('member.couponBought', { code: r.coupon.code, name: coupon.name }));
      setCouponId('');
      onDone();
    });
  };
  return (
    <form className="inline" onSubmit={submit} data-testid="buy-coupon">
      <select
        aria-label={t('member.couponForPoints')}
        value={couponId}
        onChange={(e) => setCouponId(e.target.value)}
        required
      >
        <option value="">{t('member.couponForPoints')}</option>
        {offers.map((c) => (
          <option key={c.couponId} value={c.couponId} disabled={c.pointsPrice! > balance}>
            {t('member.couponPrice', { name: c.name, points: c.pointsPrice! })}
          </option>
        ))}
      </select>
      <button type="submit">{t('member.buyCoupon')}</button>
      {bought && (
        <p className="notice" role="status" data-testid="coupon-bought">
          {bought}
        </p>
      )}
      {problem && <p className="error">{problem}</p>}
    </form>
  );
}
