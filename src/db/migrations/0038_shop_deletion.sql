-- Deleting a whole shop (shops/deletion.ts) takes its points ledger with it: the one delete the append-only
-- rule allows, said for the shop by the deleting transaction (set_config('regulars.deleting_shop', …, true)),
-- so that no other statement can use it.
create or replace function points_ledger_append_only() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    if current_setting('regulars.deleting_shop', true) = old.shop_id::text then
      return old;
    end if;
    raise exception 'points ledger entries are never deleted';
  end if;
  if (new.shop_id, new.entry_id, new.kind, new.points, new.idempotency_key, new.order_id, new.expires_at,
      new.lot_id, new.reason, new.detail, new.staff_id, new.created_at)
     is distinct from
     (old.shop_id, old.entry_id, old.kind, old.points, old.idempotency_key, old.order_id, old.expires_at,
      old.lot_id, old.reason, old.detail, old.staff_id, old.created_at) then
    raise exception 'points ledger entries are never changed';
  end if;
  return new;
end $$;
