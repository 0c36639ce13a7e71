package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements by SQL text, so that a hot read
// (a filter lookup, a GET by id, the API-key check) is parsed and planned
// once per connection instead of once per call. database/sql prepares a
// cached Stmt lazily on each pool connection that runs it and re-uses it
// there. The cache is bounded: texts beyond max entries (IN lists of
// every length, say) run unprepared.
//
// It is used for reads outside write transactions only: a read holds its
// own pool connection while its rows are open, so one prepared statement
// never serves two open cursors.
type stmtCache struct {
	db  *sql.DB
	max int

	mu       sync.RWMutex
	m        map[string]*sql.Stmt
	inflight map[string]bool // texts being prepared in the background
	wg       sync.WaitGroup
}

func newStmtCache(db *sql.DB, max int) *stmtCache {
	return &stmtCache{db: db, max: max, m: make(map[string]*sql.Stmt), inflight: make(map[string]bool)}
}

// cached returns the statement for query if it is cached. Otherwise it
// starts preparing it in the background (once) and returns nil: the
// caller holds a pool connection inside a transaction, and preparing on
// the pool from there could wait forever for a connection that every
// other such caller holds too.
func (c *stmtCache) cached(query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	busy := c.inflight[query] || len(c.m) >= c.max
	c.mu.RUnlock()
	if ok || busy {
		return st
	}
	c.mu.Lock()
	if c.inflight[query] || c.m[query] != nil {
		c.mu.Unlock()
		return nil
	}
	c.inflight[query] = true
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		c.get(context.Background(), query)
		c.mu.Lock()
		delete(c.inflight, query)
		c.mu.Unlock()
	}()
	return nil
}

// get returns the prepared statement for query, preparing it if there is
// room; nil means "run it unprepared".
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= c.max
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared run reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok {
		_ = st.Close() //nolint:sqlclosecheck // a racing caller cached the same text first
		return old
	}
	if len(c.m) >= c.max {
		_ = st.Close() //nolint:sqlclosecheck // no room: run unprepared
		return nil
	}
	c.m[query] = st
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, st := range c.m {
		_ = st.Close()
		delete(c.m, k)
	}
}

// ExecContext implements Querier.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.get(ctx, query); st != nil { //nolint:sqlclosecheck // cached statements are closed by close
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, query, args...)
}

// QueryContext implements Querier.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.get(ctx, query); st != nil { //nolint:sqlclosecheck // cached statements are closed by close
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, query, args...)
}

// QueryRowContext implements Querier.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.get(ctx, query); st != nil { //nolint:sqlclosecheck // cached statements are closed by close
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, query, args...)
}

// txStmts runs a read-only transaction's statements through the cache
// (database/sql re-uses the statement already prepared on the
// transaction's connection).
type txStmts struct {
	tx *sql.Tx
	c  *stmtCache
}

// ExecContext implements Querier.
func (t txStmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.c.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...) //nolint:sqlclosecheck // closed with the transaction
	}
	return t.tx.ExecContext(ctx, query, args...)
}

// QueryContext implements Querier.
func (t txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...) //nolint:sqlclosecheck // closed with the transaction
	}
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext implements Querier.
func (t txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.cached(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...) //nolint:sqlclosecheck // closed with the transaction
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
