-- Roster's schema on PostgreSQL (see internal/store/sqlstore for the rules).
--
-- It stays inside what CockroachDB and YugabyteDB also run: no advisory
-- locks, no LISTEN/NOTIFY, no triggers, no sequences for ordering (ids are
-- UUIDv7 text from the application), and every statement of this file is
-- DDL (goose runs it with DDL isolated from its own bookkeeping). The
-- statements are idempotent (IF NOT EXISTS).
--
-- Text keys use COLLATE "C": byte (code-point) order, as filter.Match
-- orders strings, whatever the database's default collation. The *_key
-- columns hold the case-insensitive keys folded in Go (filter.FoldCase).
--
-- Every table of team-owned data carries team_id, and every unique index
-- on it starts with team_id, except the deliberately global ones:
-- members_account (an account is a member of at most one team),
-- members_id and groups_id (server-generated ids are unique across teams,
-- so an id names one resource in one team only), api_keys_prefix and
-- api_keys_pkey (a key decides its team).

-- +goose Up
CREATE TABLE IF NOT EXISTS teams (
    id           TEXT COLLATE "C" NOT NULL,
    slug         TEXT NOT NULL,
    slug_key     TEXT COLLATE "C" NOT NULL,
    name         TEXT NOT NULL,
    scim_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    member_count BIGINT NOT NULL DEFAULT 0, -- rows in members, kept in the same transaction
    group_count  BIGINT NOT NULL DEFAULT 0, -- rows in groups, likewise
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT teams_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS teams_slug ON teams (slug_key);
CREATE INDEX IF NOT EXISTS teams_created ON teams (created_at, id);

CREATE TABLE IF NOT EXISTS accounts (
    id            TEXT COLLATE "C" NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT COLLATE "C" NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT accounts_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS accounts_email ON accounts (email_key);

-- A member is an account's membership in a team: the SCIM User.
CREATE TABLE IF NOT EXISTS members (
    team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    id               TEXT COLLATE "C" NOT NULL,
    account_id       TEXT COLLATE "C" REFERENCES accounts (id),
    user_name        TEXT NOT NULL,
    user_name_key    TEXT COLLATE "C" NOT NULL, -- folded userName as served (the email when userName is empty)
    external_id      TEXT COLLATE "C",          -- NULL when empty
    display_name     TEXT,                      -- the document's displayName, NULL when it has none
    display_name_key TEXT COLLATE "C",
    email            TEXT NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL,
    status           TEXT NOT NULL DEFAULT '',
    role             TEXT NOT NULL DEFAULT '',
    scim_managed     BOOLEAN NOT NULL DEFAULT FALSE,
    doc              JSONB NOT NULL,
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT members_pkey PRIMARY KEY (team_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS members_id ON members (id);
CREATE UNIQUE INDEX IF NOT EXISTS members_user_name ON members (team_id, user_name_key);
CREATE UNIQUE INDEX IF NOT EXISTS members_account ON members (account_id);
CREATE INDEX IF NOT EXISTS members_external_id ON members (team_id, external_id);
CREATE INDEX IF NOT EXISTS members_display_name ON members (team_id, display_name_key);
CREATE INDEX IF NOT EXISTS members_active ON members (team_id, active, id);
CREATE INDEX IF NOT EXISTS members_created ON members (team_id, created_at, id);
CREATE INDEX IF NOT EXISTS members_updated ON members (team_id, updated_at, id);

-- One row per email of a member's served "emails", folded, so that
-- emails.value eq and emails[type eq "work"].value eq are index lookups.
CREATE TABLE IF NOT EXISTS member_emails (
    team_id    TEXT COLLATE "C" NOT NULL,
    member_id  TEXT COLLATE "C" NOT NULL,
    ord        INTEGER NOT NULL, -- position in the served array
    value      TEXT COLLATE "C",
    type       TEXT COLLATE "C",
    display    TEXT COLLATE "C",
    is_primary BOOLEAN,          -- NULL when the element has no boolean "primary"
    CONSTRAINT member_emails_pkey PRIMARY KEY (team_id, member_id, ord),
    CONSTRAINT member_emails_member FOREIGN KEY (team_id, member_id) REFERENCES members (team_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS member_emails_value ON member_emails (team_id, value);

CREATE TABLE IF NOT EXISTS groups (
    team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    id               TEXT COLLATE "C" NOT NULL,
    display_name     TEXT NOT NULL,
    display_name_key TEXT COLLATE "C" NOT NULL,
    external_id      TEXT COLLATE "C",
    doc              JSONB NOT NULL,
    member_count     BIGINT NOT NULL DEFAULT 0, -- rows in group_members, kept in the same transaction
    version          BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT groups_pkey PRIMARY KEY (team_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS groups_id ON groups (id);
CREATE UNIQUE INDEX IF NOT EXISTS groups_display_name ON groups (team_id, display_name_key);
CREATE INDEX IF NOT EXISTS groups_external_id ON groups (team_id, external_id);
CREATE INDEX IF NOT EXISTS groups_created ON groups (team_id, created_at, id);
CREATE INDEX IF NOT EXISTS groups_updated ON groups (team_id, updated_at, id);

-- Group membership as rows. member_id names a member (member_type 'User')
-- or a group ('Group') of the same team.
CREATE TABLE IF NOT EXISTS group_members (
    team_id     TEXT COLLATE "C" NOT NULL,
    group_id    TEXT COLLATE "C" NOT NULL,
    member_id   TEXT COLLATE "C" NOT NULL,
    member_type TEXT NOT NULL,
    display     TEXT NOT NULL DEFAULT '',
    CONSTRAINT group_members_pkey PRIMARY KEY (team_id, group_id, member_id),
    CONSTRAINT group_members_group FOREIGN KEY (team_id, group_id) REFERENCES groups (team_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS group_members_member ON group_members (team_id, member_id);

CREATE TABLE IF NOT EXISTS api_keys (
    id           TEXT COLLATE "C" NOT NULL,
    team_id      TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    prefix       TEXT COLLATE "C" NOT NULL,
    hash         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ,
    CONSTRAINT api_keys_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_prefix ON api_keys (prefix);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys (team_id, kind, created_at);

CREATE TABLE IF NOT EXISTS domains (
    team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
    domain      TEXT COLLATE "C" NOT NULL, -- folded
    token       TEXT NOT NULL,
    verified    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    verified_at TIMESTAMPTZ,
    CONSTRAINT domains_pkey PRIMARY KEY (team_id, domain)
);

-- +goose Down
DROP TABLE IF EXISTS domains;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS group_members;
DROP TABLE IF EXISTS groups;
DROP TABLE IF EXISTS member_emails;
DROP TABLE IF EXISTS members;
DROP TABLE IF EXISTS accounts;
DROP TABLE IF EXISTS teams;
