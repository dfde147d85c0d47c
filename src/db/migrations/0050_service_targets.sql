-- How soon the shop means to resolve each kind of case (service/targets.ts): a case is due that many hours
-- after it was opened, and overdue while still open past it. A kind without a row has no target. Read
-- with each case rather than stored on it, so a target changed applies to the cases already waiting.
create table service_targets (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  kind text not null check (kind in ('inquiry', 'after_sale', 'complaint', 'dispute', 'review')),
  hours integer not null check (hours between 1 and 8760),
  primary key (shop_id, kind)
);
