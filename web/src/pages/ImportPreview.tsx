// Before an import: which column of the file feeds each field (chosen here, overriding the format), and
// how the first orders, people or tickets read with that choice, row errors included
// (POST /api/imports/preview).
import { Fragment, useState } from 'react';
import type { ImportPreview, Shop } from '../api.js';
import { dateTime, money } from '../format.js';
import { isKey, useI18n } from '../i18n.js';
import { stars } from './service/cases.js';

/** Field → where it comes from: a header, a position ('#3'), a fixed value ('=paid') or '#row'. */
export type Mapping = Record<string, string>;

/** How a row finds its person: without one of them every row is refused, so they are always shown. */
const IDENTITY_FIELDS = ['customer_id', 'phone', 'email', 'member_card'];
const FIXED = '=';

/** The mapping as the API takes it: fixed values still empty are left out until typed. */
export const mappingToSend = (m: Mapping): Mapping =>
  Object.fromEntries(Object.entries(m).filter(([, v]) => v !== FIXED));

/** A file whose columns go by position has no header row: its first row is data. */
const positional = (header: string[]) => header.length > 0 && header.every((h, i) => h === `#${i + 1}`);

export function ColumnMapping({
  preview,
  mapping,
  onChange,
}: {
  preview: ImportPreview;
  mapping: Mapping;
  onChange: (m: Mapping) => void;
}) {
  const { t } = useI18n();
  const [all, setAll] = useState(false);
  const headerless = positional(preview.header) || Object.values(mapping).some((v) => /^#\d+$/.test(v));
  // Without a header row the choices are positions, each shown with its first cell; else the headers.
  const examples = positional(preview.header) ? preview.firstRow : preview.header;
  const columns = headerless
    ? examples.map((cell, i) => ({ value: `#${i + 1}`, label: `#${i + 1} (${cell})` }))
    : preview.header.map((h, i) => ({
        value: h,
        label: preview.firstRow[i] ? `${h} (${preview.firstRow[i]})` : h,
      }));
  const shown = preview.fields.filter(
    (f) =>
      all ||
      f.required ||
      IDENTITY_FIELDS.includes(f.field) ||
      f.columns.length > 0 ||
      mapping[f.field] !== undefined,
  );
  const set = (field: string, value: string) => {
    const next = { ...mapping };
    if (value === '') delete next[field];
    else next[field] = value;
    onChange(next);
  };
  const setHeaderless = (on: boolean) => {
    // Headers and positions cannot mix: a switch keeps only the fixed values.
    const kept = Object.fromEntries(
      Object.entries(mapping).filter(([, v]) => v.startsWith(FIXED) || v === '#row'),
    );
    // A position says the file has no header: the first field this kind of file needs takes column 1.
    const open = preview.fields.filter((f) => !(f.field in kept));
    const first = (open.find((f) => f.required) ?? open[0])?.field;
    onChange(on && first ? { ...kept, [first]: '#1' } : kept);
  };
  return (
    <div className="column-mapping" data-testid="column-mapping">
      <h2>{t('imports.columns')}</h2>
      <p className="muted">{t('imports.columnsHint')}</p>
      <label className="inline">
        <input type="checkbox" checked={headerless} onChange={(e) => setHeaderless(e.target.checked)} />
        {t('imports.headerless')}
      </label>
      <table>
        <thead>
          <tr>
            <th>{t('imports.field')}</th>
            <th>{t('imports.readFrom')}</th>
            <th>{t('imports.nowRead')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((f) => {
            const chosen = mapping[f.field] ?? '';
            const fixed = chosen.startsWith(FIXED);
            const label = `field.${f.field}`;
            return (
              <tr key={f.field} data-field={f.field}>
                <td>
                  {isKey(label) ? t(label) : f.field} <code>{f.field}</code>
                  {f.required && <span className="required"> *</span>}
                </td>
                <td>
                  <select
                    aria-label={f.field}
                    value={fixed ? FIXED : chosen}
                    onChange={(e) => set(f.field, e.target.value)}
                  >
                    <option value="">
                      {f.preset.length > 0 && !headerless
                        ? t('imports.preset', { columns: f.preset.join(' / ') })
                        : t('imports.notRead')}
                    </option>
                    {columns.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                    {f.field === 'order_id' && <option value="#row">{t('imports.rowNumber')}</option>}
                    <option value={FIXED}>{t('imports.fixed')}</option>
                  </select>
                  {fixed && (
                    <input
                      aria-label={t('imports.fixedValue', { field: f.field })}
                      value={chosen.slice(1)}
                      onChange={(e) => set(f.field, FIXED + e.target.value)}
                    />
                  )}
                </td>
                <td className={f.required && f.columns.length === 0 ? 'error' : ''}>
                  {f.columns.length > 0 ? f.columns.join(' / ') : t('imports.missing')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="link" onClick={() => setAll(!all)}>
        {all ? t('imports.fewerFields') : t('imports.allFields')}
      </button>
    </div>
  );
}

const HEADINGS = {
  orders: 'imports.previewOrders',
  customers: 'imports.previewPeople',
  cases: 'imports.previewTickets',
} as const;

export function PreviewRows({ preview, shop }: { preview: ImportPreview; shop: Shop }) {
  const { t, lang } = useI18n();
  const rows = (r: number[]) => (r.length > 1 ? `${r[0]}–${r[r.length - 1]}` : String(r[0]));
  const problems = preview.items.reduce((n, i) => n + (i.errors.length > 0 ? 1 : 0), 0);
  return (
    <div className="import-preview" data-testid="import-preview">
      <h2>{t(HEADINGS[preview.kind])}</h2>
      <p className="muted">
        {t('imports.previewSummary', { n: preview.items.length, problems })}{' '}
        {preview.complete ? t('imports.previewWhole') : t('imports.previewMore')}
      </p>
      {preview.unreadable && <p className="error">{preview.unreadable}</p>}
      <table>
        <thead>
          {preview.kind === 'orders' ? (
            <tr>
              <th>{t('imports.row')}</th>
              <th>{t('imports.order')}</th>
              <th>{t('imports.orderedAt')}</th>
              <th>{t('imports.status')}</th>
              <th className="num">{t('imports.total')}</th>
              <th>{t('imports.buyer')}</th>
              <th>{t('imports.lines')}</th>
            </tr>
          ) : preview.kind === 'cases' ? (
            <tr>
              <th>{t('imports.row')}</th>
              <th>{t('imports.ticket')}</th>
              <th>{t('imports.openedAt')}</th>
              <th>{t('imports.status')}</th>
              <th>{t('imports.subject')}</th>
              <th>{t('imports.buyer')}</th>
              <th>{t('imports.order')}</th>
            </tr>
          ) : (
            <tr>
              <th>{t('imports.row')}</th>
              <th>{t('imports.name')}</th>
              <th>{t('imports.buyer')}</th>
              <th>{t('imports.consent')}</th>
            </tr>
          )}
        </thead>
        <tbody>
          {preview.items.map((item) => {
            const who = (item.order?.person ?? item.person?.person ?? item.ticket?.person)?.identities
              .map((i) => `${t(`identity.${i.kind}`)} ${i.value.replace(/^[a-z]+:/, '')}`)
              .join(' · ');
            return (
              <Fragment key={item.rows[0]}>
                {item.order ? (
                  <tr data-testid="preview-order">
                    <td>{rows(item.rows)}</td>
                    <td>{item.order.externalId}</td>
                    <td>{dateTime(item.order.orderedAt, shop.timeZone, lang)}</td>
                    <td>
                      {t(`status.${item.order.status}`)} · {t(`channel.${item.order.channel}`)}
                      {item.order.storeId ? ` ${item.order.storeId}` : ''}
                    </td>
                    <td className="num">{money(item.order.totalCents, item.order.currency, lang)}</td>
                    <td>{who}</td>
                    <td>{item.order.items.map((l) => `${l.title} × ${l.quantity}`).join('; ')}</td>
                  </tr>
                ) : item.person ? (
                  <tr data-testid="preview-person">
                    <td>{rows(item.rows)}</td>
                    <td>{String(item.person.person.profile.name ?? '')}</td>
                    <td>{who}</td>
                    <td>
                      {item.person.consents
                        .map((c) => `${t(`consent.${c.channel}`)}: ${t(`consent.${c.status}`)}`)
                        .join(' · ')}
                    </td>
                  </tr>
                ) : item.ticket ? (
                  <tr data-testid="preview-ticket">
                    <td>{rows(item.rows)}</td>
                    <td>{item.ticket.ticket.externalId}</td>
                    <td>{dateTime(item.ticket.ticket.openedAt, shop.timeZone, lang)}</td>
                    <td>
                      {t(`service.kind.${item.ticket.ticket.kind}`)} ·{' '}
                      {t(`service.status.${item.ticket.ticket.status}`)}
                      {item.ticket.ticket.rating ? ` · ${stars(item.ticket.ticket.rating)}` : ''}
                    </td>
                    <td>{item.ticket.ticket.subject}</td>
                    <td>{who}</td>
                    <td>{item.ticket.ticket.orderExternalId ?? ''}</td>
                  </tr>
                ) : null}
                {item.errors.map((e, n) => (
                  <tr key={n} className="error" data-testid="preview-error">
                    <td>{e.rowNo}</td>
                    <td colSpan={6}>
                      {e.column && <code>{e.column}</code>} {e.reason}
                      {e.value ? ` (${e.value})` : ''}
                    </td>
                  </tr>
                ))}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
