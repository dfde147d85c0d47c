-- A note can be corrected by whoever may remove it (customers/notes.ts); when it last was is shown with
-- it, so a reader knows the words are not those first written.
alter table customer_notes add column edited_at timestamptz;
