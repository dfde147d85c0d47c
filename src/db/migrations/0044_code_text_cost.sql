-- What each member-card code text cost, fixed when it went, as a message's is (migration 0035): the
-- parts it was billed as, at the SMS channel's price of a part then. The shop's monthly sending figures
-- (engage/usage.ts) count these texts beside its campaigns' and flows'.
alter table member_card_bindings add column parts smallint;
alter table member_card_bindings add column unit_cost_cents numeric(12, 2);
-- Codes texted already: one part at the channel's price now, as messages were counted until 0035.
update member_card_bindings b
   set parts = 1,
       unit_cost_cents = coalesce((select s.cost_per_message_cents from channel_settings s
                                    where s.shop_id = b.shop_id and s.channel = 'sms'), 0)
 where b.delivery = 'sms';
