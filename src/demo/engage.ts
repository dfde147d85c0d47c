// The demo shop's engage set-up: customers' consent as a real shop would have it (most email buyers opted
// in at checkout, fewer to SMS, a few opted out), a coupon members buy with points, the seed's messages
// as templates — a win-back email with a coupon, a replenishment SMS, a points receipt, an after-sale
// care SMS, an apology SMS — a Double 11 recall campaign ready to send once a channel is set up, and the
// seed's flows as drafts to switch on (among them an apology once a complaint is resolved).
import type { Db } from '../db/db.js';
import { recordConsents, type Channel } from '../customers/consent.js';
import { createCampaign } from '../engage/campaigns.js';
import { createCoupon } from '../engage/coupons.js';
import { createFlow } from '../engage/flows/flows.js';
import { createTemplate } from '../engage/templates.js';
import { listSegments } from '../segments/segments.js';

/** A stable share of customers, from their id: the same demo always has the same opt-ins. */
const share = (customerId: string, salt: number) => (parseInt(customerId.slice(-6), 16) * salt) % 100;

export async function createDemoEngage(db: Db, shopId: string, now: Date): Promise<void> {
  const customers = await db.query<{
    customerId: string;
    email: string | null;
    phone: string | null;
    since: Date;
  }>(
    `select customer_id as "customerId", email, phone, created_at as since from customers where shop_id = $1`,
    [shopId],
  );
  const entries: Parameters<typeof recordConsents>[2] = [];
  const add = (customerId: string, channel: Channel, roll: number, optIn: number, since: Date) => {
    if (roll < optIn)
      entries.push({ customerId, channel, status: 'opted_in', source: 'checkout', at: since });
    else if (roll < optIn + 4)
      entries.push({ customerId, channel, status: 'opted_out', source: 'customer service', at: now });
  };
  for (const c of customers) {
    if (c.email) add(c.customerId, 'email', share(c.customerId, 7), 62, c.since);
    if (c.phone) add(c.customerId, 'sms', share(c.customerId, 13), 45, c.since);
  }
  await db.transaction((tx) => recordConsents(tx, shopId, entries));

  // The points shop: a coupon members buy with points from their profile.
  await createCoupon(db, shopId, {
    name: '积分兑换 满100减10',
    kind: 'amount',
    amountCents: 1000,
    minSpendCents: 10000,
    validDays: 90,
    codePrefix: 'PTS',
    pointsPrice: 500,
  });
  const coupon = await createCoupon(db, shopId, {
    name: '满200减30 Double 11',
    kind: 'amount',
    amountCents: 3000,
    minSpendCents: 20000,
    validDays: 30,
    codePrefix: 'LOTUS',
  });
  const winBack = await createTemplate(db, shopId, {
    name: '老客召回 Win-back email',
    channel: 'email',
    subject: '{{ customer.first_name }}，{{ shop.name }} 为您准备了 {{ coupon.value }} 优惠',
    body: `<p>亲爱的{{ customer.name }}：</p>
<p>好久不见！您是我们的{{ tier }}会员，当前积分 {{ points.balance }}。{% if points.expiring > 0 %}其中 {{ points.expiring }} 分将于 {{ points.expiring_at }} 到期。{% endif %}</p>
<p>专属优惠券 <strong>{{ coupon.code }}</strong>：满{{ coupon.min_spend }}减{{ coupon.value }}，{{ coupon.expires_at }} 前有效。</p>
{% if recommended.size > 0 %}<p>为您推荐：</p><ul>{% for p in recommended %}<li>{{ p.title }} — {{ p.price }} {{ p.currency }}</li>{% endfor %}</ul>{% endif %}
<p><a href="https://shop.example/">去逛逛</a> · <a href="{{ unsubscribe_url }}">退订</a></p>`,
  });
  const replenish = await createTemplate(db, shopId, {
    name: '补货提醒 Replenishment SMS',
    channel: 'sms',
    body: '【{{ shop.name }}】{{ customer.name }}您好，您常用的护肤品快用完了吧？会员积分{{ points.balance }}可抵现。回T退订',
  });
  await createTemplate(db, shopId, {
    name: '积分到账 Points receipt',
    channel: 'sms',
    transactional: true,
    body: '【{{ shop.name }}】{{ customer.name }}，您的积分余额为{{ points.balance }}。',
  });
  const care = await createTemplate(db, shopId, {
    name: '售后关怀 Care SMS',
    channel: 'sms',
    transactional: true,
    body: '【{{ shop.name }}】{{ customer.name }}您好，宝贝收到了吗？使用中有任何问题，回复本短信即可。',
  });
  const apology = await createTemplate(db, shopId, {
    name: '投诉致歉 Apology SMS',
    channel: 'sms',
    body: '【{{ shop.name }}】{{ customer.name }}您好，给您添麻烦了，非常抱歉。送您一张优惠券{{ coupon.code }}（满{{ coupon.min_spend }}减{{ coupon.value }}）。回T退订',
  });
  const audience = (await listSegments(db, shopId)).find((s) => s.name === 'Lapsed regulars');
  await createDemoFlows(db, shopId, { care, replenish, winBack, apology, coupon, audience });
  if (audience)
    await createCampaign(db, shopId, {
      name: '双11老客召回 Double 11 recall',
      templateId: winBack.templateId,
      segmentId: audience.segmentId,
      holdoutPercent: 10,
      conversionDays: 14,
      couponId: coupon.couponId,
    });
}

