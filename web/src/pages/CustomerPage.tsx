import { api, type Customer, type Identity, type Order, type Shop, type TimelineEvent } from '../api.js';
import { customerName, date, dateTime, money, pointsKindKey } from '../format.js';
import { useI18n, type Key, type Lang } from '../i18n.js';
import { useLoad } from '../useLoad.js';
import { ConsentCard } from './customer/ConsentCard.js';
import { CouponsCard } from './customer/CouponsCard.js';
import { PersonalDataCard } from './customer/PersonalDataCard.js';
import { Facts } from './customer/Facts.js';
import { FIELD_LABELS, FundamentalsCard, fieldText } from './customer/FundamentalsCard.js';
import { HabitsCard } from './customer/HabitsCard.js';
import { MergeCard } from './customer/MergeCard.js';
import { NotesCard } from './customer/NotesCard.js';
import { PredictionCard } from './customer/PredictionCard.js';
import { RecordOrderCard } from './customer/RecordOrderCard.js';
import { RefundForm } from './customer/RefundForm.js';
import { ServiceCard } from './customer/ServiceCard.js';
import { TagsCard } from './customer/TagsCard.js';
import { MemberPanel } from './membership/MemberPanel.js';
import { ledgerNote } from './membership/ledgerNote.js';
import { stars } from './service/cases.js';

interface Profile {
  customer: Customer & { identities: Identity[] };
  orders: Order[];
  timeline: TimelineEvent[];
}

