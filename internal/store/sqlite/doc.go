// Package sqlite is Roster's embedded storage backend: a store.Store on
// SQLite through github.com/ncruces/go-sqlite3 (pure Go, no cgo), with the
// shared SQL of internal/store/sqlstore run on a pool of the package's own
// connections (raw.go; the database/sql driver only migrates and backs
// up).
//
// Durability and concurrency: the database runs in WAL mode with
// synchronous=FULL (a commit is on disk when InTx returns), foreign keys
// on and a busy timeout. Writes go through exactly one writer connection
// whose transactions begin IMMEDIATE, so a write transaction never fails
// half-way on a lock and there is never more than one writer; reads go
// through a separate pool of reader connections, which WAL lets run
// beside the writer. Several processes may open one file (the CLI beside
// a running server): the busy timeout serialises their writers.
//
// Open applies the embedded, numbered migrations (migrations/*.sql) with
// pressly/goose before it returns.
//
// The Go functions roster_fold (filter.FoldCase) and roster_time (an
// RFC 3339 instant as sqlstore.TimeKey) are registered on every
// connection, so that filters on document attributes compare exactly as
// filter.Match does.
//
// This package must not import net/http.
package sqlite
