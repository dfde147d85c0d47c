-- How a binding's one-time code reached the member (membership/cards.ts): texted by Regulars through the
-- shop's SMS channel, or handed to the caller to deliver. Every binding before this was the caller's.
alter table member_card_bindings
  add column delivery text not null default 'caller' check (delivery in ('sms', 'caller'));
alter table member_card_bindings alter column delivery drop default;
