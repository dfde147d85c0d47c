import { useState } from 'react';
import { api, type Customer, type Shop } from '../../api.js';
import { date, money, percent } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';

interface Cycle {
  category: string;
  cycleDays: number;
  nextPurchaseAt: string;
}

/** What the purchase models expect of this customer, and when each kind of product is due again. */
export function PredictionCard({ shop, customer: c }: { shop: Shop; customer: Customer }) {
  const { t, label, lang } = useI18n();
  const [openedAt] = useState(() => Date.now());
  const cycles = useLoad(
    () => api<{ items: Cycle[] }>(`/api/customers/${c.customerId}/cycles`),
    `${c.customerId}|${c.predictedAt}`,
  );
  const rfm: [string, string][] =
    c.rfmSegment === null
      ? []
      : [
          [
            t('rfm.title'),
            `R${c.rfmR} F${c.rfmF} M${c.rfmM} · ${label(`rfm.segment.${c.rfmSegment}`, c.rfmSegment)}`,
          ],
        ];
  if (c.predictedAt === null || c.pAlive === null) {
    return (
      <div className="card" data-testid="predictions">
        <h2>{t('predict.title')}</h2>
        <Facts facts={rfm} />
        <p className="muted">{t('predict.none')}</p>
      </div>
    );
  }
  // A due date already passed is what a care message is for: it reads as overdue, not as coming.
  const overdue = (iso: string) => Date.parse(iso) < openedAt;
  const next = c.nextPurchaseAt;
  const facts: [string, string][] = [
    ...rfm,
    // One decimal, so that a risk of 99.7 % does not read as a certain 100 %.
    [t('predict.churnRisk'), percent(1 - c.pAlive, lang)],
    [t('predict.orders12m'), (c.expectedOrders12m ?? 0).toFixed(1)],
    [t('predict.value12m'), money(c.predictedValueCents ?? 0, shop.currency, lang)],
    [
      t('predict.cycle'),
      c.purchaseCycleDays === null ? '—' : t('predict.days', { n: Math.round(c.purchaseCycleDays) }),
    ],
    [
      t('predict.next'),
      next !== null && overdue(next)
        ? t('predict.overdueSince', { date: date(next, shop.timeZone, lang) })
        : date(next, shop.timeZone, lang),
    ],
  ];
  return (
    <div className="card" data-testid="predictions">
      <h2>{t('predict.title')}</h2>
      <Facts facts={facts} />
      {cycles.data && cycles.data.items.length > 0 && (
        <ul className="expiring">
          {cycles.data.items.map((x) => (
            <li key={x.category}>
              {t(overdue(x.nextPurchaseAt) ? 'predict.categoryOverdue' : 'predict.categoryDue', {
                category: x.category,
                n: Math.round(x.cycleDays),
                date: date(x.nextPurchaseAt, shop.timeZone, lang),
              })}
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{t('predict.asOf', { date: date(c.predictedAt, shop.timeZone, lang) })}</p>
    </div>
  );
}

function Facts({ facts }: { facts: [string, string][] }) {
  return (
    <dl>
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
