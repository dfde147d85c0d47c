-- Wrong passwords counted per client address (shops/addressThrottle.ts). Each server process used to
-- count its own in memory, so an installation of several behind one address allowed each of them the
-- limit, and a restart forgot. An address belongs to no shop: like schema_migrations this is global
-- bookkeeping, a reference table under Citus.
create table sign_in_addresses (
  -- An IPv4 address, or the /64 network of an IPv6 one (a single host is commonly given a whole /64).
  address inet primary key,
  -- When the current window of fifteen minutes began, and the wrong passwords within it.
  since timestamptz not null,
  failures integer not null check (failures > 0)
);
-- Windows past their end are swept by the next wrong password from anywhere.
create index sign_in_addresses_since on sign_in_addresses (since);
