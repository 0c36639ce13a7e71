package sqlstore

import (
	"context"
	"database/sql"
)

// Rows is a query's cursor: *sql.Rows, or a backend's own (SQLite's
// connections are used without database/sql).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Row is the result of a query read for one row (sql.ErrNoRows when
// there is none).
type Row interface {
	Scan(dest ...any) error
}

// Querier is what the Reader and Tx methods run statements on.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) Row
}

// DB is a pool of connections to one database.
type DB interface {
	Querier
	// BeginTx starts a transaction on one connection of the pool.
	BeginTx(ctx context.Context, opts *sql.TxOptions) (DBTx, error)
	// PingContext checks that the database answers.
	PingContext(ctx context.Context) error
}

// DBTx is a transaction on one connection.
type DBTx interface {
	Querier
	Commit() error
	Rollback() error
}
