package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/driver"
	"github.com/pressly/goose/v3"

	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a store.Store on one SQLite database file.
type Store struct {
	*sqlstore.Store
	write, read *rawDB // the writer connection and the reader pool
}

var _ store.Store = (*Store)(nil)

// Option configures Open.
type Option func(*config)

type config struct {
	readers     int
	busyTimeout time.Duration
	groupCommit int
}

// DefaultGroupCommit is the default bound on the InTx calls joined into
// one transaction (see WithGroupCommit).
const DefaultGroupCommit = 256

// WithGroupCommit sets the most InTx calls that group commit joins into one
// transaction and one fsync (default DefaultGroupCommit). n = 1 commits
// every call on its own (each still in a savepoint on the writer
// goroutine).
func WithGroupCommit(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.groupCommit = n
		}
	}
}

// WithReaders sets the size of the reader connection pool (default 4).
func WithReaders(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readers = n
		}
	}
}

// WithBusyTimeout sets how long a connection waits for a lock held by
// another connection or process before failing with KindUnavailable
// (default 10s).
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.busyTimeout = d
		}
	}
}

// Open opens (creating it if needed) the SQLite database at path, applies
// the pending migrations, and returns the store. The caller must Close it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{readers: 4, busyTimeout: 10 * time.Second, groupCommit: DefaultGroupCommit}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	busy := "busy_timeout(" + strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10) + ")"

	// Set up with database/sql (WAL, migrations, statistics), then serve
	// from raw connections (raw.go).
	setup, err := openWriter(ctx, path, busy, cfg.busyTimeout)
	if err != nil {
		return nil, err
	}
	if err := setup.Close(); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	opener := func(pragmas ...string) func(context.Context) (*sqlite3.Conn, error) {
		name := dsn(path, url.Values{"_pragma": append([]string{busy, "foreign_keys(on)", "temp_store(memory)"}, pragmas...)})
		return func(ctx context.Context) (*sqlite3.Conn, error) {
			c, err := sqlite3.OpenContext(ctx, name)
			if err != nil {
				return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
			}
			if err := registerFunctions(c); err != nil {
				_ = c.Close() //nolint:errcheck // the registration error says more
				return nil, err
			}
			return c, nil
		}
	}
	// One writer, every transaction BEGIN IMMEDIATE. temp_store=memory
	// keeps the savepoint journal of each group-commit call in memory (on
	// a temporary file, every page a call first changed was a pwrite: a
	// third of a create's writer time), and the 32 MiB page cache the
	// upper levels of the members indexes.
	write := newRawDB(1, "BEGIN IMMEDIATE", opener("synchronous(full)", "cache_size(-32768)"))
	// The readers: query-only connections beside the writer (WAL), each
	// with a 16 MiB page cache: with SQLite's default 2 MiB, a lookup's
	// index and row pages were read from the file (a pread each) on a
	// 10k-user database already; 16 MiB holds the upper B-tree levels of
	// a million users' indexes and cut a lookup's CPU by about a tenth.
	read := newRawDB(cfg.readers, "BEGIN", opener("query_only(on)", "cache_size(-16384)"))
	stopStats, statsDone := make(chan struct{}), make(chan struct{})
	go refreshStatistics(opener(), stopStats, statsDone) //nolint:gosec // G118: it outlives Open's context by design; Close stops it
	closeAll := func() error {
		close(stopStats)
		<-statsDone
		return errors.Join(read.Close(), write.Close())
	}
	if err := write.PingContext(ctx); err != nil {
		_ = closeAll()
		return nil, err
	}
	if err := read.PingContext(ctx); err != nil {
		_ = closeAll()
		return nil, err
	}

	s := sqlstore.New(sqlstore.Config{
		Dialect: dialect{},
		Read:    read,
		Write:   write,
		ReadTx:  &sql.TxOptions{ReadOnly: true},
		// Concurrent writes share one transaction and one fsync.
		GroupCommit: cfg.groupCommit,
		// An UPDATE sets only the columns that change (index entries).
		SparseUpdates: true,
		Close:         closeAll,
	})
	return &Store{Store: s, write: write, read: read}, nil
}

