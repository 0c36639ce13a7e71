-- The authentication epoch: one counter, moved by every write that can
-- change an API key check (a key created, revoked or deleted; a team's
-- SCIM switch or name changed), in the transaction of that write. An
-- instance may keep the keys it checked in memory for as long as the
-- counter stays where it was when it read them, so the per-request check
-- is one read of one row (store.Reader.AuthEpoch), and a revocation made
-- through any instance is seen by every instance on its next request. No
-- row means 0 (the first move inserts it), so this file is DDL only.

-- +goose Up
CREATE TABLE IF NOT EXISTS auth_epoch (
    id INTEGER NOT NULL CHECK (id = 1),
    n  BIGINT  NOT NULL,
    CONSTRAINT auth_epoch_pkey PRIMARY KEY (id)
);

-- +goose Down
DROP TABLE IF EXISTS auth_epoch;
