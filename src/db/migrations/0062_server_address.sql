-- A shop's address for links in messages may be left to the server: null means the address the server
-- is configured with (REGULARS_PUBLIC_URL; unset, http://localhost and its port), read when a link is
-- made (engage/links.ts). Until now a shop's row took http://localhost:3000 when first made, so a server
-- on another port or behind a domain sent unsubscribe links that led nowhere until someone set the
-- address on the Channels page. Rows still holding that first value go back to the server's address:
-- where the server is on localhost:3000 nothing changes, and anywhere else those links were broken.
alter table engage_settings alter column public_url drop not null;
update engage_settings set public_url = null where public_url = 'http://localhost:3000';