// openWriter opens the single writer connection, switches the file to WAL
// and applies the migrations. Several processes opening a brand-new file at
// once can find it locked while one of them switches the journal mode (the
// busy handler is not consulted there), so a "database is locked" during
// this setup is retried until the busy timeout has passed.
func openWriter(ctx context.Context, path, busy string, timeout time.Duration) (*sql.DB, error) {
	deadline := time.Now().Add(timeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		write, err := setupWriter(ctx, path, busy)
		if err == nil || !isLocked(err) || time.Now().After(deadline) {
			return write, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// setupWriter is one attempt of openWriter.
func setupWriter(ctx context.Context, path, busy string) (*sql.DB, error) {
	write, err := driver.Open(dsn(path, url.Values{
		"_txlock": {"immediate"},
		"_pragma": {busy, "journal_mode(wal)", "synchronous(full)", "foreign_keys(on)"},
	}), registerFunctions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	if err := optimize(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	return write, nil
}

// isLocked reports whether err is SQLite's SQLITE_BUSY ("database is
// locked"), however the driver or goose wrapped it.
func isLocked(err error) bool {
	return errors.Is(err, sqlite3.BUSY) || strings.Contains(err.Error(), "database is locked")
}

// dsn returns the driver's "file:" URI for path with query parameters q.
func dsn(path string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	if !strings.HasPrefix(path, "/") {
		u.Opaque = (&url.URL{Path: path}).EscapedPath()
		u.Path = ""
	}
	return u.String()
}

// migrate applies the embedded migrations with goose on the writer. Each
// migration runs in its own IMMEDIATE transaction. (goose has no locker
// for SQLite; the migrations are written with IF NOT EXISTS, so two
// processes opening a new file at the same moment both succeed.)
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// optimize gathers planner statistics when the database has none (a new
// file: the analysis of empty or small tables takes milliseconds).
// Statistics that are merely stale are refreshed later, by
// refreshStatistics: on a million users, ANALYZE reads hundreds of
// megabytes whatever its analysis_limit (20 s from a cold page cache), and
// a start-up must not wait for that. Without statistics SQLite picks plans
// by guesswork; the one that hurt was a member's groups, read by walking
// every group of the team (the store now pins that plan).
func optimize(ctx context.Context, db *sql.DB) error {
	var analyzed int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'").Scan(&analyzed)
	if err != nil {
		return fmt.Errorf("sqlite: optimize: %w", err)
	}
	if analyzed > 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("sqlite: analyze: %w", err)
	}
	return nil
}

// statisticsDelay is how long after Open refreshStatistics runs: once the
// server has served for a while its page cache holds what ANALYZE reads,
// and a short-lived process (a CLI command) never runs it.
const statisticsDelay = time.Minute

// refreshStatistics runs PRAGMA optimize (ANALYZE of the tables whose size
// changed a lot since their statistics were taken) on a connection of its
// own, statisticsDelay after Open, unless stop is closed first. ANALYZE
// takes the write lock while it runs; with a warm page cache that is
// milliseconds to a second on a million users.
func refreshStatistics(open func(context.Context) (*sqlite3.Conn, error), stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTimer(statisticsDelay)
	defer t.Stop()
	select {
	case <-stop:
		return
	case <-t.C:
	}
	c, err := open(context.Background())
	if err != nil {
		return // the next start tries again
	}
	defer c.Close()
	_ = c.Exec("PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002") //nolint:errcheck // statistics are an optimisation: a busy database skips them
}

// Analyze refreshes the planner statistics of the tables whose size
// changed a lot since they were taken (PRAGMA optimize, as the server
// does a minute after it starts); a bulk load (roster seed) runs it at
// once, while the pages it reads are still cached.
func (s *Store) Analyze(ctx context.Context) error {
	_, err := s.write.ExecContext(ctx, "PRAGMA analysis_limit=1000")
	if err == nil {
		_, err = s.write.ExecContext(ctx, "PRAGMA optimize=0x10002")
	}
	return err
}

// registerFunctions adds Roster's SQL functions to a new connection.
func registerFunctions(c *sqlite3.Conn) error {
	const flags = sqlite3.DETERMINISTIC | sqlite3.INNOCUOUS
	err := c.CreateFunction("roster_fold", 1, flags, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		if arg[0].Type() != sqlite3.TEXT {
			ctx.ResultNull()
			return
		}
		ctx.ResultText(filter.FoldCase(arg[0].Text()))
	})
	if err != nil {
		return err
	}
	return c.CreateFunction("roster_time", 1, flags, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		if arg[0].Type() != sqlite3.TEXT {
			ctx.ResultNull()
			return
		}
		t, err := time.Parse(time.RFC3339Nano, arg[0].Text())
		if err != nil {
			ctx.ResultNull()
			return
		}
		ctx.ResultText(sqlstore.TimeKey(t))
	})
}
