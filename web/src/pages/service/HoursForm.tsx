// The desk's working week and holidays, in the shop's time zone: targets count the hours it is open, so a
// complaint brought on Friday evening is due after the weekend. No day ticked: around the clock. Admins
// set them; everyone sees them.
import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';
import { useSave } from '../../useAttempt.js';
import { SaveRow } from './SaveRow.js';

export interface Hours {
  days: { weekday: number; opens: string; closes: string }[];
  holidays: string[];
}

const WEEK = [1, 2, 3, 4, 5, 6, 7];

export function HoursForm({
  hours,
  editable,
  onSaved,
}: {
  hours: Hours;
  editable: boolean;
  /** The hours are saved: the cases' due times have moved. */
  onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const [days, setDays] = useState(() =>
    WEEK.map((weekday) => {
      const day = hours.days.find((d) => d.weekday === weekday);
      return {
        weekday,
        open: day !== undefined,
        opens: day?.opens ?? '09:00',
        closes: day?.closes ?? '18:00',
      };
    }),
  );
  const [holidays, setHolidays] = useState(hours.holidays.join('\n'));
  const { problem, busy, saved, edited, submit } = useSave();
  // Monday 2024-01-01 onwards names the weekdays in the operator's language.
  const dayName = (weekday: number) =>
    new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2024, 0, weekday)),
    );
  const change = (weekday: number, part: Partial<(typeof days)[number]>) => {
    setDays(days.map((d) => (d.weekday === weekday ? { ...d, ...part } : d)));
    edited();
  };
  const save = submit(async () => {
    await api<Hours>('/api/service-hours', {
      method: 'PUT',
      body: JSON.stringify({
        days: days.filter((d) => d.open).map(({ weekday, opens, closes }) => ({ weekday, opens, closes })),
        holidays: holidays.split(/[\s,]+/).filter(Boolean),
      }),
    });
    onSaved();
  });
  return (
    <section className="service-hours" data-testid="service-hours">
      <h2>{t('service.hours.title')}</h2>
      <p className="muted">{t('service.hours.help')}</p>
      <form onSubmit={save}>
        <table>
          <tbody>
            {days.map((d) => (
              <tr key={d.weekday} data-weekday={d.weekday}>
                <td>
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={d.open}
                      disabled={!editable}
                      onChange={(e) => change(d.weekday, { open: e.target.checked })}
                    />
                    {dayName(d.weekday)}
                  </label>
                </td>
                <td>
                  <input
                    type="time"
                    aria-label={`${dayName(d.weekday)} ${t('service.hours.opens')}`}
                    value={d.opens}
                    disabled={!editable || !d.open}
                    onChange={(e) => change(d.weekday, { opens: e.target.value })}
                  />
                  {' – '}
                  <input
                    type="time"
                    aria-label={`${dayName(d.weekday)} ${t('service.hours.closes')}`}
                    value={d.closes}
                    disabled={!editable || !d.open}
                    onChange={(e) => change(d.weekday, { closes: e.target.value })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <label>
          {t('service.hours.holidays')}
          <textarea
            rows={3}
            placeholder="2026-10-01"
            value={holidays}
            disabled={!editable}
            onChange={(e) => {
              setHolidays(e.target.value);
              edited();
            }}
          />
        </label>
        <SaveRow editable={editable} busy={busy} saved={saved} label={t('service.hours.save')} />
      </form>
      <Problem text={problem} />
    </section>
  );
}
