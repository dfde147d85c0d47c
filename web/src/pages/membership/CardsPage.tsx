import { useState, type FormEvent } from 'react';
import { api, type Me } from '../../api.js';
import { dateTime, formatPhone } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { Problem } from '../../Problem.js';
import { href } from '../../route.js';

interface Challenge {
  bindingId: string;
  memberCard: string;
  phone: string;
  expiresAt: string;
  delivery: 'sms' | 'caller';
  code?: string;
}

interface Binding {
  bindingId: string;
  memberCard: string;
  phone: string;
  delivery: 'sms' | 'caller';
  status: 'pending' | 'confirmed' | 'failed' | 'expired';
  attempts: number;
  createdAt: string;
  customerId: string | null;
}

/**
 * Binding a store member card to a member's phone with a one-time code, and unbinding a lost card. The
 * code is texted to the phone; an admin or the owner may have it shown instead (the API refuses others),
 * for a shop without an SMS channel. Below, the shop's recent bindings and how each ended, or one card's.
 */
export function CardsPage({ me }: { me: Me }) {
  const { t, lang } = useI18n();
  const [card, setCard] = useState('');
  const [phone, setPhone] = useState('');
  const [selfDeliver, setSelfDeliver] = useState(false);
  const mayShowCode = me.access.includes('administer');
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [code, setCode] = useState('');
  const [outcome, setOutcome] = useState<{ customerId: string; merged: boolean } | null>(null);
  const { problem, attempt } = useAttempt();
  const [lost, setLost] = useState({ card: '', reason: '' });
  const [unbound, setUnbound] = useState<string | null>(null);
  // Loaded again after each request, confirmation and unbinding on this page.
  const [version, setVersion] = useState(0);
  // One card's history (who asked to bind it, how each ended), when a card number is typed in the filter.
  const [only, setOnly] = useState('');
  const query = new URLSearchParams({ limit: only.trim() ? '200' : '20' });
  if (only.trim()) query.set('card', only.trim());
  const bindings = useLoad(
    () => api<{ items: Binding[] }>(`/api/member-cards/bindings?${query.toString()}`),
    `${version}:${query.toString()}`,
  );
  const refresh = () => setVersion((v) => v + 1);

  const request = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      setOutcome(null);
      setChallenge(
        await api<Challenge>('/api/member-cards/bindings', {
          method: 'POST',
          body: JSON.stringify({ memberCard: card, phone, delivery: selfDeliver ? 'caller' : 'sms' }),
        }),
      );
    }).then(refresh);
  };
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      setOutcome(
        await api(`/api/member-cards/bindings/${challenge!.bindingId}/confirm`, {
          method: 'POST',
          body: JSON.stringify({ code }),
        }),
      );
      setChallenge(null);
      setCode('');
    }).then(refresh);
  };
  const unbind = (e: FormEvent) => {
    e.preventDefault();
    void attempt(async () => {
      const r = await api<{ customerId: string; memberCard: string }>(
        `/api/member-cards/${encodeURIComponent(lost.card)}/unbind`,
        { method: 'POST', body: JSON.stringify({ reason: lost.reason }) },
      );
      setUnbound(r.memberCard);
      setLost({ card: '', reason: '' });
    }).then(refresh);
  };

  return (
    <section className="cards-page">
      <h1>{t('cards.title')}</h1>
      <p className="muted">{t('cards.help')}</p>
      <form className="inline" onSubmit={request} data-testid="bind-request">
        <input
          aria-label={t('cards.card')}
          placeholder={t('cards.card')}
          value={card}
          onChange={(e) => setCard(e.target.value)}
          required
        />
        <input
          aria-label={t('cards.phone')}
          placeholder={t('cards.phone')}
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          required
        />
        {mayShowCode && (
          <label className="inline">
            <input type="checkbox" checked={selfDeliver} onChange={(e) => setSelfDeliver(e.target.checked)} />{' '}
            {t('cards.selfDeliver')}
          </label>
        )}
        <button type="submit">{t(selfDeliver ? 'cards.showCode' : 'cards.sendCode')}</button>
      </form>
      {challenge && (
        <form className="inline" onSubmit={confirm} data-testid="bind-confirm">
          {challenge.code === undefined ? (
            <p data-testid="code-texted">
              {t('cards.textedTo', {
                phone: formatPhone(challenge.phone, me.shop.phoneRegion),
                time: dateTime(challenge.expiresAt, me.shop.timeZone, lang),
              })}
            </p>
          ) : (
            <p>
              {t('cards.codeFor', {
                phone: formatPhone(challenge.phone, me.shop.phoneRegion),
                time: dateTime(challenge.expiresAt, me.shop.timeZone, lang),
              })}{' '}
              <strong data-testid="binding-code">{challenge.code}</strong>
            </p>
          )}
          <input
            aria-label={t('cards.code')}
            placeholder={t('cards.code')}
            inputMode="numeric"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
          />
          <button type="submit">{t('cards.confirm')}</button>
        </form>
      )}
      {outcome && (
        <p className="notice" role="status" data-testid="bind-outcome">
          {outcome.merged ? t('cards.boundMerged') : t('cards.bound')}{' '}
          <a href={`#/customers/${outcome.customerId}`}>{t('cards.openProfile')}</a>
        </p>
      )}
      <h2>{t('cards.unbindTitle')}</h2>
      <form className="inline" onSubmit={unbind} data-testid="unbind">
        <input
          aria-label={t('cards.card')}
          placeholder={t('cards.card')}
          value={lost.card}
          onChange={(e) => setLost({ ...lost, card: e.target.value })}
          required
        />
        <input
          aria-label={t('member.reason')}
          placeholder={t('member.reason')}
          value={lost.reason}
          onChange={(e) => setLost({ ...lost, reason: e.target.value })}
          required
        />
        <button type="submit">{t('cards.unbind')}</button>
      </form>
      {unbound && (
        <p className="notice" role="status">
          {t('cards.unbound', { card: unbound })}
        </p>
      )}
      <Problem text={problem} />
      <h2>{t('cards.recent')}</h2>
      <div className="inline">
        <input
          aria-label={t('cards.onlyCard')}
          placeholder={t('cards.onlyCard')}
          value={only}
          onChange={(e) => setOnly(e.target.value)}
        />
        {only.trim() && (
          <a href={href({ page: 'customers', q: only.trim(), offset: 0 })}>{t('cards.findHolder')}</a>
        )}
      </div>
      <Problem text={bindings.error} />
      <table data-testid="bindings">
        <thead>
          <tr>
            <th>{t('cards.requested')}</th>
            <th>{t('cards.card')}</th>
            <th>{t('cards.phone')}</th>
            <th>{t('cards.codeWent')}</th>
            <th>{t('cards.outcome')}</th>
          </tr>
        </thead>
        <tbody>
          {(bindings.data?.items ?? []).map((b) => (
            <tr key={b.bindingId} data-card={b.memberCard}>
              <td>{dateTime(b.createdAt, me.shop.timeZone, lang)}</td>
              <td>{b.memberCard}</td>
              <td>{formatPhone(b.phone, me.shop.phoneRegion)}</td>
              <td>{t(`cards.delivery.${b.delivery}`)}</td>
              <td data-testid="binding-status">
                {b.customerId ? (
                  <a href={`#/customers/${b.customerId}`}>{t(`cards.status.${b.status}`)}</a>
                ) : (
                  t(`cards.status.${b.status}`)
                )}
                {b.attempts > 0 ? ` · ${t('cards.wrongCodes', { n: b.attempts })}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {bindings.data?.items.length === 0 && (
        <p className="muted">{only.trim() ? t('cards.noneForCard') : t('cards.none')}</p>
      )}
    </section>
  );
}
