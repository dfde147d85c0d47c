import { useState, type FormEvent } from 'react';
import {
  api,
  type Customer,
  type LedgerEntry,
  type PointsSummary,
  type Shop,
  type StoredProgram,
} from '../../api.js';
import { date, dateTime, pointsKindKey } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { ledgerNote } from './ledgerNote.js';

interface Member {
  program: StoredProgram;
  points: PointsSummary;
  ledger: LedgerEntry[];
}

/** A customer's tier and points: set the tier by hand, adjust points, read the ledger. */
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
  const { data } = useLoad(async (): Promise<Member> => {
    const [program, points, ledger] = await Promise.all([
      api<StoredProgram>('/api/membership/program'),
      api<PointsSummary>(`${base}/points`),
      api<{ items: LedgerEntry[] }>(`${base}/points/ledger?limit=100`),
    ]);
    return { program, points, ledger: ledger.items };
    // The profile reloads after every change here; what moved on it says when to reload the panel.
  }, `${customer.customerId}|${customer.pointsBalance}|${customer.tierRank}|${customer.tierHoldUntil}`);
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
