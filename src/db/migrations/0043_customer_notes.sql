-- Notes staff keep on a customer (customers/notes.ts): what no field holds — "allergic to fragrance",
-- "prefers a call after 6 pm", what was promised at the last complaint. Each note keeps who wrote it and
-- when, and is shown on the profile and its timeline. Notes are the person's personal data: a copy of
-- their data carries them, erasure removes them, a merge moves them to the profile that stays.
create table customer_notes (
  shop_id uuid not null,
  note_id uuid not null,
  customer_id uuid not null,
  body text not null check (length(body) between 1 and 4000),
  -- The staff member who wrote it (null from an API key), and the name shown (kept if they leave).
  staff_id uuid,
  author text not null,
  created_at timestamptz not null,
  -- No foreign key to customers, as for orders (docs/design-notes.md): the customers table is rebuilt
  -- in place by migrations (0021), which no table may reference. Notes are written here and moved by
  -- merges only, and test/integrity.test.ts checks none is left without its customer.
  primary key (shop_id, note_id)
);
create index customer_notes_by_customer on customer_notes (shop_id, customer_id, created_at);
