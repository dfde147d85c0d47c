// What the shop sent and what it cost, month by month: the figures an SMS budget is watched by
// (GET /api/messages/usage). One row per month and channel, the messages by kind, then the parts billed
// and the cost at the price of a part when each went.
import { useState } from 'react';
import { api } from '../../api.js';
import { money } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useLoad } from '../../useLoad.js';

interface Usage {
  currency: string;
  items: {
    month: string;
    channel: string;
    kind: 'campaign' | 'flow' | 'other' | 'codes';
    messages: number;
    parts: number;
    costCents: number;
  }[];
}

const KINDS = ['campaign', 'flow', 'other', 'codes'] as const;

export function SendingUsage() {
  const { t, lang } = useI18n();
  const [months, setMonths] = useState(6);
  const usage = useLoad(() => api<Usage>(`/api/messages/usage?months=${months}`), `usage:${months}`);
  const rows = new Map<
    string,
    { month: string; channel: string; byKind: Map<string, number>; parts: number; cost: number }
  >();
  for (const u of usage.data?.items ?? []) {
    const key = `${u.month}|${u.channel}`;
    const row = rows.get(key) ?? { month: u.month, channel: u.channel, byKind: new Map(), parts: 0, cost: 0 };
    row.byKind.set(u.kind, u.messages);
    row.parts += u.parts;
    row.cost += u.costCents;
    rows.set(key, row);
  }
  return (
    <section data-testid="sending-usage">
      <div className="settings">
        <h2>{t('usage.title')}</h2>
        <label>
          {t('usage.months')}
          <select value={months} onChange={(e) => setMonths(Number(e.target.value))}>
            {[3, 6, 12, 24].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">{t('usage.help')}</p>
      {usage.data && rows.size === 0 && <p className="muted">{t('usage.none')}</p>}
      {rows.size > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('usage.month')}</th>
              <th>{t('usage.channel')}</th>
              {KINDS.map((k) => (
                <th key={k} className="num">
                  {t(`usage.kind.${k}`)}
                </th>
              ))}
              <th className="num">{t('usage.parts')}</th>
              <th className="num">{t('usage.cost')}</th>
            </tr>
          </thead>
          <tbody>
            {[...rows.values()].map((r) => (
              <tr key={`${r.month}|${r.channel}`}>
                <td>{r.month}</td>
                <td>{t(`channels.${r.channel as 'email' | 'sms' | 'webhook'}`)}</td>
                {KINDS.map((k) => (
                  <td key={k} className="num">
                    {r.byKind.get(k) ?? '—'}
                  </td>
                ))}
                <td className="num">{r.parts}</td>
                <td className="num">{money(r.cost, usage.data!.currency, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
