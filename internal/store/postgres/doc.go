// Package postgres is Roster's production storage backend: a store.Store
// on PostgreSQL through github.com/jackc/pgx/v5 (a pgxpool pool, used
// through pgx's database/sql adapter by the shared SQL of
// internal/store/sqlstore), for several stateless Roster instances that
// share one database.
//
// Transactions run at PostgreSQL's default isolation, READ COMMITTED, with
// synchronous commit: every write is a single-row or constraint-checked
// statement (uniqueness by unique indexes, optimistic versions by
// "UPDATE ... WHERE version = $n", membership rows by INSERT ... ON
// CONFLICT DO NOTHING under a lock on the group's row), which READ
// COMMITTED makes safe. InTx retries a transaction that fails with a
// serialization failure (SQLSTATE 40001) or a deadlock (40P01), with
// jittered exponential backoff, a bounded number of times.
//
// The SQL stays inside the subset that CockroachDB and YugabyteDB also
// run: no advisory locks, no LISTEN/NOTIFY, no triggers, no sequences for
// ordering, and no DDL mixed with DML in one transaction. Open applies the
// embedded, numbered migrations (migrations/*.sql) with pressly/goose,
// with DDL isolated from goose's bookkeeping and goose's table-based lock
// (not an advisory lock), so that one of several starting instances
// migrates while the others wait.
//
// This package must not import net/http.
package postgres
