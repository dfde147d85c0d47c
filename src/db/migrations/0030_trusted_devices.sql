-- Browsers a staff member has signed in from (shops/devices.ts). The email's sign-in lock, which anyone
-- who knows the email can set off, does not shut out a browser that proved the password before; such a
-- browser counts its own wrong passwords instead. Only the SHA-256 of the cookie's secret is stored.
create table staff_devices (
  shop_id uuid not null,
  staff_id uuid not null,
  device_hash bytea not null,
  failed_sign_ins smallint not null default 0,
  last_sign_in_at timestamptz not null,
  primary key (shop_id, staff_id, device_hash),
  foreign key (shop_id, staff_id) references staff (shop_id, staff_id) on delete cascade
);
