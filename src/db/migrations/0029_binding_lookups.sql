-- membership/cards.ts reads a shop's bindings by phone (codes sent to it in the last hour, on every
-- request for a code) and by card (one card's history): a brand binding its members' cards over years
-- keeps many, and neither read should scan them all.
create index member_card_bindings_by_phone on member_card_bindings (shop_id, phone, created_at);
create index member_card_bindings_by_card on member_card_bindings (shop_id, member_card, binding_id);
