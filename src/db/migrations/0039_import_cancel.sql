-- Imports can be stopped. One still queued never starts; a running one stops after the batch it is
-- committing (each batch's orders, errors and checkpoint land together), and keeps the batches before.
-- `cancel_requested_at` carries the request to the runner, which may be another process, and through a
-- restart: a stalled import resumed with the request set is cancelled instead.
alter table imports drop constraint imports_status_check;
alter table imports add constraint imports_status_check
  check (status in ('queued', 'running', 'completed', 'failed', 'cancelled'));
alter table imports add column cancel_requested_at timestamptz;
