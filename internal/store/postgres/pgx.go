package postgres

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rosterhq/roster/internal/store/sqlstore"
)

// pgxDB runs the store's statements on pgx's own pool, not through
// database/sql: pgx's stdlib adapter converted every argument and value
// twice and kept a goroutine per cursor, and a lookup's Go side cost
// about as much as PostgreSQL's. pgx prepares and caches each statement
// per connection (its default query mode), scans into sql.Scanner
// destinations, and its ErrNoRows matches sql.ErrNoRows. Migrations still
// run through database/sql (goose).
type pgxDB struct{ pool *pgxpool.Pool }

var _ sqlstore.DB = pgxDB{}

func (d pgxDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := d.pool.Exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxResult(tag), nil
}

func (d pgxDB) QueryContext(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := d.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

func (d pgxDB) QueryRowContext(ctx context.Context, query string, args ...any) sqlstore.Row {
	return d.pool.QueryRow(ctx, query, args...)
}

func (d pgxDB) PingContext(ctx context.Context) error { return d.pool.Ping(ctx) }

// BeginTx implements sqlstore.DB with database/sql's options mapped to
// pgx's (read-only, repeatable read or serializable; default otherwise, so
// that default_transaction_isolation applies).
func (d pgxDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (sqlstore.DBTx, error) {
	var o pgx.TxOptions
	if opts != nil {
		if opts.ReadOnly {
			o.AccessMode = pgx.ReadOnly
		}
		switch opts.Isolation {
		case sql.LevelDefault:
		case sql.LevelReadCommitted:
			o.IsoLevel = pgx.ReadCommitted
		case sql.LevelRepeatableRead, sql.LevelSnapshot:
			o.IsoLevel = pgx.RepeatableRead
		case sql.LevelSerializable, sql.LevelLinearizable:
			o.IsoLevel = pgx.Serializable
		default:
			return nil, errors.New("postgres: unsupported isolation level " + opts.Isolation.String())
		}
	}
	tx, err := d.pool.BeginTx(ctx, o)
	if err != nil {
		return nil, err
	}
	return &pgxTx{tx: tx, ctx: ctx}, nil
}

// pgxTx is a transaction; Commit and Rollback use the context it began
// with, stripped of its cancellation so that they always reach the server
// (a COMMIT must not be abandoned half-way by a client that went away).
type pgxTx struct {
	tx  pgx.Tx
	ctx context.Context
}

func (t *pgxTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxResult(tag), nil
}

func (t *pgxTx) QueryContext(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

func (t *pgxTx) QueryRowContext(ctx context.Context, query string, args ...any) sqlstore.Row {
	return t.tx.QueryRow(ctx, query, args...)
}

func (t *pgxTx) Commit() error { return txDone(t.tx.Commit(context.WithoutCancel(t.ctx))) }

func (t *pgxTx) Rollback() error { return txDone(t.tx.Rollback(context.WithoutCancel(t.ctx))) }

// txDone maps pgx's closed-transaction error to database/sql's.
func txDone(err error) error {
	if errors.Is(err, pgx.ErrTxClosed) {
		return sql.ErrTxDone
	}
	return err
}

// pgxRows adapts pgx.Rows (whose Close returns nothing).
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return nil
}

// pgxResult is a command tag as a sql.Result.
type pgxResult pgconn.CommandTag

func (r pgxResult) LastInsertId() (int64, error) {
	return 0, errors.New("postgres: LastInsertId is not supported")
}

func (r pgxResult) RowsAffected() (int64, error) { return pgconn.CommandTag(r).RowsAffected(), nil }
