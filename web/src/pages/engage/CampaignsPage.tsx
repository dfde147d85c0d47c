import { useEffect, useState } from 'react';
import { api, type Shop } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { Campaign } from './types.js';
import { Problem } from '../../Problem.js';
import { CampaignReportPanel } from './CampaignReport.js';
import { CampaignWizard } from './CampaignWizard.js';

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
      {open && <CampaignReportPanel campaignId={open} shop={shop} version={version} />}
      <CampaignWizard onCreated={bump} />
    </section>
  );
}