/** The care plays of the seed, drafted: the operator sets up a channel, reads them and switches them on. */
async function createDemoFlows(
  db: Db,
  shopId: string,
  use: {
    care: { templateId: string };
    replenish: { templateId: string };
    winBack: { templateId: string };
    apology: { templateId: string };
    coupon: { couponId: string };
    audience: { segmentId: string } | undefined;
  },
): Promise<void> {
  await createFlow(db, shopId, {
    name: '下单关怀 Care after purchase',
    trigger: { type: 'order_paid' },
    steps: [
      { type: 'wait', days: 3 },
      { type: 'send', templateId: use.care.templateId },
      {
        type: 'branch',
        condition: { type: 'field', field: 'tier', op: 'gte', value: 'VIP' },
        yes: [{ type: 'points', points: 20, reason: 'VIP 关怀礼 care gift' }],
        no: [],
      },
    ],
  });
  await createFlow(db, shopId, {
    name: '补货提醒 Replenishment',
    trigger: { type: 'purchase_cycle', daysBefore: 3 },
    steps: [{ type: 'send', templateId: use.replenish.templateId }],
  });
  await createFlow(db, shopId, {
    name: '沉睡唤醒 Win-back after 120 days',
    trigger: { type: 'no_order', days: 120 },
    holdoutPercent: 10,
    conversionDays: 14,
    steps: [
      { type: 'coupon', couponId: use.coupon.couponId },
      { type: 'send', templateId: use.winBack.templateId },
    ],
  });
  await createFlow(db, shopId, {
    name: '投诉致歉 Sorry after a complaint',
    trigger: { type: 'service_resolved', kind: 'complaint' },
    steps: [
      { type: 'wait', days: 1 },
      { type: 'coupon', couponId: use.coupon.couponId },
      { type: 'send', templateId: use.apology.templateId },
    ],
  });
  await createFlow(db, shopId, {
    name: '生日礼 Birthday points',
    trigger: { type: 'birthday', daysBefore: 0, hour: 10 },
    steps: [{ type: 'points', points: 100, reason: '生日礼 birthday gift' }],
  });
  if (use.audience)
    await createFlow(db, shopId, {
      name: '双11前召回 Double 11 recall (every 1 Nov)',
      trigger: { type: 'date', month: 11, day: 1, hour: 10 },
      segmentId: use.audience.segmentId,
      holdoutPercent: 10,
      conversionDays: 14,
      steps: [
        { type: 'coupon', couponId: use.coupon.couponId },
        { type: 'send', templateId: use.winBack.templateId },
      ],
    });
}
