-- The authentication epoch: one counter, moved by every write that can
-- change an API key check (a key created, revoked or deleted; a team's
-- SCIM switch or name changed), in the transaction of that write. A
-- process may keep the keys it checked in memory for as long as the
-- counter stays where it was when it read them, so the per-request check
-- is one read of one row (store.Reader.AuthEpoch), and a revocation made
-- by any process is seen on the next request. No row means 0.

-- +goose Up
CREATE TABLE IF NOT EXISTS auth_epoch (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE IF EXISTS auth_epoch;
