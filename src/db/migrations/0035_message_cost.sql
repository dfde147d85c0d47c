-- What each message cost, fixed when it went: the parts it was billed as (an SMS longer than one part is
-- billed per part; other channels count one) at its channel's price per part then. A campaign's cost was
-- the count of its messages at today's price, which undercounted long texts and moved with the price.
alter table messages add column parts smallint;
alter table messages add column unit_cost_cents numeric(12, 2);
-- Messages already out keep what they were counted as until now: one part at the channel's price.
update messages m
   set parts = 1,
       unit_cost_cents = coalesce((select s.cost_per_message_cents from channel_settings s
                                    where s.shop_id = m.shop_id and s.channel = m.channel), 0)
 where m.status in ('sent', 'delivered');
