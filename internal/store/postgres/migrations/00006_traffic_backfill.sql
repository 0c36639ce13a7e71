-- The traffic of the activity already recorded, so that the dashboard's
-- figures continue across the upgrade. DML only, and idempotent: minutes
-- already counted are left alone.

-- +goose Up
INSERT INTO scim_traffic (team_id, minute, requests, failures)
SELECT team_id, date_trunc('minute', at), COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END)
FROM scim_activity GROUP BY team_id, date_trunc('minute', at)
ON CONFLICT (team_id, minute) DO NOTHING;

-- +goose Down
SELECT 1;
