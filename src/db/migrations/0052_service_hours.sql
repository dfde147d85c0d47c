-- The desk's working hours (service/hours.ts): a case's target counts the hours the desk is open, so a
-- complaint brought on Friday evening with a 24-hour target is due days later, not on Saturday. Hours per
-- day of the week (ISO: 1 Monday … 7 Sunday) in the shop's time zone; a day without a row is closed;
-- a holiday is closed whatever its weekday. A shop without any row works around the clock, as before.
create table service_hours (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  weekday smallint not null check (weekday between 1 and 7),
  opens time not null,
  closes time not null,
  primary key (shop_id, weekday),
  check (closes > opens)
);
create table service_holidays (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  day date not null,
  primary key (shop_id, day)
);

-- When a case opened at `opened` is due if the desk takes `hours` of its open time: the open time of each
-- day from the opening on (only what is left of the opening day), until the hours are used up. Null if
-- the week has no open time at all (no day found in ten years).
create function service_due_at(shop uuid, opened timestamptz, hours integer) returns timestamptz
language plpgsql stable as $$
declare
  zone text;
  opened_local timestamp;
  left_over interval := make_interval(hours => hours);
  d date;
  day_hours record;
  starts timestamp;
  ends timestamp;
begin
  if not exists (select 1 from service_hours h where h.shop_id = shop) then
    return opened + left_over;
  end if;
  select s.time_zone into zone from shops s where s.shop_id = shop;
  opened_local := opened at time zone zone;
  d := opened_local::date;
  for step in 0 .. 3660 loop
    if not exists (select 1 from service_holidays x where x.shop_id = shop and x.day = d) then
      select h.opens, h.closes into day_hours from service_hours h
       where h.shop_id = shop and h.weekday = extract(isodow from d);
      if found then
        starts := greatest(d + day_hours.opens, opened_local);
        ends := d + day_hours.closes;
        if ends > starts then
          if ends - starts >= left_over then
            return (starts + left_over) at time zone zone;
          end if;
          left_over := left_over - (ends - starts);
        end if;
      end if;
    end if;
    d := d + 1;
  end loop;
  return null;
end;
$$;
