-- SCIM traffic per team and minute: every authenticated SCIM request is
-- counted here (the dashboard's hourly and daily figures), while the
-- activity log (scim_activity) keeps the request details — of every
-- write and failure, and of a sample of the successful reads. Counting is
-- one upsert per team and minute per activity batch, not a row per
-- request, and the counts are exact for the whole retention period,
-- however many requests the activity log keeps.

-- +goose Up
CREATE TABLE IF NOT EXISTS scim_traffic (
    team_id  TEXT    NOT NULL,
    minute   TEXT    NOT NULL, -- the minute's start, in the form of every time column
    requests INTEGER NOT NULL,
    failures INTEGER NOT NULL, -- requests answered with status 400 or above
    PRIMARY KEY (team_id, minute)
) STRICT, WITHOUT ROWID;

-- The activity log's (team_id, at, status) index served only the counts.
DROP INDEX IF EXISTS scim_activity_at_status;

-- +goose Down
CREATE INDEX IF NOT EXISTS scim_activity_at_status ON scim_activity (team_id, at, status);
DROP TABLE IF EXISTS scim_traffic;
