-- The provider's own id of a sent message where its delivery reports name it by that, not by ours
-- (Tencent Cloud's SerialNo).
alter table messages add column provider_ref text;
create index messages_by_provider_ref on messages (shop_id, provider_ref) where provider_ref is not null;
