import { useMemo, useState } from 'react';
import { api, type Shop } from '../../api.js';
import { exponentOf, localToday, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';
import { Chart, type ChartOptions } from './Chart.js';
import type { PromotionWindow } from './types.js';
import { Problem } from '../../Problem.js';

/** A promotion's days against as many days before and after, for new and returning customers. */
export function PromotionReport({ shop, segmentId }: { shop: Shop; segmentId: string }) {
  const { t, lang } = useI18n();
  const year = localToday(shop.timeZone).slice(0, 4);
  const [from, setFrom] = useState(`${year}-11-01`);
  const [to, setTo] = useState(`${year}-11-11`);
  const query = new URLSearchParams({ from, to });
  if (segmentId) query.set('segmentId', segmentId);
  const report = useLoad(
    () => api<{ windows: PromotionWindow[] }>(`/api/analytics/promotion?${query}`),
    query.toString(),
  );
  const cash = (minor: number | null) => (minor === null ? '–' : money(minor, shop.currency, lang));
  const windows = useMemo(() => report.data?.windows ?? [], [report.data]);
  // The chart's axis in the currency's units (a yen has no hundredths).
  const scale = 10 ** exponentOf(shop.currency);
  const chart = useMemo<ChartOptions>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('dash.newSales'), t('dash.returningSales')] },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: windows.map((w) => t(`dash.promo.${w.window}`)) },
      yAxis: { type: 'value' },
      series: [
        {
          name: t('dash.newSales'),
          type: 'bar',
          stack: 's',
          data: windows.map((w) => w.newNetCents / scale),
        },
        {
          name: t('dash.returningSales'),
          type: 'bar',
          stack: 's',
          data: windows.map((w) => w.returningNetCents / scale),
        },
      ],
    }),
    [windows, t, scale],
  );
  return (
    <div className="panel promotion" title={t('dash.def.promotion')}>
      <h2>{t('dash.promotion')}</h2>
      <form className="settings" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('dash.promoFrom')}
          <input name="promoFrom" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('dash.promoTo')}
          <input name="promoTo" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </form>
      <Problem text={report.error} />
      <table data-testid="promotion">
        <thead>
          <tr>
            <th />
            <th>{t('dash.from')}</th>
            <th>{t('dash.to')}</th>
            <th className="num">{t('dash.promo.orders')}</th>
            <th className="num">{t('dash.tile.newCustomers')}</th>
            <th className="num">{t('dash.newSales')}</th>
            <th className="num">{t('dash.returningSales')}</th>
            <th className="num">{t('dash.tile.returningShare')}</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={w.window} data-window={w.window}>
              <th>{t(`dash.promo.${w.window}`)}</th>
              <td className="day">{w.from}</td>
              <td className="day">{w.to}</td>
              <td className="num">{w.orders.toLocaleString(lang)}</td>
              <td className="num">{w.newCustomers.toLocaleString(lang)}</td>
              <td className="num">{cash(w.newNetCents)}</td>
              <td className="num">{cash(w.returningNetCents)}</td>
              <td className="num">{percent(w.returningShare, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Chart options={chart} height={220} testId="promotion-chart" />
    </div>
  );
}
