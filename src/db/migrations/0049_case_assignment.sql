-- A service case is given to a staff member to handle (service/desk.ts), and the desk's queue shows each
-- their own. A staff member removed leaves their cases unassigned, not gone.
alter table service_cases add column assigned_to uuid;
alter table service_cases
  add foreign key (shop_id, assigned_to) references staff (shop_id, staff_id) on delete set null (assigned_to);
-- "My open cases", oldest first.
create index service_cases_by_assignee on service_cases (shop_id, assigned_to, opened_at)
  where status = 'open' and assigned_to is not null;
