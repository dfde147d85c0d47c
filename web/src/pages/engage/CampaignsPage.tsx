import { useEffect, useState } from 'react';
import { api, type Shop, type Tier } from '../../api.js';
import { dateTime, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { closedBecause } from './couponTerms.js';
import type { Campaign, CampaignReport, Coupon, Message, Template } from './types.js';
import { Problem } from '../../Problem.js';

interface Segment {
  segmentId: string;
  name: string;
  rule: unknown;
}

/** Campaigns: the list, a wizard (template, audience with its count, holdout, when), and each one's report. */
export function CampaignsPage({ shop }: { shop: Shop }) {
  const { t, lang, label } = useI18n();
  const [version, setVersion] = useState(0);
  const campaigns = useLoad(() => api<{ items: Campaign[] }>('/api/campaigns'), String(version));
  const [open, setOpen] = useState<string | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const bump = () => setVersion((v) => v + 1);
  // A draft (made through the API, or left when its launch failed) is sent or deleted here; a campaign
  // waiting for its time or still sending can be stopped.
  const sendNow = (c: Campaign) =>
    attempt(async () => {
      await api(`/api/campaigns/${c.campaignId}/schedule`, { method: 'POST', body: '{}' });
      bump();
    });
  const cancel = (c: Campaign) =>
    attempt(async () => {
      if (!confirm(t('campaigns.confirmCancel', { name: c.name }))) return;
      await api(`/api/campaigns/${c.campaignId}/cancel`, { method: 'POST', body: '{}' });
      bump();
    });
  const remove = (c: Campaign) =>
    attempt(async () => {
      if (!confirm(t('campaigns.confirmDelete', { name: c.name }))) return;
      await api(`/api/campaigns/${c.campaignId}`, { method: 'DELETE' });
      if (open === c.campaignId) setOpen(null);
      bump();
    });
  // Follow a delivery in progress every 1.5 s; a campaign scheduled for later is looked at again when its
  // time comes, not polled for hours.
  const items = campaigns.data?.items;
  useEffect(() => {
    const list = items ?? [];
    if (list.some((c) => c.status === 'sending')) {
      const timer = setInterval(() => setVersion((v) => v + 1), 1500);
      return () => clearInterval(timer);
    }
    const due = list
      .filter((c) => c.status === 'scheduled' && c.scheduledAt)
      .map((c) => Date.parse(c.scheduledAt!));
    if (due.length === 0) return;
    // setTimeout takes at most 2^31 − 1 ms (about 24 days); a later campaign is looked at again then.
    const wait = Math.min(Math.max(Math.min(...due) - Date.now(), 1500), 2 ** 31 - 1);
    const timer = setTimeout(() => setVersion((v) => v + 1), wait);
    return () => clearTimeout(timer);
  }, [items]);

  return (
    <section className="campaigns">
      <h1>{t('campaigns.title')}</h1>
      <p className="muted">{t('campaigns.help')}</p>
      <table data-testid="campaigns">
        <thead>
          <tr>
            <th>{t('campaigns.name')}</th>
            <th>{t('campaigns.channel')}</th>
            <th>{t('campaigns.status')}</th>
            <th>{t('campaigns.holdout')}</th>
            <th>{t('campaigns.started')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(campaigns.data?.items ?? []).map((c) => (
            <tr key={c.campaignId} data-campaign={c.name}>
              <td>{c.name}</td>
              <td>{t(`channels.${c.channel}`)}</td>
              <td data-testid="campaign-status">{label(`campaign.${c.status}`)}</td>
              <td className="num">{c.holdoutPercent}%</td>
              <td>{dateTime(c.startedAt ?? c.scheduledAt, shop.timeZone, lang)}</td>
              <td>
                {(c.status === 'draft' || c.status === 'scheduled') && (
                  <>
                    <button type="button" className="link" disabled={busy} onClick={() => void sendNow(c)}>
                      {t('campaigns.sendNow')}
                    </button>{' '}
                  </>
                )}
                {c.status === 'draft' && (
                  <>
                    <button
                      type="button"
                      className="link danger"
                      disabled={busy}
                      onClick={() => void remove(c)}
                    >
                      {t('campaigns.delete')}
                    </button>{' '}
                  </>
                )}
                {(c.status === 'scheduled' || c.status === 'sending') && (
                  <>
                    <button
                      type="button"
                      className="link danger"
                      disabled={busy}
                      onClick={() => void cancel(c)}
                    >
                      {t('campaigns.cancel')}
                    </button>{' '}
                  </>
                )}
                <button type="button" className="link" onClick={() => setOpen(c.campaignId)}>
                  {t('campaigns.report')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Problem text={problem} />
      {open && <Report campaignId={open} shop={shop} version={version} />}
      <Wizard onCreated={bump} />
    </section>
  );
}

function Wizard({ onCreated }: { onCreated: () => void }) {
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

function Report({ campaignId, shop, version }: { campaignId: string; shop: Shop; version: number }) {
  const { t, lang, label } = useI18n();
  const report = useLoad(
    () => api<CampaignReport>(`/api/campaigns/${campaignId}/report`),
    `${campaignId}:${version}`,
  );
  const messages = useLoad(
    () => api<{ items: Message[] }>(`/api/messages?campaignId=${campaignId}&limit=20`),
    `${campaignId}:${version}`,
  );
  const r = report.data;
  if (!r) return <p className="loading">{t('common.loading')}</p>;
  const sent = r.messages.sent + r.messages.delivered;
  const row = (k: string, v: string | number, testId?: string) => (
    <div key={k}>
      <dt>{label(k)}</dt>
      <dd data-testid={testId}>{typeof v === 'number' ? v.toLocaleString(lang) : v}</dd>
    </div>
  );
  return (
    <div className="report" data-testid="campaign-report">
      <h2>{t('campaigns.report')}</h2>
      <dl>
        {row('campaigns.r.audience', r.audience)}
        {row('campaigns.r.holdout', r.holdout)}
        {row('campaigns.r.sent', sent, 'report-sent')}
        {row('campaigns.r.delivered', r.messages.delivered)}
        {row('campaigns.r.failed', r.messages.failed)}
        {row('campaigns.r.waiting', r.messages.queued + r.messages.sending)}
        {row('campaigns.r.suppressed', r.messages.suppressed, 'report-suppressed')}
        {row(
          'campaigns.r.opened',
          `${r.opened.toLocaleString(lang)} (${percent(sent ? r.opened / sent : null, lang)})`,
        )}
        {row(
          'campaigns.r.clicked',
          `${r.clicked.toLocaleString(lang)} (${percent(sent ? r.clicked / sent : null, lang)})`,
        )}
        {row('campaigns.r.unsubscribed', r.unsubscribed)}
        {r.coupons.issued > 0 &&
          row(
            'campaigns.r.coupons',
            `${r.coupons.redeemed.toLocaleString(lang)} / ${r.coupons.issued.toLocaleString(lang)} · ${money(r.coupons.revenueCents, shop.currency, lang)}`,
          )}
      </dl>
      {Object.keys(r.suppressedBecause).length > 0 && (
        <p className="muted" data-testid="suppressed-because">
          {Object.entries(r.suppressedBecause)
            .map(([why, n]) => `${label(`suppressed.${why}`, why)}: ${n.toLocaleString(lang)}`)
            .join(' · ')}
        </p>
      )}
      <table className="lift" data-testid="lift">
        <thead>
          <tr>
            <th />
            <th className="num">{t('campaigns.r.customers')}</th>
            <th className="num">{t('campaigns.r.converted')}</th>
            <th className="num">{t('campaigns.r.rate')}</th>
            <th className="num">{t('campaigns.r.revenue')}</th>
          </tr>
        </thead>
        <tbody>
          {(
            [
              ['campaigns.r.recipients', r.recipients],
              ['campaigns.r.control', r.control],
            ] as const
          ).map(([k, g]) => (
            <tr key={k}>
              <th>{label(k)}</th>
              <td className="num">{g.customers.toLocaleString(lang)}</td>
              <td className="num">{g.converted.toLocaleString(lang)}</td>
              <td className="num">{percent(g.conversionRate, lang)}</td>
              <td className="num">{money(g.revenueCents, shop.currency, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="big" title={t('campaigns.liftHelp')}>
        {t('campaigns.lift')}: <span data-testid="lift-value">{percent(r.lift, lang)}</span>
      </p>
      <p title={t('campaigns.wakeUpHelp', { days: r.reactivation.days })} data-testid="wake-up">
        {t('campaigns.wakeUp', {
          reactivated: r.reactivation.recipients.reactivated.toLocaleString(lang),
          dormant: r.reactivation.recipients.dormant.toLocaleString(lang),
          rate: percent(r.reactivation.recipients.rate, lang),
          control: percent(r.reactivation.control.rate, lang),
        })}
      </p>
      <h3>{t('campaigns.messages')}</h3>
      <table data-testid="messages">
        <tbody>
          {(messages.data?.items ?? []).map((m) => (
            <tr key={m.messageId}>
              <td>{m.customerName ?? m.customerId}</td>
              <td>{m.recipient ?? '–'}</td>
              <td>{label(`message.${m.status}`)}</td>
              <td>{m.reason ? label(`suppressed.${m.reason}`, m.reason) : ''}</td>
              <td>{dateTime(m.sentAt, shop.timeZone, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
