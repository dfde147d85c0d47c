import { useState } from 'react';
import { api, type Shop } from '../../api.js';
import { date, exponentOf, money, toMinor } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { closedBecause } from './couponTerms.js';
import type { Coupon } from './types.js';
import { Problem } from '../../Problem.js';

/** Coupons: the offers with their codes issued and redeemed, a form for a new one, and issue to a segment. */
export function CouponsPage({ shop }: { shop: Shop }) {
  const { t, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const coupons = useLoad(() => api<{ items: Coupon[] }>('/api/coupons'), String(version));
  const segments = useLoad(
    () => api<{ items: { segmentId: string; name: string }[] }>('/api/segments'),
    'segments',
  );
  const [form, setForm] = useState({
    name: '',
    kind: 'amount' as 'amount' | 'percent',
    value: '',
    minSpend: '',
    validDays: '30',
    prefix: 'CRM',
    pointsPrice: '',
    membersOnly: false,
  });
  const [issue, setIssue] = useState<{ couponId: string; segmentId: string }>({
    couponId: '',
    segmentId: '',
  });
  const [issued, setIssued] = useState<string | null>(null);
  // The coupon being renamed or repriced, with its draft name and points price.
  const [editing, setEditing] = useState<{ couponId: string; name: string; pointsPrice: string } | null>(
    null,
  );
  const { problem, busy, attempt } = useAttempt();
  // The smallest amount the currency has: 0.01 for a yuan, 1 for a yen.
  const cent = 1 / 10 ** exponentOf(shop.currency);

  const create = () =>
    attempt(async () => {
      // Amounts go as minor units exactly, in the currency's own decimals (a yen has none).
      const amount = (text: string) => {
        const minor = toMinor(text, shop.currency);
        if (minor === null) throw new Error(t('common.badAmount', { value: text, currency: shop.currency }));
        return minor;
      };
      await api('/api/coupons', {
        method: 'POST',
        body: JSON.stringify({
          name: form.name,
          kind: form.kind,
          ...(form.kind === 'amount' ? { amountCents: amount(form.value) } : { percent: Number(form.value) }),
          minSpendCents: form.minSpend.trim() ? amount(form.minSpend) : 0,
          validDays: form.validDays ? Number(form.validDays) : undefined,
          codePrefix: form.prefix,
          pointsPrice: form.pointsPrice ? Number(form.pointsPrice) : undefined,
          membersOnly: form.membersOnly,
        }),
      });
      setForm({ ...form, name: '', value: '' });
      setVersion((v) => v + 1);
    });
  const saveEdit = () =>
    attempt(async () => {
      await api(`/api/coupons/${editing!.couponId}`, {
        method: 'PATCH',
        body: JSON.stringify({
          name: editing!.name,
          pointsPrice: editing!.pointsPrice ? Number(editing!.pointsPrice) : null,
        }),
      });
      setEditing(null);
      setVersion((v) => v + 1);
    });
  // Retired, no campaign, flow, segment issue or points purchase gives out its codes; those given stay good.
  const setRetired = (couponId: string, retired: boolean) =>
    attempt(async () => {
      await api(`/api/coupons/${couponId}`, { method: 'PATCH', body: JSON.stringify({ retired }) });
      setVersion((v) => v + 1);
    });
  const issueNow = () =>
    attempt(async () => {
      const r = await api<{ members: number; issued: number }>(`/api/coupons/${issue.couponId}/issue`, {
        method: 'POST',
        body: JSON.stringify({ segmentId: issue.segmentId }),
      });
      setIssued(t('coupons.issuedNow', { issued: r.issued, members: r.members }));
      setVersion((v) => v + 1);
    });
  const describe = (c: Coupon) =>
    (c.kind === 'amount' ? money(c.amountCents ?? 0, shop.currency, lang) : `${c.percent}%`) +
    (c.minSpendCents > 0 ? ` / ${t('coupons.over')} ${money(c.minSpendCents, shop.currency, lang)}` : '');
  return (
    <section className="coupons">
      <h1>{t('coupons.title')}</h1>
      <p className="muted">{t('coupons.help')}</p>
      <table data-testid="coupons">
        <thead>
          <tr>
            <th>{t('coupons.name')}</th>
            <th>{t('coupons.offer')}</th>
            <th>{t('coupons.validity')}</th>
            <th className="num">{t('coupons.pointsPrice')}</th>
            <th className="num">{t('coupons.issued')}</th>
            <th className="num">{t('coupons.redeemed')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(coupons.data?.items ?? []).map((c) =>
            editing?.couponId === c.couponId ? (
              <tr key={c.couponId} data-coupon={c.name}>
                <td colSpan={7}>
                  <form
                    className="inline"
                    data-testid="coupon-edit"
                    onSubmit={(e) => {
                      e.preventDefault();
                      void saveEdit();
                    }}
                  >
                    <label className="inline">
                      {t('coupons.name')}
                      <input
                        required
                        value={editing.name}
                        onChange={(e) => setEditing({ ...editing, name: e.target.value })}
                      />
                    </label>
                    <label className="inline">
                      {t('coupons.pointsPriceField')}
                      <input
                        type="number"
                        min="1"
                        step="1"
                        value={editing.pointsPrice}
                        onChange={(e) => setEditing({ ...editing, pointsPrice: e.target.value })}
                      />
                    </label>
                    <button type="submit" disabled={busy}>
                      {t('coupons.save')}
                    </button>
                    <button type="button" className="link" onClick={() => setEditing(null)}>
                      {t('coupons.cancel')}
                    </button>
                  </form>
                </td>
              </tr>
            ) : (
              <tr key={c.couponId} data-coupon={c.name}>
                <td>
                  {c.name}
                  {c.membersOnly && (
                    <>
                      {' '}
                      <span className="tag" title={t('coupons.membersOnlyHelp')}>
                        {t('coupons.membersOnlyTag')}
                      </span>
                    </>
                  )}
                </td>
                <td>{describe(c)}</td>
                <td>
                  {[
                    c.validUntil ? `${t('coupons.until')} ${date(c.validUntil, shop.timeZone, lang)}` : '',
                    c.validDays ? t('coupons.days', { days: c.validDays }) : '',
                    closedBecause(c) ? t(`coupons.${closedBecause(c)!}`) : '',
                  ]
                    .filter(Boolean)
                    .join(' · ') || '–'}
                </td>
                <td className="num">{c.pointsPrice?.toLocaleString(lang) ?? '–'}</td>
                <td className="num" data-testid="coupon-issued">
                  {c.issued.toLocaleString(lang)}
                </td>
                <td className="num">{c.redeemed.toLocaleString(lang)}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      setEditing({
                        couponId: c.couponId,
                        name: c.name,
                        pointsPrice: String(c.pointsPrice ?? ''),
                      })
                    }
                  >
                    {t('coupons.edit')}
                  </button>{' '}
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    onClick={() => void setRetired(c.couponId, c.retiredAt === null)}
                  >
                    {t(c.retiredAt === null ? 'coupons.retire' : 'coupons.unretire')}
                  </button>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <form
        className="settings"
        data-testid="coupon-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h2>{t('coupons.new')}</h2>
        <label>
          {t('coupons.name')}
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t('coupons.kind')}
          <select
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value as 'amount' | 'percent' })}
          >
            <option value="amount">{t('coupons.amount')}</option>
            <option value="percent">{t('coupons.percent')}</option>
          </select>
        </label>
        <label>
          {form.kind === 'amount'
            ? t('coupons.amountValue', { currency: shop.currency })
            : t('coupons.percentValue')}
          <input
            required
            type="number"
            step={form.kind === 'amount' ? cent : 1}
            min="0"
            value={form.value}
            onChange={(e) => setForm({ ...form, value: e.target.value })}
          />
        </label>
        <label>
          {t('coupons.minSpend', { currency: shop.currency })}
          <input
            type="number"
            step={cent}
            min="0"
            value={form.minSpend}
            onChange={(e) => setForm({ ...form, minSpend: e.target.value })}
          />
        </label>
        <label>
          {t('coupons.validDays')}
          <input
            type="number"
            min="1"
            value={form.validDays}
            onChange={(e) => setForm({ ...form, validDays: e.target.value })}
          />
        </label>
        <label>
          {t('coupons.prefix')}
          <input
            value={form.prefix}
            onChange={(e) => setForm({ ...form, prefix: e.target.value.toUpperCase() })}
          />
        </label>
        <label>
          {t('coupons.pointsPriceField')}
          <input
            type="number"
            min="1"
            step="1"
            value={form.pointsPrice}
            onChange={(e) => setForm({ ...form, pointsPrice: e.target.value })}
          />
        </label>
        <label title={t('coupons.membersOnlyHelp')}>
          <input
            type="checkbox"
            checked={form.membersOnly}
            onChange={(e) => setForm({ ...form, membersOnly: e.target.checked })}
          />{' '}
          {t('coupons.membersOnly')}
        </label>
        <button type="submit" disabled={busy}>
          {t('coupons.create')}
        </button>
      </form>
      <form
        className="settings"
        onSubmit={(e) => {
          e.preventDefault();
          void issueNow();
        }}
      >
        <h2>{t('coupons.issue')}</h2>
        <label>
          {t('coupons.coupon')}
          <select
            required
            value={issue.couponId}
            onChange={(e) => setIssue({ ...issue, couponId: e.target.value })}
          >
            <option value="" />
            {(coupons.data?.items ?? [])
              .filter((c) => !closedBecause(c))
              .map((c) => (
                <option key={c.couponId} value={c.couponId}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          {t('campaigns.audience')}
          <select
            required
            value={issue.segmentId}
            onChange={(e) => setIssue({ ...issue, segmentId: e.target.value })}
          >
            <option value="" />
            {(segments.data?.items ?? []).map((s) => (
              <option key={s.segmentId} value={s.segmentId}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t('coupons.issueNow')}
        </button>
        {issued && <span className="notice">{issued}</span>}
      </form>
      <Problem text={problem} />
    </section>
  );
}
