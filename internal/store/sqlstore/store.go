package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/rosterhq/roster/internal/store"
)

// Config describes a database to New.
type Config struct {
	// Dialect is the backend's SQL dialect.
	Dialect Dialect
	// Read runs reads outside transactions (SQLite: a pool of reader
	// connections; PostgreSQL: the pool).
	Read DB
	// Write runs InTx's transactions (SQLite: the one writer connection;
	// PostgreSQL: the pool).
	Write DB
	// WriteTx are the options of InTx's transactions, or nil. (SQLite's
	// writer connection begins every transaction IMMEDIATE by its DSN.)
	WriteTx *sql.TxOptions
	// ReadTx are the options of the read-only transaction in which a list
	// reads its page and its total from one snapshot.
	ReadTx *sql.TxOptions
	// Retryable reports whether a failed transaction attempt may be run
	// again (PostgreSQL: SQLSTATE 40001 and 40P01); nil never retries.
	Retryable func(error) bool
	// MaxAttempts bounds the attempts of one InTx call (default 10).
	MaxAttempts int
	// Close releases the databases; Store.Close calls it once.
	Close func() error
	// GroupCommit, when above 0, turns on group commit with at most this
	// many InTx calls per transaction: concurrent InTx calls are joined
	// into one transaction and one COMMIT on the single writer (SQLite),
	// each call's fn in its own SAVEPOINT. Retryable is then not used.
	// Zero runs one transaction per call.
	GroupCommit int
	// SparseUpdates makes UpdateMember read the row first and set only the
	// columns that change. SQLite rewrites the entry of every index on a
	// column in an UPDATE's SET list even when its value is unchanged;
	// PostgreSQL compares (a HOT update), so there the read would only add
	// a round trip.
	SparseUpdates bool
}

// Store implements store.Store over database/sql. The backends wrap it
// with their Open functions.
type Store struct {
	base
	cfg     Config
	gc      *committer // nil without group commit
	commits atomic.Uint64
	txs     atomic.Uint64
}

var _ store.Store = (*Store)(nil)

// New returns a Store over the databases in cfg; the databases must be
// migrated.
func New(cfg Config) *Store {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	s := &Store{cfg: cfg}
	s.base = base{d: cfg.Dialect, q: cfg.Read, snapshot: s.readSnapshot, sparse: cfg.SparseUpdates}
	if cfg.GroupCommit > 0 {
		s.gc = newCommitter(s, cfg.GroupCommit)
	}
	return s
}

// TxStats returns the transaction counters (see TxStats).
func (s *Store) TxStats() TxStats {
	st := TxStats{Txs: s.txs.Load(), Commits: s.commits.Load()}
	if s.gc != nil {
		st.Batches = s.gc.batches.Load()
	}
	return st
}

// readSnapshot runs fn in a read-only transaction on the reader pool, so
// that its statements see one snapshot.
func (s *Store) readSnapshot(ctx context.Context, fn func(q Querier) error) error {
	tx, err := s.cfg.Read.BeginTx(ctx, s.cfg.ReadTx)
	if err != nil {
		return s.wrapErr("begin read", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	if err := fn(tx); err != nil {
		return err
	}
	return s.wrapErr("commit read", tx.Commit())
}

// InTx implements store.Store. It retries fn, with jittered exponential
// backoff, while the attempt's error is Retryable and attempts remain.
// fn's own error comes back as fn returned it (unless it is a retryable
// database error that outlived the retries: KindUnavailable). InTx must
// not be called from inside fn. With Config.GroupCommit, the call joins
// the writer's next batch instead (see committer).
func (s *Store) InTx(ctx context.Context, fn func(store.Tx) error) error {
	if s.gc != nil {
		return s.gc.do(ctx, fn)
	}
	for attempt := 1; ; attempt++ {
		err := s.attempt(ctx, fn)
		if err == nil {
			return nil
		}
		if s.cfg.Retryable == nil || !s.cfg.Retryable(err) || attempt >= s.cfg.MaxAttempts {
			var fe fnError
			if errors.As(err, &fe) && !s.d.Transient(fe.err) {
				return fe.err
			}
			return s.wrapErr("transaction", err)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// fnError marks an error that InTx's fn returned (as opposed to one of
// BEGIN or COMMIT).
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }
func (e fnError) Unwrap() error { return e.err }

// attempt runs fn once in a transaction and commits it.
func (s *Store) attempt(ctx context.Context, fn func(store.Tx) error) (err error) {
	sqlTx, err := s.cfg.Write.BeginTx(ctx, s.cfg.WriteTx)
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err == nil {
				err = rbErr
			}
		}
	}()
	t := &Tx{base: base{d: s.d, q: sqlTx, sparse: s.sparse}}
	t.snapshot = t.inTx
	if err := fn(t); err != nil {
		return fnError{err}
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	s.commits.Add(1)
	s.txs.Add(1)
	return nil
}

// backoff returns the wait before attempt+1: full jitter over an
// exponentially growing window, 5ms doubling up to 500ms.
func backoff(attempt int) time.Duration {
	window := 5 * time.Millisecond << min(attempt, 7)
	if window > 500*time.Millisecond {
		window = 500 * time.Millisecond
	}
	return time.Duration(rand.Int64N(int64(window))) //nolint:gosec // jitter needs no cryptographic randomness
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.cfg.Read.PingContext(ctx); err != nil {
		return s.wrapErr("ping", err)
	}
	if s.cfg.Write != s.cfg.Read {
		return s.wrapErr("ping", s.cfg.Write.PingContext(ctx))
	}
	return nil
}

// Close implements store.Store. With group commit it first lets the
// writer finish its current batch; later InTx calls return ErrClosed.
func (s *Store) Close() error {
	if s.gc != nil {
		s.gc.stop()
	}
	if s.cfg.Close == nil {
		return nil
	}
	return s.cfg.Close()
}

// Tx implements store.Tx on one database transaction.
type Tx struct {
	base
}

var _ store.Tx = (*Tx)(nil)

// inTx runs fn on the transaction itself: a transaction already sees one
// snapshot (and its own writes).
func (t *Tx) inTx(_ context.Context, fn func(q Querier) error) error { return fn(t.q) }

// base holds what every Reader and Tx method needs.
type base struct {
	d Dialect
	q Querier
	// snapshot runs fn with a Querier whose statements see one snapshot.
	snapshot func(ctx context.Context, fn func(q Querier) error) error
	// sparse is Config.SparseUpdates.
	sparse bool
}

// exec runs a statement built by b and returns the rows it affected.
func (s *base) exec(ctx context.Context, b *Builder) (int64, error) {
	res, err := s.q.ExecContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
