-- Indexes of the admin web page's data views: member search and filters,
-- the dashboard's member counts and SCIM traffic.
--
-- Member search by prefix uses the existing members_user_name,
-- members_display_name and member_emails_value (range scans on folded
-- keys). Filtering by status or role pages by id within the filter, and
-- counting members by status reads members_status alone.

-- +goose Up
CREATE INDEX IF NOT EXISTS members_status ON members (team_id, status, id);
CREATE INDEX IF NOT EXISTS members_role ON members (team_id, role, id);
-- A common search prefix walks the team in id order testing each member's
-- folded names: this index holds them, so the walk does not read the rows.
CREATE INDEX IF NOT EXISTS members_search ON members (team_id, id, user_name_key, display_name_key);
-- The dashboard's per-hour and per-day counts read (at, status) of a time
-- window without touching the rows (which hold the request bodies).
CREATE INDEX IF NOT EXISTS scim_activity_at_status ON scim_activity (team_id, at, status);
-- It serves every use of 00002's scim_activity_at (team_id, at), a prefix of
-- it: keeping both would maintain two entries per recorded request.
DROP INDEX IF EXISTS scim_activity_at;
-- The last successful request of a key: one seek, however many failures
-- the key had since (a partial index of the 2xx records).
CREATE INDEX IF NOT EXISTS scim_activity_key_success ON scim_activity (team_id, key_id, id) WHERE status / 100 = 2;

-- +goose Down
CREATE INDEX IF NOT EXISTS scim_activity_at ON scim_activity (team_id, at);
DROP INDEX IF EXISTS scim_activity_key_success;
DROP INDEX IF EXISTS scim_activity_at_status;
DROP INDEX IF EXISTS members_search;
DROP INDEX IF EXISTS members_role;
DROP INDEX IF EXISTS members_status;
