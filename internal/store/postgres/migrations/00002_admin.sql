-- The admin surfaces: personal tokens, sessions, domain checks, the audit
-- log, the change feed and the SCIM activity log.
--
-- Still within CockroachDB and YugabyteDB: the change feed numbers its
-- entries from a counter row per team (INSERT ... ON CONFLICT DO UPDATE
-- ... RETURNING, whose row lock serialises one team's writers), not from a
-- sequence. Every statement is idempotent DDL.
--
-- Sessions belong to accounts, not teams. The audit log, the change feed
-- and the activity log are team-owned: their keys start with team_id. No
-- audit or activity row references a member or a key, so deleting a
-- member or a key never touches the history that names it.

-- +goose Up
-- It adds tables, never columns, like the SQLite schema (whose ALTER
-- TABLE ADD COLUMN cannot be made idempotent), so that both run the same
-- statements.

-- The account a personal token (kind rpt) acts for; SCIM keys have no row.
CREATE TABLE IF NOT EXISTS key_accounts (
    team_id    TEXT COLLATE "C" NOT NULL,
    key_id     TEXT COLLATE "C" NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    account_id TEXT COLLATE "C" NOT NULL,
    CONSTRAINT key_accounts_pkey PRIMARY KEY (team_id, key_id)
);
CREATE INDEX IF NOT EXISTS key_accounts_key ON key_accounts (key_id); -- for the cascade
CREATE INDEX IF NOT EXISTS key_accounts_account ON key_accounts (team_id, account_id, key_id);

-- The last change-feed sequence number given out in a team; AppendChange
-- increments it (an upsert, whose row lock serialises the team's writers)
-- in the writing transaction.
CREATE TABLE IF NOT EXISTS change_counters (
    team_id TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    seq     BIGINT NOT NULL,
    CONSTRAINT change_counters_pkey PRIMARY KEY (team_id)
);

-- The last DNS verification attempt of a domain.
CREATE TABLE IF NOT EXISTS domain_checks (
    team_id           TEXT COLLATE "C" NOT NULL,
    domain            TEXT COLLATE "C" NOT NULL,
    last_check_at     TIMESTAMPTZ,
    last_check_result TEXT NOT NULL DEFAULT '',
    CONSTRAINT domain_checks_pkey PRIMARY KEY (team_id, domain),
    CONSTRAINT domain_checks_domain FOREIGN KEY (team_id, domain) REFERENCES domains (team_id, domain) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS sessions (
    id           TEXT COLLATE "C" NOT NULL,
    token_hash   BYTEA NOT NULL, -- SHA-256 of the session token
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_token_hash ON sessions (token_hash);
CREATE INDEX IF NOT EXISTS sessions_account ON sessions (account_id);

CREATE TABLE IF NOT EXISTS audit_events (
    team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    id          TEXT COLLATE "C" NOT NULL, -- UUIDv7: text order is time order
    at          TIMESTAMPTZ NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT '',
    action      TEXT COLLATE "C" NOT NULL,
    target_type TEXT NOT NULL DEFAULT '',
    target_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    summary     JSONB NOT NULL,
    CONSTRAINT audit_events_pkey PRIMARY KEY (team_id, id)
);
CREATE INDEX IF NOT EXISTS audit_events_actor ON audit_events (team_id, actor_id, id);
CREATE INDEX IF NOT EXISTS audit_events_action ON audit_events (team_id, action, id);
CREATE INDEX IF NOT EXISTS audit_events_target ON audit_events (team_id, target_id, id);
CREATE INDEX IF NOT EXISTS audit_events_at ON audit_events (team_id, at, id);

CREATE TABLE IF NOT EXISTS change_feed (
    team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    seq         BIGINT NOT NULL, -- from teams.change_seq: 1, 2, 3, ... per team
    at          TIMESTAMPTZ NOT NULL,
    type        TEXT NOT NULL,
    resource_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    data        JSONB NOT NULL,
    CONSTRAINT change_feed_pkey PRIMARY KEY (team_id, seq)
);

-- A log, not a record: no foreign keys (a batch of several teams' requests
-- is written in one statement), pruned by age and count per team.
CREATE TABLE IF NOT EXISTS scim_activity (
    team_id       TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL, -- UUIDv7
    at            TIMESTAMPTZ NOT NULL,
    key_id        TEXT COLLATE "C" NOT NULL DEFAULT '',
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    status        INTEGER NOT NULL,
    scim_type     TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    latency_ms    BIGINT NOT NULL DEFAULT 0,
    request_body  TEXT NOT NULL DEFAULT '',
    response_body TEXT NOT NULL DEFAULT '',
    CONSTRAINT scim_activity_pkey PRIMARY KEY (team_id, id)
);
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
