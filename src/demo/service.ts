// The demo shop's service history, as a skincare shop's desk would have logged it: an after-sale case
// for each refunded order (resolved with the refund), reviews on some online orders (mostly five stars,
// a few poor ones still open when recent), complaints about a delivery or a package on a few orders,
// and questions about which product suits which skin. Those of the last days are still open, so the
// service queue, the "open complaint" segment and the timeline have something to show. The desk means
// to answer a complaint or dispute within a day, after-sale within two, so some waiting cases are overdue.
// It works 9:00 to 22:00 every day, as a Tmall shop's customer service does, and those hours are what
// its targets count.
import type { Db } from '../db/db.js';
import { setServiceHours } from '../service/hours.js';
import { setServiceTargets } from '../service/targets.js';

const COMPLAINTS = ['物流太慢', '包装破损', '发错了货', '赠品漏发', '客服回复慢'];
const INQUIRIES = ['油皮适合哪款精华？', '孕期可以用吗？', '什么时候发货？', '会员积分怎么用？'];

export async function createDemoService(db: Db, shopId: string, now: Date): Promise<void> {
  await setServiceTargets(db, shopId, {
    inquiry: 24,
    after_sale: 48,
    complaint: 24,
    dispute: 24,
    review: 72,
  });
  await setServiceHours(db, shopId, {
    days: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '09:00', closes: '22:00' })),
    holidays: [],
  });
  // A stable roll per order (0–999) from its id: the same demo always has the same cases.
  await db.query(
    `with o as (
       select o.order_id, o.customer_id, o.channel, o.status, o.ordered_at,
              (('x' || substr(md5(o.order_id::text), 1, 8))::bit(32)::int8 & 2147483647) % 1000 as roll
         from orders o where o.shop_id = $1
     ), picked as (
       select o.*, 'after_sale' as kind, case when o.channel = 'online' then 'platform' else 'store' end as channel_in,
              case when o.status = 'refunded' then '退货退款' else '部分退货' end as subject,
              null::int as rating, o.ordered_at + interval '3 days' as opened_at, interval '2 days' as takes,
              '已退款' as resolution
         from o where o.status in ('refunded', 'partially_refunded')
       union all
       select o.*, 'review', 'platform', case when o.roll < 50 then '好评' when o.roll < 56 then '一般' else '差评' end,
              case when o.roll < 50 then 5 - o.roll % 2 when o.roll < 56 then 3 else 1 + o.roll % 2 end,
              o.ordered_at + interval '6 days', interval '1 day', '已回复'
         from o where o.channel = 'online' and o.status not in ('refunded', 'partially_refunded', 'cancelled')
          and o.roll < 60
       union all
       select o.*, 'complaint', case when o.roll % 2 = 0 then 'phone' else 'chat' end,
              ($3::text[])[1 + o.roll % cardinality($3::text[])], null, o.ordered_at + interval '2 days',
              make_interval(days => 2 + (o.roll % 7)::int), '已致歉并补发'
         from o where o.roll between 60 and 67
       union all
       select o.*, 'inquiry', 'chat', ($4::text[])[1 + o.roll % cardinality($4::text[])], null,
              o.ordered_at - interval '1 day', interval '1 day', '已解答'
         from o where o.roll between 68 and 87
     )
     insert into service_cases (shop_id, case_id, customer_id, kind, channel, status, subject, order_id, rating,
                                source, opened_at, opened_by, resolved_at, resolved_by, resolution, updated_at)
     select $1, gen_random_uuid(), p.customer_id, p.kind, p.channel_in, s.status, p.subject,
            case when p.kind <> 'inquiry' then p.order_id end, p.rating, 'demo', p.opened_at, 'Demo Owner',
            case when s.status = 'resolved' then p.opened_at + p.takes end,
            case when s.status = 'resolved' then 'Demo Owner' end,
            case when s.status = 'resolved' then p.resolution end, $2
       from picked p
      cross join lateral (
        -- What the desk has not got to yet: cases of the last days, and poor reviews of the last month.
        select case when p.opened_at + p.takes > $2::timestamptz
                      or (p.kind = 'review' and p.rating <= 2 and p.opened_at > $2::timestamptz - interval '30 days')
                    then 'open' else 'resolved' end as status
      ) s
      where p.opened_at <= $2`,
    [shopId, now.toISOString(), COMPLAINTS, INQUIRIES],
  );
}
