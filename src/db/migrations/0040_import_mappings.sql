-- Column mappings saved by name (imports/mappings.ts): a shop that imports the same kind of file every week
-- (a till's export, an ERP's) picks its columns once.
create table import_mappings (
  shop_id uuid not null references shops (shop_id) on delete cascade,
  mapping_id uuid not null,
  name text not null check (length(name) between 1 and 100),
  format text not null,
  source text not null,
  mapping jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (shop_id, mapping_id),
  unique (shop_id, name)
);
