// What a case is — its kind, where it came in, the order it is about and a review's stars — as fields,
// for opening a case and for correcting one. Stars are asked only of a review.
import type { Order } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { CASE_CHANNELS, stars, type CaseKind } from './cases.js';
import { KindOptions } from './KindOptions.js';

export interface Facts {
  kind: CaseKind;
  channel: string;
  /** '' for no particular order. */
  orderId: string;
  /** null: a review without stars. */
  rating: number | null;
}

export function CaseFacts({
  facts,
  orders,
  timeZone,
  onChange,
}: {
  facts: Facts;
  orders: Order[];
  timeZone: string;
  onChange: (patch: Partial<Facts>) => void;
}) {
  const { t, label, lang } = useI18n();
  return (
    <>
      <label>
        {t('service.kind')}
        <select value={facts.kind} onChange={(e) => onChange({ kind: e.target.value as CaseKind })}>
          <KindOptions />
        </select>
      </label>
      <label>
        {t('service.channel')}
        <select value={facts.channel} onChange={(e) => onChange({ channel: e.target.value })}>
          {CASE_CHANNELS.map((c) => (
            <option key={c} value={c}>
              {label(`service.channel.${c}`, c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('service.order')}
        <select value={facts.orderId} onChange={(e) => onChange({ orderId: e.target.value })}>
          <option value="">{t('service.noOrder')}</option>
          {orders.map((o) => (
            <option key={o.orderId} value={o.orderId}>
              {o.externalId} · {dateTime(o.orderedAt, timeZone, lang)}
            </option>
          ))}
        </select>
      </label>
      {facts.kind === 'review' && (
        <label>
          {t('service.rating')}
          <select
            value={facts.rating ?? ''}
            onChange={(e) => onChange({ rating: e.target.value ? Number(e.target.value) : null })}
          >
            {[5, 4, 3, 2, 1].map((n) => (
              <option key={n} value={n}>
                {stars(n)}
              </option>
            ))}
            <option value="">{t('service.noStars')}</option>
          </select>
        </label>
      )}
    </>
  );
}
