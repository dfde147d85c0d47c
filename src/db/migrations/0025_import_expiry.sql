-- The expiry an import queued when its orders had earned points already due (membership/schedule.ts), so
-- the console and the CLI can say so beside the import.
alter table imports add column expiry_job_id uuid;
