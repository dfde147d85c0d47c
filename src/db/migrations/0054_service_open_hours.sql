-- How many of the desk's open hours lie between two moments (service/hours.ts): what a case took to resolve
-- as the desk counts its targets (service_due_at, migration 0052), so that the dashboard's median time to
-- resolve and the targets speak of the same hours. A shop without working hours counts every hour.
create function service_open_hours(shop uuid, from_at timestamptz, to_at timestamptz) returns float8
language plpgsql stable as $$
declare
  zone text;
  a timestamp;
  b timestamp;
  d date;
  day_hours record;
  starts timestamp;
  ends timestamp;
  total interval := interval '0';
begin
  if to_at <= from_at then
    return 0;
  end if;
  if not exists (select 1 from service_hours h where h.shop_id = shop) then
    return extract(epoch from to_at - from_at) / 3600;
  end if;
  select s.time_zone into zone from shops s where s.shop_id = shop;
  a := from_at at time zone zone;
  b := to_at at time zone zone;
  d := a::date;
  while d <= b::date loop
    if not exists (select 1 from service_holidays x where x.shop_id = shop and x.day = d) then
      select h.opens, h.closes into day_hours from service_hours h
       where h.shop_id = shop and h.weekday = extract(isodow from d);
      if found then
        starts := greatest(d + day_hours.opens, a);
        ends := least(d + day_hours.closes, b);
        if ends > starts then
          total := total + (ends - starts);
        end if;
      end if;
    end if;
    d := d + 1;
  end loop;
  return extract(epoch from total) / 3600;
end;
$$;
