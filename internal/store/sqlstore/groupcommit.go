package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/rosterhq/roster/internal/store"
)

// TxStats counts InTx's work since Open.
type TxStats struct {
	// Txs is the number of InTx calls whose fn was committed.
	Txs uint64
	// Commits is the number of database COMMITs that made them durable.
	// With group commit it is smaller than Txs under concurrent writes.
	Commits uint64
	// Batches is the number of group-commit transactions attempted
	// (committed or not); 0 without group commit.
	Batches uint64
}

// ErrClosed is returned by InTx after Close.
var ErrClosed = errors.New("sqlstore: store is closed")

// txReq is one InTx call waiting for the group committer.
type txReq struct {
	ctx  context.Context
	fn   func(store.Tx) error
	err  error // the result; valid after done is closed
	pv   any   // a panic value of fn, re-raised in the caller
	ran  bool  // fn returned nil inside the batch
	done chan struct{}
}

// committer is the single writer goroutine of group commit: it joins the
// InTx calls that arrive while it is busy into one transaction and one
// COMMIT (one fsync). Each call's fn runs inside its own SAVEPOINT, so a
// failing fn undoes only its own writes; every call returns only after
// the shared COMMIT (a failed COMMIT fails all of them).
//
// There is no timer: the first call of a batch starts at once, and the
// calls that arrive while a batch runs (or commits) form the next one, so
// a lone writer pays no extra latency and concurrent writers share the
// fsync.
type committer struct {
	s        *Store
	maxBatch int
	reqs     chan *txReq // unbuffered: a send succeeds only when the writer takes it
	quit     chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
	batches  atomic.Uint64
}

func newCommitter(s *Store, maxBatch int) *committer {
	c := &committer{s: s, maxBatch: maxBatch, reqs: make(chan *txReq), quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// stop ends the writer goroutine after its current batch.
func (c *committer) stop() {
	c.once.Do(func() { close(c.quit) })
	c.wg.Wait()
}

// do hands fn to the writer and waits for its batch to commit. A call
// whose ctx ends before the writer takes it returns ctx's error; once
// taken, it waits for the COMMIT so that its answer is the truth.
func (c *committer) do(ctx context.Context, fn func(store.Tx) error) error {
	r := &txReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.quit:
		return ErrClosed
	}
	<-r.done
	if r.pv != nil {
		panic(r.pv)
	}
	return r.err
}

func (c *committer) loop() {
	defer c.wg.Done()
	batch := make([]*txReq, 0, c.maxBatch)
	for {
		select {
		case r := <-c.reqs:
			batch = append(batch[:0], r)
		case <-c.quit:
			return
		}
		c.run(batch)
		clear(batch)
	}
}

// take adds the calls already waiting to batch, without blocking, up to
// the batch bound.
func (c *committer) take(batch []*txReq) []*txReq {
	for len(batch) < c.maxBatch {
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// run executes one batch in one transaction and answers every call in it.
func (c *committer) run(batch []*txReq) {
	c.batches.Add(1)
	s := c.s
	bg := context.Background()
	sqlTx, err := s.cfg.Write.BeginTx(bg, s.cfg.WriteTx)
	if err != nil {
		batch = c.take(batch)
		finish(batch, s.wrapErr("begin", err))
		return
	}
	// Statements run on a detached context: cancelling one caller must not
	// interrupt the connection, which would roll back its neighbours.
	q := detached{tx: sqlTx}
	var fatal error
	for i := 0; i < len(batch); i++ {
		r := batch[i]
		if err := r.ctx.Err(); err != nil {
			r.err = err
		} else if fatal = c.one(q, r); fatal != nil {
			break
		}
		batch = c.take(batch)
	}
	if fatal == nil {
		if err := sqlTx.Commit(); err != nil {
			fatal = s.wrapErr("commit", err)
		}
	} else {
		_ = sqlTx.Rollback() //nolint:errcheck // the batch already failed
		fatal = s.wrapErr("transaction", fatal)
	}
	if fatal == nil {
		s.commits.Add(1)
	}
	var n uint64
	for _, r := range batch {
		if r.ran {
			if fatal != nil {
				r.err = fatal
			} else {
				n++
			}
		} else if r.err == nil && r.pv == nil {
			r.err = fatal // not reached because an earlier call broke the batch
		}
		close(r.done)
	}
	s.txs.Add(n)
}

// one runs r's fn inside a savepoint. It returns an error only when the
// transaction itself is unusable (a savepoint statement failed); fn's own
// error or panic is recorded in r.
func (c *committer) one(q detached, r *txReq) error {
	if _, err := q.ExecContext(r.ctx, "SAVEPOINT roster_call"); err != nil {
		return err
	}
	t := &Tx{base: base{d: c.s.d, q: q, sparse: c.s.sparse}}
	t.snapshot = t.inTx
	pv, ferr := call(r.fn, t)
	if ferr != nil || pv != nil {
		r.err, r.pv = ferr, pv
		if r.err != nil {
			r.err = unwrapFn(c.s, ferr)
		}
		if _, err := q.ExecContext(r.ctx, "ROLLBACK TO roster_call"); err != nil {
			return fmt.Errorf("rollback to savepoint: %w", err)
		}
	} else {
		r.ran = true
	}
	if _, err := q.ExecContext(r.ctx, "RELEASE roster_call"); err != nil {
		if r.ran {
			r.ran = false
			r.err = err
		}
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// unwrapFn returns fn's error as InTx reports it: as fn returned it unless
// it is a transient database error.
func unwrapFn(s *Store, err error) error {
	if s.d.Transient(err) {
		return s.wrapErr("transaction", err)
	}
	return err
}

// call runs fn, turning a panic into a value the caller re-raises.
func call(fn func(store.Tx) error, t *Tx) (pv any, err error) {
	defer func() {
		if v := recover(); v != nil {
			pv = v
		}
	}()
	return nil, fn(t)
}

// finish answers every call in batch with err.
func finish(batch []*txReq, err error) {
	for _, r := range batch {
		r.err = err
		close(r.done)
	}
}

// detached runs statements on a transaction with contexts whose
// cancellation is ignored (their values are kept): cancelling one caller
// must not interrupt the connection, which would roll back its
// neighbours. Statements are prepared once per connection by the
// backend (SQLite's connections keep theirs), so the writer's critical
// section skips SQLite's parse and plan.
type detached struct {
	tx DBTx
}

func (d detached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (d detached) QueryContext(ctx context.Context, query string, args ...any) (Rows, error) {
	return d.tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (d detached) QueryRowContext(ctx context.Context, query string, args ...any) Row {
	return d.tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}
