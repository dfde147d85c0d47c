-- Wrong passwords in a row for a staff row, and until when its email may not sign in after too many
-- (shops/staff.ts): a password cannot be guessed at the speed the login route answers.
alter table staff
  add column failed_sign_ins smallint not null default 0,
  add column locked_until timestamptz;
