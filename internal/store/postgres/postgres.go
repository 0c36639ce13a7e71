package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*config)

type config struct {
	maxConns    int32
	maxAttempts int
	schema      string
	params      map[string]string // further session parameters (tests)
}

// WithMaxConns sets the size of the connection pool (default: pgxpool's,
// or pool_max_conns in the DSN).
func WithMaxConns(n int32) Option {
	return func(c *config) {
		if n > 0 {
			c.maxConns = n
		}
	}
}

// WithMaxAttempts bounds how often InTx runs a transaction that keeps
// failing with a serialization failure or deadlock (default 10).
func WithMaxAttempts(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxAttempts = n
		}
	}
}

// WithSchema makes every connection use the given schema (search_path);
// the schema must exist. Tests use it for a fresh schema each.
func WithSchema(name string) Option {
	return func(c *config) { c.schema = name }
}

// Open connects to the PostgreSQL database named by dsn (a postgres://
// URL or key=value string, as pgx reads it), applies the pending
// migrations, and returns the store. The caller must Close it.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{maxAttempts: 10}
	for _, o := range opts {
		o(&cfg)
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if cfg.maxConns > 0 {
		pcfg.MaxConns = cfg.maxConns
	}
	if cfg.schema != "" {
		pcfg.ConnConfig.RuntimeParams["search_path"] = cfg.schema
	}
	for k, v := range cfg.params {
		pcfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	closeAll := func() error {
		err := db.Close()
		pool.Close()
		return err
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: connect: %w", err), closeAll())
	}
	if err := migrate(ctx, db); err != nil {
		return nil, errors.Join(err, closeAll())
	}
	// database/sql (db) only migrates; the store runs on pgx's pool.
	pg := pgxDB{pool: pool}
	s := sqlstore.New(sqlstore.Config{
		Dialect:     dialect{},
		Read:        pg,
		Write:       pg,
		ReadTx:      &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		Retryable:   retryable,
		MaxAttempts: cfg.maxAttempts,
		Close:       closeAll,
	})
	return &Store{Store: s, pool: pool}, nil
}

// migrate applies the embedded migrations with goose: DDL outside
// transactions and apart from goose's version rows (WithIsolateDDL), under
// goose's table lock (a lease row, no advisory lock), so that one of
// several starting instances migrates and the others wait for it.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresTableLocker(
		lock.WithTableLockTimeout(time.Second, 300),
		lock.WithTableUnlockTimeout(time.Second, 60),
	)
	if err != nil {
		return fmt.Errorf("postgres: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithIsolateDDL(true),
		goose.WithLocker(locker),
	)
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Analyze refreshes the planner statistics of Roster's tables (ANALYZE).
// PostgreSQL's autovacuum does it by itself once tables grow; a bulk load
// (roster seed) runs it at once so that the first queries on the loaded
// tables are planned on their real sizes, and a server whose autovacuum is
// off should run it after large imports.
func (s *Store) Analyze(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, "ANALYZE")
	return err
}
