-- The priority service channel, a tier benefit (membership/program.ts): members whose tier grants it have
-- a line of their own on the rota, whatever their case's kind. Its staff take those members' new cases;
-- a line naming nobody leaves them to the kind's staff (service/rota.ts).
alter table service_rota drop constraint service_rota_kind_check;
alter table service_rota add constraint service_rota_kind_check
  check (kind in ('inquiry', 'after_sale', 'complaint', 'dispute', 'review', 'priority'));
