-- The admin surfaces: personal tokens, sessions, domain checks, the audit
-- log, the change feed and the SCIM activity log.
--
-- Sessions belong to accounts, not teams. The audit log, the change feed
-- and the activity log are team-owned: their keys start with team_id. No
-- audit or activity row references a member or a key, so deleting a
-- member or a key never touches the history that names it.

-- +goose Up
-- Every statement is idempotent (IF NOT EXISTS), as in 00001: processes
-- that open a new database at once may each run this file (goose has no
-- migration lock for SQLite), so it adds tables, never columns (SQLite's
-- ALTER TABLE ADD COLUMN has no IF NOT EXISTS).

-- The account a personal token (kind rpt) acts for; SCIM keys have no row.
CREATE TABLE IF NOT EXISTS key_accounts (
    team_id    TEXT NOT NULL,
    key_id     TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    PRIMARY KEY (team_id, key_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS key_accounts_key ON key_accounts (key_id); -- for the cascade
CREATE INDEX IF NOT EXISTS key_accounts_account ON key_accounts (team_id, account_id, key_id);

-- The last change-feed sequence number given out in a team; AppendChange
-- increments it (an upsert) in the writing transaction.
CREATE TABLE IF NOT EXISTS change_counters (
    team_id TEXT    NOT NULL PRIMARY KEY REFERENCES teams (id),
    seq     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The last DNS verification attempt of a domain.
CREATE TABLE IF NOT EXISTS domain_checks (
    team_id           TEXT NOT NULL,
    domain            TEXT NOT NULL,
    last_check_at     TEXT,
    last_check_result TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (team_id, domain),
    FOREIGN KEY (team_id, domain) REFERENCES domains (team_id, domain) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS sessions (
    id           TEXT NOT NULL PRIMARY KEY,
    token_hash   BLOB NOT NULL, -- SHA-256 of the session token
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS sessions_token_hash ON sessions (token_hash);
CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account_id);

CREATE TABLE IF NOT EXISTS audit_events (
    team_id     TEXT NOT NULL REFERENCES teams (id),
    id          TEXT NOT NULL, -- UUIDv7: text order is time order
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL, -- JSON object
    PRIMARY KEY (team_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (team_id, actor_id, id);
CREATE INDEX IF NOT EXISTS audit_events_action ON audit_events (team_id, action, id);
CREATE INDEX IF NOT EXISTS audit_events_target ON audit_events (team_id, target_id, id);
CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (team_id, at, id);

CREATE TABLE IF NOT EXISTS change_feed (
    team_id     TEXT    NOT NULL REFERENCES teams (id),
    seq         INTEGER NOT NULL, -- from teams.change_seq: 1, 2, 3, ... per team
    at          TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    resource_id TEXT    NOT NULL DEFAULT '',
    data        TEXT    NOT NULL, -- JSON object
    PRIMARY KEY (team_id, seq)
) STRICT, WITHOUT ROWID;

-- A log, not a record: no foreign keys (a batch of several teams' requests
-- is written in one statement), pruned by age and count per team.
CREATE TABLE IF NOT EXISTS scim_activity (
    team_id       TEXT    NOT NULL,
    id            TEXT    NOT NULL, -- UUIDv7
    at            TEXT    NOT NULL,
    key_id        TEXT    NOT NULL DEFAULT '',
    method        TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    status        INTEGER NOT NULL,
    scim_type     TEXT    NOT NULL DEFAULT '',
    detail        TEXT    NOT NULL DEFAULT '',
    latency_ms    INTEGER NOT NULL DEFAULT 0,
    request_body  TEXT    NOT NULL DEFAULT '',
    response_body TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (team_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS scim_activity_status ON scim_activity (team_id, status, id);
CREATE INDEX IF NOT EXISTS scim_activity_key ON scim_activity (team_id, key_id, id);
CREATE INDEX IF NOT EXISTS scim_activity_at ON scim_activity (team_id, at);

-- +goose Down
DROP TABLE IF EXISTS scim_activity;
DROP TABLE IF EXISTS change_feed;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS sessions;
DROP TABLE IF EXISTS domain_checks;
DROP TABLE IF EXISTS change_counters;
DROP TABLE IF EXISTS key_accounts;
