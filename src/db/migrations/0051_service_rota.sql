-- Who a new case of each kind goes to when it comes in (service/rota.ts): of the kind's staff, the one
-- with the fewest open cases. A kind without rows leaves its new cases to nobody until someone takes
-- them. A staff member removed leaves the rota with them.
create table service_rota (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  kind text not null check (kind in ('inquiry', 'after_sale', 'complaint', 'dispute', 'review')),
  staff_id uuid not null,
  primary key (shop_id, kind, staff_id),
  foreign key (shop_id, staff_id) references staff (shop_id, staff_id) on delete cascade
);