export function CustomerPage({
  shop,
  access,
  staffId,
  id,
}: {
  shop: Shop;
  access: string[];
  /** The signed-in staff member. */
  staffId: string;
  id: string;
}) {
  const { t, label, lang } = useI18n();
  const { data, error, reload } = useLoad(async (): Promise<Profile> => {
    const base = `/api/customers/${encodeURIComponent(id)}`;
    const [customer, orders, timeline] = await Promise.all([
      api<Profile['customer']>(base),
      api<{ items: Order[] }>(`${base}/orders?limit=100`),
      api<{ items: TimelineEvent[] }>(`${base}/timeline?limit=100`),
    ]);
    return { customer, orders: orders.items, timeline: timeline.items };
  }, id);

  if (error) return <p className="error">{t('common.error', { message: error })}</p>;
  if (!data) return <p className="loading">{t('common.loading')}</p>;
  const c = data.customer;
  const stats: [Key, string][] = [
    ['profile.orderCount', String(c.orderCount)],
    ['profile.onlineOffline', `${c.onlineOrderCount} / ${c.offlineOrderCount}`],
    ['profile.spend', money(c.spendCents, shop.currency, lang)],
    ['profile.refunded', money(c.refundedCents, shop.currency, lang)],
    ['profile.firstOrder', date(c.firstOrderAt, shop.timeZone, lang)],
    ['profile.lastOrder', date(c.lastOrderAt, shop.timeZone, lang)],
  ];
  return (
    <section className="profile">
      <a href="#/customers">← {t('profile.back')}</a>
      <h1 data-testid="customer-name">{customerName(c, t)}</h1>
      {c.erasedAt && (
        <p className="notice" data-testid="erased">
          {t('erase.done', { date: date(c.erasedAt, shop.timeZone, lang) })}
        </p>
      )}
      <div className="cards">
        <FundamentalsCard shop={shop} customer={c} onSaved={reload} />
        <div className="card">
          <h2>{t('profile.stats')}</h2>
          <Facts facts={stats} testId="stats" />
        </div>
        <PredictionCard shop={shop} customer={c} />
        <HabitsCard
          shop={shop}
          customerId={c.customerId}
          // An order recorded or refunded here moves these figures: the card reads again.
          version={`${c.orderCount}|${c.spendCents}|${c.refundedCents}`}
        />
        <NotesCard
          customerId={c.customerId}
          staffId={staffId}
          access={access}
          writable={!c.erasedAt}
          timeZone={shop.timeZone}
          onChanged={reload}
        />
        <ServiceCard
          customerId={c.customerId}
          orders={data.orders}
          access={access}
          writable={!c.erasedAt}
          timeZone={shop.timeZone}
          onChanged={reload}
        />
        <TagsCard customerId={c.customerId} onChanged={reload} />
        <ConsentCard customerId={c.customerId} timeZone={shop.timeZone} />
        <CouponsCard customerId={c.customerId} pointsBalance={c.pointsBalance} timeZone={shop.timeZone} />
        <div className="card">
          <h2>{t('profile.identities')}</h2>
          <ul className="identities">
            {c.identities.map((i) => (
              <li key={`${i.kind}:${i.value}`}>
                <span className="tag">{label(`identity.${i.kind}`)}</span>{' '}
                {fieldText(i.kind, i.value, shop.phoneRegion, label)} <small>{i.source}</small>
              </li>
            ))}
          </ul>
        </div>
        {!c.erasedAt && access.includes('operate') && (
          <RecordOrderCard shop={shop} customer={c} onRecorded={reload} />
        )}
        {!c.erasedAt && <MergeCard shop={shop} customer={c} onMerged={reload} />}
        {!c.erasedAt && access.includes('administer') && (
          <PersonalDataCard customerId={c.customerId} onErased={reload} />
        )}
      </div>
      <MemberPanel shop={shop} customer={c} onChanged={reload} />
      <h2>{t('profile.orders')}</h2>
      {data.orders.length === 0 ? (
        <p>{t('profile.noOrders')}</p>
      ) : (
        <table className="orders">
          <thead>
            <tr>
              <th>{t('order.date')}</th>
              <th>{t('order.id')}</th>
              <th>{t('order.channel')}</th>
              <th>{t('order.status')}</th>
              <th className="num">{t('order.total')}</th>
              <th>{t('order.items')}</th>
              {access.includes('operate') && <th />}
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.orderId}>
                <td>{dateTime(o.orderedAt, shop.timeZone, lang)}</td>
                <td>{o.externalId}</td>
                <td>
                  {label(`channel.${o.channel}`)}
                  {o.storeId ? ` · ${o.storeId}` : ''}
                </td>
                <td>{label(`status.${o.status}`)}</td>
                <td className="num">{money(o.totalCents, o.currency, lang)}</td>
                <td>
                  {o.items
                    .map(
                      (i) =>
                        `${i.title} ×${i.quantity}${i.refundedQuantity > 0 ? ` (${t('order.returnedUnits', { n: i.refundedQuantity })})` : ''}`,
                    )
                    .join('，')}
                </td>
                {access.includes('operate') && (
                  <td>
                    <RefundForm order={o} onRefunded={reload} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{t('profile.timeline')}</h2>
      <ol className="timeline">
        {data.timeline.map((e) => (
          <li key={`${e.type}:${e.eventId}`}>
            <time>{dateTime(e.occurredAt, shop.timeZone, lang)}</time>{' '}
            <strong>
              {label(
                e.type.startsWith('points.')
                  ? pointsKindKey(e.type.slice('points.'.length), Number(e.data.points))
                  : `event.${e.type}`,
              )}
            </strong>{' '}
            <small>{e.source}</small> {describe(e, shop, lang, label)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function describe(e: TimelineEvent, shop: Shop, lang: Lang, label: (k: string) => string): string {
  const d = e.data;
  if (e.type === 'order.placed') {
    return `${String(d.externalId)} · ${money(Number(d.totalCents), String(d.currency ?? shop.currency), lang)} · ${label(`status.${String(d.status)}`)}`;
  }
  if (e.type === 'order.updated') {
    const from = d.from as { status: string };
    const to = d.to as { status: string };
    const returns = (d.returns as { title: string; to: number }[] | undefined) ?? [];
    const lines = returns.map((r) => `${r.title} ×${r.to}`).join('，');
    return `${String(d.externalId)}: ${label(`status.${from.status}`)} → ${label(`status.${to.status}`)}${lines ? ` · ${label('order.returns')} ${lines}` : ''}`;
  }
  if (e.type === 'identity.added') {
    return (d.identities as { kind: string; value: string }[])
      .map((i) => `${label(`identity.${i.kind}`)} ${fieldText(i.kind, i.value, shop.phoneRegion, label)}`)
      .join(', ');
  }
  if (e.type === 'profile.updated') {
    return Object.entries(d)
      .filter(([f]) => f !== 'staffId')
      .map(
        ([f, v]) =>
          `${f in FIELD_LABELS ? label(FIELD_LABELS[f]!) : f}: ${v === null ? '—' : fieldText(f, String(v), shop.phoneRegion, label)}`,
      )
      .join(', ');
  }
  // Merges by the matcher need no reason; those by hand, and erasures, say why.
  if (e.type === 'customer.merged' || e.type === 'customer.erased') return d.reason ? String(d.reason) : '';
  if (e.type === 'tier.changed') {
    const why = d.reason ? ` · ${String(d.reason)}` : '';
    return `${String(d.fromName ?? '')} → ${String(d.toName)} (${label(`cause.${String(d.cause)}`)})${why}`;
  }
  if (e.type === 'tier.grace_started') return `→ ${date(String(d.graceUntil), shop.timeZone, lang)}`;
  // A binding says how its code reached the member (bindings before that was recorded say nothing).
  if (e.type === 'card.bound')
    return `${String(d.memberCard)} · ${fieldText('phone', String(d.phone), shop.phoneRegion, label)}${d.codeDelivery ? ` · ${label(`cards.delivery.${String(d.codeDelivery)}`)}` : ''}`;
  if (e.type === 'card.unbound') return `${String(d.memberCard)} · ${String(d.reason)}`;
  if (e.type === 'tag.added' || e.type === 'tag.removed') return String(d.tag);
  if (e.type === 'note.added') {
    const body = String(d.body);
    return `${String(d.author)}: ${body.length > 140 ? `${body.slice(0, 140)}…` : body}`;
  }
  if (e.type === 'service.opened') {
    const rating = d.rating === null ? '' : ` ${stars(Number(d.rating))}`;
    return `${label(`service.kind.${String(d.kind)}`)} · ${String(d.subject)}${rating} · ${String(d.by)}`;
  }
  if (e.type === 'service.resolved' || e.type === 'service.reopened') {
    const what = d.resolution ? `: ${String(d.resolution)}` : '';
    return `${label(`service.kind.${String(d.kind)}`)} · ${String(d.subject)} · ${String(d.by)}${what}`;
  }
  if (e.type === 'flow.entered') {
    const why = d.holdout
      ? label('flows.r.holdout')
      : String(d.exitReason ?? label(`flows.enrollment.${String(d.status)}`));
    return `${String(d.flow)} · ${why}`;
  }
  if (e.type.startsWith('points.')) {
    const points = Number(d.points);
    return `${points > 0 ? '+' : ''}${points} · ${ledgerNote(d, shop.currency, lang, label)}`;
  }
  return '';
}
