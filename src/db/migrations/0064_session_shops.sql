-- One sign-in opens every shop where the email is staff with the same password (an agency's account
-- manager serves many): it leaves a session row in each, under the same token hash, and the console
-- switches between them without asking for the password again (shops/staff.ts). Listing the shops a
-- sign-in opens, and ending all of them at sign-out, finds its rows by that hash across shops.
create index staff_sessions_by_token on staff_sessions (token_hash);
