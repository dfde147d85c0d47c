// What the customer buys and how (GET /api/customers/{id}/habits): the card staff read before a call or
// before choosing a care message's offer and its time of day.
import { api, type Shop } from '../../api.js';
import { date, money, percent } from '../../format.js';
import { useI18n, type Lang } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';
import { Facts } from './Facts.js';

interface Spending {
  orders: number;
  units: number;
  spendCents: number;
  lastAt: string;
}

interface Habits {
  purchases: number;
  averageOrderCents: number | null;
  discounted: number;
  averageDiscount: number | null;
  usualWeekday: number | null;
  usualDaypart: 'night' | 'morning' | 'afternoon' | 'evening' | null;
  categories: (Spending & { category: string })[];
  brands: (Spending & { brand: string })[];
  products: { title: string; orders: number; units: number; lastAt: string }[];
  stores: { storeId: string; orders: number; lastAt: string }[];
}

/** An ISO weekday (1 Monday) by name in the console's language: 1 January 2024 was a Monday. */
const weekdayName = (isoDay: number, lang: Lang) =>
  new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, 0, isoDay)),
  );

export function HabitsCard({
  shop,
  customerId,
  version,
}: {
  shop: Shop;
  customerId: string;
  version: string;
}) {
  const { t, lang } = useI18n();
  const habits = useLoad(
    () => api<Habits>(`/api/customers/${customerId}/habits`),
    `${customerId}|${version}`,
  );
  const h = habits.data;
  /** A category or a brand: what was spent on it, in how many orders, and when last. */
  const spentOn = (name: string, s: Spending) => ({
    key: name,
    text: t('habits.spentOn', {
      name,
      amount: money(s.spendCents, shop.currency, lang),
      n: s.orders,
      date: date(s.lastAt, shop.timeZone, lang),
    }),
  });
  const usually = ({ usualWeekday: day, usualDaypart: part }: Habits) => {
    const partText = part && t(`habits.daypart.${part}`);
    if (day === null) return partText ?? t('habits.noUsual');
    const dayName = weekdayName(day, lang);
    return partText
      ? t('habits.usuallyDayPart', { day: dayName, part: partText })
      : t('habits.usuallyDay', { day: dayName });
  };
  return (
    <div className="card" data-testid="habits">
      <h2>{t('habits.title')}</h2>
      {h && h.purchases === 0 && <p className="muted">{t('habits.none')}</p>}
      {h && h.purchases > 0 && (
        <>
          <Facts
            facts={[
              [
                'habits.averageOrder',
                t('habits.averageOf', {
                  amount: money(h.averageOrderCents ?? 0, shop.currency, lang),
                  n: h.purchases,
                }),
              ],
              [
                'habits.discounts',
                h.discounted === 0
                  ? t('habits.neverDiscounted')
                  : t(h.averageDiscount === null ? 'habits.discountedCoupon' : 'habits.discounted', {
                      n: h.discounted,
                      of: h.purchases,
                      depth: percent(h.averageDiscount, lang),
                    }),
              ],
              ['habits.usually', usually(h)],
            ]}
          />
          <HabitList
            title={t('habits.categories')}
            testId="habit-categories"
            items={h.categories.map((c) => spentOn(c.category, c))}
          />
          <HabitList
            title={t('habits.brands')}
            testId="habit-brands"
            items={h.brands.map((b) => spentOn(b.brand, b))}
          />
          <HabitList
            title={t('habits.products')}
            testId="habit-products"
            items={h.products.map((p) => ({
              key: p.title,
              text: t('habits.product', {
                title: p.title,
                units: p.units,
                n: p.orders,
                date: date(p.lastAt, shop.timeZone, lang),
              }),
            }))}
          />
          <HabitList
            title={t('habits.stores')}
            testId="habit-stores"
            items={h.stores.map((s) => ({
              key: s.storeId,
              text: t('habits.store', {
                store: s.storeId,
                n: s.orders,
                date: date(s.lastAt, shop.timeZone, lang),
              }),
            }))}
          />
        </>
      )}
    </div>
  );
}

function HabitList({
  title,
  testId,
  items,
}: {
  title: string;
  testId: string;
  items: { key: string; text: string }[];
}) {
  if (items.length === 0) return null;
  return (
    <>
      <h3 className="habits">{title}</h3>
      <ul className="habits" data-testid={testId}>
        {items.map((x) => (
          <li key={x.key}>{x.text}</li>
        ))}
      </ul>
    </>
  );
}
