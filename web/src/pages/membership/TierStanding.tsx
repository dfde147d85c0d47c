import type { MemberTier, Shop } from '../../api.js';
import { date, money } from '../../format.js';
import { useI18n } from '../../i18n.js';

/**
 * Under a member's tier: what it gives them, what the program counts of their buying, what the tier above
 * still wants, and whether they keep their own at the next review — what staff tell a member asking "what
 * do I get, and how do I get VIP?".
 */
export function TierStanding({ shop, tier }: { shop: Shop; tier: MemberTier }) {
  const { t, lang } = useI18n();
  const amount = (cents: number) => money(cents, shop.currency, lang);
  const purchases = (n: number) => (n === 1 ? t('member.purchase') : t('member.purchases', { n }));
  // Under "any" one threshold met is enough, so each is a way there; under "all" every unmet one is needed.
  const wanted = (s: { spendCents: number | null; orders: number | null }) =>
    [
      s.spendCents ? t('member.moreSpend', { amount: amount(s.spendCents) }) : null,
      s.orders ? (s.orders === 1 ? t('member.moreOrder') : t('member.moreOrders', { n: s.orders })) : null,
    ]
      .filter((x) => x !== null)
      .join(tier.match === 'any' ? t('member.or') : t('member.and'));
  const review = date(tier.nextReviewAt, shop.timeZone, lang);
  const b = tier.benefits;
  const benefits = [
    b.discountPercent > 0
      ? t('member.discount', { n: b.discountPercent, zhe: (100 - b.discountPercent) / 10 })
      : null,
    b.pointsMultiplier !== 1 ? t('member.multiplier', { n: b.pointsMultiplier }) : null,
    b.freeShipping ? t('member.freeShipping') : null,
    b.birthdayGift ? t('member.birthdayGift', { gift: b.birthdayGift }) : null,
    b.memberOffers ? t('member.memberOffers') : null,
    b.priorityService ? t('member.priorityService') : null,
  ].filter((x) => x !== null);
  return (
    <ul className="tier-standing" data-testid="tier-standing">
      {benefits.length > 0 && (
        <li data-testid="tier-benefits">{t('member.benefits', { list: benefits.join(' · ') })}</li>
      )}
      <li>
        {t('member.standing', {
          spend: amount(tier.standing.spendCents),
          orders: purchases(tier.standing.orders),
          window: t(`member.window.${tier.window}`),
        })}
      </li>
      {tier.next && (
        <li data-testid="tier-next">
          {tier.next.reached
            ? t('member.nextReached', { tier: tier.next.name })
            : t('member.toNext', { tier: tier.next.name, what: wanted(tier.next) })}
        </li>
      )}
      {tier.keep && (
        <li data-testid="tier-keep" className={tier.keep.kept ? undefined : 'warning'}>
          {tier.keep.kept
            ? t('member.keeps', { tier: tier.name, date: review })
            : t('member.toKeep', { tier: tier.name, date: review, what: wanted(tier.keep) })}
        </li>
      )}
    </ul>
  );
}
