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

// SQLDB adapts a database/sql pool to DB (PostgreSQL, whose driver
// caches prepared statements itself).
func SQLDB(db *sql.DB) DB { return sqlDB{db} }

type sqlDB struct{ db *sql.DB }

func (d sqlDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.db.ExecContext(ctx, query, args...)
}

func (d sqlDB) QueryContext(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (d sqlDB) QueryRowContext(ctx context.Context, query string, args ...any) Row {
	return d.db.QueryRowContext(ctx, query, args...)
}

func (d sqlDB) PingContext(ctx context.Context) error { return d.db.PingContext(ctx) }

func (d sqlDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (DBTx, error) {
	tx, err := d.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return sqlTx{tx}, nil
}

type sqlTx struct{ tx *sql.Tx }

func (t sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

func (t sqlTx) QueryContext(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (t sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

func (t sqlTx) Commit() error   { return t.tx.Commit() }
func (t sqlTx) Rollback() error { return t.tx.Rollback() }
