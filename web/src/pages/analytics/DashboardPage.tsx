import { useMemo, useState } from 'react';
import { api, type Shop } from '../../api.js';
import { exponentOf, figure, fixedFigure, localToday, money, percent } from '../../format.js';
import { useI18n, type Key } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';
import { AcquisitionSpend } from './AcquisitionSpend.js';
import { Chart, type ChartOptions } from './Chart.js';
import { Engagement } from './Engagement.js';
import { LineSalesTable } from './LineSales.js';
import { PromotionReport } from './PromotionReport.js';
import { RfmPanel } from './RfmPanel.js';
import { ServicePanel } from './ServicePanel.js';
import { TierMoves } from './TierMoves.js';
import type { Dashboard } from './types.js';
import { Problem } from '../../Problem.js';

const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The measures: a period and an audience, the figures as tiles with their definitions, charts and tables. */
export function DashboardPage({ shop }: { shop: Shop }) {
  const { t, lang } = useI18n();
  const today = localToday(shop.timeZone);
  const [from, setFrom] = useState(shift(today, -29));
  const [to, setTo] = useState(today);
  const [segmentId, setSegmentId] = useState('');
  const [dormantDays, setDormantDays] = useState(180);
  const segments = useLoad(
    () => api<{ items: { segmentId: string; name: string }[] }>('/api/segments'),
    'segments',
  );
  const query = new URLSearchParams({ from, to, dormantDays: String(dormantDays) });
  if (segmentId) query.set('segmentId', segmentId);
  const dash = useLoad(() => api<Dashboard>(`/api/analytics/dashboard?${query}`), query.toString());
  const pct = (x: number | null) => percent(x, lang);
  const cash = (minor: number | null) => (minor === null ? '–' : money(minor, shop.currency, lang));
  const ranges: [string, string, string][] = [
    ['dash.range.30', shift(today, -29), today],
    ['dash.range.90', shift(today, -89), today],
    ['dash.range.month', `${today.slice(0, 8)}01`, today],
    ['dash.range.year', shift(today, -364), today],
    ['dash.range.double11', `${today.slice(0, 4)}-11-01`, `${today.slice(0, 4)}-11-13`],
  ];

  return (
    <section className="dashboard">
      <h1>{t('dash.title')}</h1>
      <form className="settings period" data-testid="period" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('dash.from')}
          <input name="from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('dash.to')}
          <input name="to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('dash.audience')}
          <select name="segment" value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
            <option value="">{t('dash.allCustomers')}</option>
            {(segments.data?.items ?? []).map((s) => (
              <option key={s.segmentId} value={s.segmentId}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label title={t('dash.def.dormantDays')}>
          {t('dash.dormantDays')}
          <input
            name="dormantDays"
            type="number"
            min={30}
            max={1095}
            value={dormantDays}
            onChange={(e) => setDormantDays(Number(e.target.value))}
          />
        </label>
        <span className="presets">
          {ranges.map(([key, f, l]) => (
            <button
              key={key}
              type="button"
              className="chip"
              onClick={() => {
                setFrom(f);
                setTo(l);
              }}
            >
              {t(key as Key)}
            </button>
          ))}
        </span>
        <span className="actions">
          <a href={`/api/analytics/dashboard/export?${query}&format=csv`}>{t('dash.exportCsv')}</a>{' '}
          <a href={`/api/analytics/dashboard/export?${query}&format=xlsx`}>{t('dash.exportXlsx')}</a>
        </span>
      </form>
      <Problem text={dash.error} />
      {!dash.data ? (
        <p className="loading">{t('common.loading')}</p>
      ) : (
        <Figures
          d={dash.data}
          currency={shop.currency}
          pct={pct}
          cash={cash}
          onSpend={dash.reload}
          query={query.toString()}
        />
      )}
      <PromotionReport shop={shop} segmentId={segmentId} />
    </section>
  );
}

function Tile({ name, value, detail }: { name: string; value: string; detail?: string }) {
  const { t } = useI18n();
  return (
    <div className="tile" data-tile={name} title={t(`dash.def.${name}` as Key)}>
      <span className="tile-name">
        {t(`dash.tile.${name}` as Key)}{' '}
        <span className="info" aria-hidden="true">
          i
        </span>
      </span>
      <strong data-testid={`tile-${name}`}>{value}</strong>
      {detail && <span className="muted">{detail}</span>}
    </div>
  );
}

function Figures({
  d,
  currency,
  pct,
  cash,
  onSpend,
  query,
}: {
  d: Dashboard;
  currency: string;
  pct: (x: number | null) => string;
  cash: (minor: number | null) => string;
  onSpend: () => void;
  query: string;
}) {
  const { t, lang } = useI18n();
  const s = d.sales;
  const num = (n: number | null, digits = 0) => figure(n, lang, digits);
  // The chart's axis in the currency's units (a yen has no hundredths).
  const scale = 10 ** exponentOf(currency);
  const salesChart = useMemo<ChartOptions>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('dash.newSales'), t('dash.returningSales')] },
      grid: { left: 70, right: 20, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.series.map((p) => p.bucket) },
      yAxis: { type: 'value' },
      series: [
        {
          name: t('dash.newSales'),
          type: 'bar',
          stack: 'sales',
          data: d.series.map((p) => p.newNetCents / scale),
        },
        {
          name: t('dash.returningSales'),
          type: 'bar',
          stack: 'sales',
          data: d.series.map((p) => p.returningNetCents / scale),
        },
      ],
    }),
    [d, t, scale],
  );
  const longest = Math.max(1, ...d.cohorts.map((c) => c.active.length));
  const cohortChart = useMemo<ChartOptions>(
    () => ({
      tooltip: { formatter: (p: { value: [number, number, number] }) => `${(p.value[2] * 100).toFixed(1)}%` },
      grid: { left: 70, right: 20, top: 10, bottom: 60 },
      xAxis: { type: 'category', data: Array.from({ length: longest }, (_, k) => `+${k}`) },
      yAxis: { type: 'category', data: d.cohorts.map((c) => c.month), inverse: true },
      visualMap: { min: 0, max: 1, orient: 'horizontal', left: 'center', bottom: 0, calculable: false },
      series: [
        {
          type: 'heatmap',
          data: d.cohorts.flatMap((c, y) =>
            c.active.map((n, k) => [k, y, c.customers > 0 ? Math.round((n / c.customers) * 1000) / 1000 : 0]),
          ),
          label: { show: true, formatter: (p: { value: number[] }) => `${Math.round(p.value[2]! * 100)}%` },
        },
      ],
    }),
    [d, longest],
  );
  const tierChart = useMemo<ChartOptions>(
    () => ({
      tooltip: {},
      grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: d.tiers.map((x) => x.name) },
      series: [{ type: 'bar', data: d.tiers.map((x) => x.customers) }],
    }),
    [d],
  );
  return (
    <>
      <div className="tiles" data-testid="tiles">
        <Tile name="netSales" value={cash(s.netCents)} detail={`${num(s.orders)} ${t('dash.orders')}`} />
        <Tile
          name="returningShare"
          value={pct(s.returningShare)}
          detail={`${cash(s.returningNetCents)} · ${num(s.returningCustomers)} ${t('dash.customers')}`}
        />
        <Tile name="newCustomers" value={num(s.newCustomers)} detail={cash(s.newNetCents)} />
        <Tile
          name="returningConversion"
          value={pct(s.returningConversion)}
          detail={`${num(s.previousBuyers)} ${t('dash.previousBuyers')}`}
        />
        <Tile
          name="repurchaseRate"
          value={pct(s.repurchaseRate)}
          detail={`${num(s.repeatCustomers)} / ${num(s.customers)}`}
        />
        <Tile
          name="daysToSecond"
          value={num(s.medianDaysToSecondOrder, 1)}
          detail={t('dash.secondBuyers', { count: num(s.secondOrders) })}
        />
        <Tile
          name="aov"
          value={cash(s.aovCents)}
          detail={`${fixedFigure(s.frequency, lang, 2)} ${t('dash.perCustomer')}`}
        />
        <Tile
          name="refundRate"
          value={pct(s.refundOrderRate)}
          detail={`${pct(s.refundAmountRate)} ${t('dash.ofSales')}`}
        />
        <Tile
          name="discountShare"
          value={pct(s.discountOrderShare)}
          detail={`${pct(s.discountRevenueShare)} ${t('dash.ofSales')}`}
        />
        <Tile
          name="reactivation"
          value={pct(d.dormancy.rate)}
          detail={`${num(d.dormancy.reactivated)} / ${num(d.dormancy.dormant)}`}
        />
        <Tile
          name="churn"
          value={pct(d.dormancy.churnRate)}
          detail={`${num(d.dormancy.churned)} / ${num(d.dormancy.buyers)}`}
        />
        <Tile name="cac" value={cash(d.acquisition.cacCents)} detail={`${cash(d.acquisition.spendCents)}`} />
        <Tile
          name="pointsOutstanding"
          value={num(d.points.outstanding)}
          detail={`≈ ${cash(d.points.outstandingValueCents)} · ${num(d.points.members)} ${t('dash.members')}`}
        />
      </div>
      <div className="panels">
        <div className="panel" title={t('dash.def.sales')}>
          <h2>{t('dash.salesChart')}</h2>
          <Chart options={salesChart} testId="sales-chart" />
        </div>
        <div className="panel" title={t('dash.def.cohorts')}>
          <h2>{t('dash.cohorts')}</h2>
          <Chart
            options={cohortChart}
            height={Math.max(160, 40 + d.cohorts.length * 28)}
            testId="cohort-chart"
          />
        </div>
        <div className="panel" title={t('dash.def.tiers')}>
          <h2>{t('dash.tiers')}</h2>
          <Chart options={tierChart} height={200} testId="tier-chart" />
          <TierMoves query={query} tiers={d.tiers.map((x) => x.name)} />
          <dl className="points" title={t('dash.def.points')}>
            {(['earned', 'added', 'redeemed', 'expired', 'reversed', 'deducted'] as const).map((k) => (
              <div key={k}>
                <dt>{t(`dash.points.${k}`)}</dt>
                <dd>{num(d.points[k])}</dd>
              </div>
            ))}
          </dl>
        </div>
        <RfmPanel cells={d.rfm} cash={cash} />
        <ServicePanel figures={d.service} pct={pct} />
      </div>
      <LineSalesTable query={query} cash={cash} />
      <Engagement items={d.engagement} cash={cash} pct={pct} />
      <AcquisitionSpend months={d.acquisition.months} currency={currency} cash={cash} onSaved={onSpend} />
    </>
  );
}
