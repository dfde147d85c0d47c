import { useState, type FormEvent } from 'react';
import { api, type Customer, type Shop, type StoredProgram } from '../api.js';
import { customerName, dateTime, money, formatPhone } from '../format.js';
import { useI18n } from '../i18n.js';
import { href } from '../route.js';
import { useLoad } from '../useLoad.js';
import { AddCustomer } from './customer/AddCustomer.js';

const PAGE = 50;

export function CustomersPage({
  shop,
  access,
  q,
  offset,
}: {
  shop: Shop;
  access: string[];
  q: string;
  offset: number;
}) {
  const { t, lang } = useI18n();
  const [text, setText] = useState(q);
  const { data, error } = useLoad(
    () =>
      api<{ items: Customer[]; hasMore: boolean }>(
        `/api/customers?${new URLSearchParams({ q, offset: String(offset), limit: String(PAGE) })}`,
      ),
    `${q}|${offset}`,
  );
  // The tier names, for the tier each row holds by rank.
  const program = useLoad(() => api<StoredProgram>('/api/membership/program'), 'program');
  const tiers = program.data?.program.tiers ?? [];
  const search = (e: FormEvent) => {
    e.preventDefault();
    location.hash = href({ page: 'customers', q: text.trim(), offset: 0 });
  };
  return (
    <section>
      <h1>{t('customers.title')}</h1>
      <form className="search" onSubmit={search} role="search">
        <input
          name="q"
          type="search"
          placeholder={t('customers.search')}
          aria-label={t('customers.search')}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {access.includes('operate') && <AddCustomer />}
      {error && <p className="error">{t('common.error', { message: error })}</p>}
      {!data && !error && <p className="loading">{t('common.loading')}</p>}
      {data && data.items.length === 0 && <p>{t('customers.empty')}</p>}
      {data && data.items.length > 0 && (
        <table className="customers">
          <thead>
            <tr>
              <th>{t('customers.name')}</th>
              <th>{t('customers.phone')}</th>
              <th>{t('customers.email')}</th>
              <th>{t('customers.tier')}</th>
              <th className="num">{t('customers.points')}</th>
              <th className="num">{t('customers.orders')}</th>
              <th className="num">{t('customers.spend')}</th>
              <th>{t('customers.lastOrder')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((c) => (
              <tr key={c.customerId}>
                <td>
                  <a href={href({ page: 'customer', id: c.customerId })}>{customerName(c, t)}</a>
                </td>
                <td>{c.phone ? formatPhone(c.phone, shop.phoneRegion) : ''}</td>
                <td>{c.email ?? ''}</td>
                <td>{tiers[Math.min(c.tierRank, tiers.length - 1)]?.name ?? ''}</td>
                <td className="num">{c.pointsBalance}</td>
                <td className="num">{c.orderCount}</td>
                <td className="num">{money(c.spendCents, shop.currency, lang)}</td>
                <td>{dateTime(c.lastOrderAt, shop.timeZone, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        {offset > 0 && (
          <a href={href({ page: 'customers', q, offset: Math.max(0, offset - PAGE) })}>{t('page.prev')}</a>
        )}
        {data?.hasMore && (
          <a href={href({ page: 'customers', q, offset: offset + PAGE })}>{t('page.next')}</a>
        )}
      </div>
    </section>
  );
}
