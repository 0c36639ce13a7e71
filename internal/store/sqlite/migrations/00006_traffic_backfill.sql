-- The traffic of the activity already recorded, so that the dashboard's
-- figures continue across the upgrade. Idempotent: minutes already
-- counted are left alone.

-- +goose Up
INSERT INTO scim_traffic (team_id, minute, requests, failures)
SELECT team_id, substr(at, 1, 17) || '00.000000Z', COUNT(*), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END)
FROM scim_activity WHERE true GROUP BY team_id, substr(at, 1, 17)
ON CONFLICT (team_id, minute) DO NOTHING;

-- +goose Down
SELECT 1;
