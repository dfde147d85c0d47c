// A new campaign, step by step: its template, its audience (a segment, with how many it reaches), a coupon
// to hand out, a held-out control group, and when it goes.
import { useEffect, useState } from 'react';
import { api, type Tier } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { closedBecause } from './couponTerms.js';
import type { Campaign, Coupon, Template } from './types.js';
import { Problem } from '../../Problem.js';

interface Segment {
  segmentId: string;
  name: string;
  rule: unknown;
}

export function CampaignWizard({ onCreated }: { onCreated: () => void }) {
  const { t, lang } = useI18n();
  const templates = useLoad(() => api<{ items: Template[] }>('/api/templates'), 'templates');
  const segments = useLoad(() => api<{ items: Segment[] }>('/api/segments'), 'segments');
  const coupons = useLoad(() => api<{ items: Coupon[] }>('/api/coupons'), 'coupons');
  const [couponId, setCouponId] = useState('');
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [holdout, setHoldout] = useState(10);
  const [days, setDays] = useState(7);
  const [when, setWhen] = useState('');
  const [audience, setAudience] = useState<number | null>(null);
  const { problem, busy, attempt } = useAttempt();

  useEffect(() => {
    if (!segmentId) return;
    let live = true;
    api<{ customers: number }>(`/api/segments/${segmentId}/count`).then(
      (r) => live && setAudience(r.customers),
      () => live && setAudience(null),
    );
    return () => {
      live = false;
    };
  }, [segmentId]);

  // A members-only coupon goes to members whose tier grants member-only offers; the others' messages are
  // not sent. How many of the audience that is: the segment's rule and those tiers, counted together.
  const membersOnly = coupons.data?.items.find((c) => c.couponId === couponId)?.membersOnly ?? false;
  const eligibleKey = `${segmentId}:${membersOnly}`;
  const counted = useLoad(async () => {
    if (!segmentId || !membersOnly) return { key: eligibleKey, n: null };
    const [segment, stored] = await Promise.all([
      api<{ rule: unknown }>(`/api/segments/${segmentId}`),
      api<{ program: { tiers: Tier[] } }>('/api/membership/program'),
    ]);
    const tiers = stored.program.tiers.filter((x) => x.benefits.memberOffers).map((x) => x.name);
    if (tiers.length === 0) return { key: eligibleKey, n: 0 };
    const rule = {
      type: 'and',
      rules: [segment.rule, { type: 'field', field: 'tier', op: 'in', value: tiers }],
    };
    const r = await api<{ customers: number }>('/api/segments/count', {
      method: 'POST',
      body: JSON.stringify({ rule }),
    });
    return { key: eligibleKey, n: r.customers };
  }, eligibleKey);
  // Shown only for the segment and coupon it was counted for, not while the next count is on its way.
  const eligible = counted.data?.key === eligibleKey ? counted.data.n : null;

  const create = (sendNow: boolean) =>
    attempt(async () => {
      const c = await api<Campaign>('/api/campaigns', {
        method: 'POST',
        body: JSON.stringify({
          name,
          templateId,
          segmentId,
          holdoutPercent: holdout,
          conversionDays: days,
          couponId: couponId || undefined,
        }),
      });
      if (sendNow || when) {
        await api(`/api/campaigns/${c.campaignId}/schedule`, {
          method: 'POST',
          body: JSON.stringify(when && !sendNow ? { at: new Date(when).toISOString() } : {}),
        });
      }
      setName('');
      onCreated();
    });
  const held = audience === null ? null : Math.round((audience * holdout) / 100);
  return (
    <form
      className="settings wizard"
      data-testid="campaign-wizard"
      onSubmit={(e) => {
        e.preventDefault();
        void create(true);
      }}
    >
      <h2>{t('campaigns.new')}</h2>
      <label>
        {t('campaigns.name')}
        <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('campaigns.template')}
        <select name="template" required value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
          <option value="" />
          {(templates.data?.items ?? []).map((tpl) => (
            <option key={tpl.templateId} value={tpl.templateId}>
              {tpl.name} ({t(`channels.${tpl.channel}`)})
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('campaigns.audience')}
        <select name="segment" required value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
          <option value="" />
          {(segments.data?.items ?? []).map((s) => (
            <option key={s.segmentId} value={s.segmentId}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('campaigns.holdout')}
        <input
          name="holdout"
          type="number"
          min={0}
          max={50}
          step={0.1}
          value={holdout}
          onChange={(e) => setHoldout(Number(e.target.value))}
        />
      </label>
      <label>
        {t('campaigns.conversionDays')}
        <input
          name="days"
          type="number"
          min={1}
          max={90}
          value={days}
          onChange={(e) => setDays(Number(e.target.value))}
        />
      </label>
      <label>
        {t('campaigns.coupon')}
        <select name="coupon" value={couponId} onChange={(e) => setCouponId(e.target.value)}>
          <option value="">{t('campaigns.noCoupon')}</option>
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
        {t('campaigns.when')}
        <input name="when" type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
      </label>
      {audience !== null && (
        <p className="count" data-testid="campaign-audience">
          {t('campaigns.audienceCount', {
            count: audience.toLocaleString(lang),
            held: (held ?? 0).toLocaleString(lang),
          })}
          {eligible !== null && (
            <span data-testid="campaign-eligible">
              {' '}
              {t('campaigns.membersOnlyCount', { n: eligible.toLocaleString(lang) })}
            </span>
          )}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {t('campaigns.sendNow')}
        </button>
        <button type="button" disabled={busy || !when} onClick={() => void create(false)}>
          {t('campaigns.schedule')}
        </button>
      </div>
      <Problem text={problem} />
    </form>
  );
}
