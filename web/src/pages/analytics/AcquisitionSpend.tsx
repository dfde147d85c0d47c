// The dashboard's acquisition panel: what was spent winning customers, month by month and per channel,
// against the new customers of each month (cost per acquisition), with the form that records the spend.
import { useState } from 'react';
import { api, problemText } from '../../api.js';
import { toMinor } from '../../format.js';
import { useI18n } from '../../i18n.js';
import type { Dashboard } from './types.js';

export function AcquisitionSpend({
  months,
  currency,
  cash,
  onSaved,
}: {
  months: Dashboard['acquisition']['months'];
  currency: string;
  cash: (minor: number | null) => string;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [month, setMonth] = useState(months[months.length - 1]?.month ?? '');
  const [channel, setChannel] = useState('');
  const [amount, setAmount] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const save = async () => {
    try {
      const amountCents = toMinor(amount, currency);
      if (amountCents === null) throw new Error(t('common.badAmount', { value: amount, currency }));
      await api('/api/analytics/spend', {
        method: 'PUT',
        body: JSON.stringify({ month, channel, amountCents }),
      });
      setSaved(t('dash.spendSaved'));
      onSaved();
    } catch (err) {
      setSaved(problemText(err));
    }
  };
  return (
    <div className="panel" title={t('dash.def.cac')}>
      <h2>{t('dash.acquisition')}</h2>
      <table data-testid="acquisition">
        <thead>
          <tr>
            <th>{t('dash.month')}</th>
            <th className="num">{t('dash.spend')}</th>
            <th className="num">{t('dash.tile.newCustomers')}</th>
            <th className="num">{t('dash.tile.cac')}</th>
          </tr>
        </thead>
        <tbody>
          {months.map((m) => (
            <tr key={m.month}>
              <td>{m.month}</td>
              <td className="num">{cash(m.spendCents)}</td>
              <td className="num">{m.newCustomers}</td>
              <td className="num">{cash(m.cacCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="settings"
        data-testid="spend-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          {t('dash.month')}
          <input
            name="month"
            type="month"
            required
            value={month}
            onChange={(e) => setMonth(e.target.value)}
          />
        </label>
        <label>
          {t('dash.channel')}
          <input name="channel" required value={channel} onChange={(e) => setChannel(e.target.value)} />
        </label>
        <label>
          {t('dash.spend')}
          <input
            name="amount"
            type="number"
            min={0}
            step="0.01"
            required
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </label>
        <button type="submit">{t('dash.saveSpend')}</button>
        {saved && <span className="muted">{saved}</span>}
      </form>
    </div>
  );
}
