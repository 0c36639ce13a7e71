package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/ncruces/go-sqlite3"

	"github.com/rosterhq/roster/internal/store/sqlstore"
)

// The store's connections, used through the ncruces API directly rather
// than database/sql: a pool of SQLite connections, each with its own
// prepared statements, implementing sqlstore.DB. On this SQLite build a
// point read costs about 7 us in SQLite and database/sql's machinery
// (argument conversion, the pool, a goroutine watching each cursor's
// context, per-row interrupt bookkeeping) as much again; a group PATCH
// of 100 members bound 500 values through it. What database/sql did that
// the store relies on is done here: a connection serves one cursor or
// one transaction at a time, a cancelled context interrupts its
// statement, and values convert as database/sql's Scan converts them for
// the destinations the store uses.

// rawDB is a bounded pool of connections made by open.
type rawDB struct {
	open  func(ctx context.Context) (*sqlite3.Conn, error)
	begin string // the BEGIN of a write transaction ("BEGIN IMMEDIATE")
	idle  chan *rawConn
	slots chan struct{} // one token per open connection

	mu     sync.Mutex
	closed bool
	conns  map[*rawConn]struct{}
}

var _ sqlstore.DB = (*rawDB)(nil)

// maxStmts bounds the statements a connection keeps prepared; past it the
// cache starts over (texts that vary, such as IN lists of every length,
// must not grow it without end).
const maxStmts = 512

func newRawDB(max int, begin string, open func(ctx context.Context) (*sqlite3.Conn, error)) *rawDB {
	return &rawDB{open: open, begin: begin, idle: make(chan *rawConn, max), slots: make(chan struct{}, max), conns: map[*rawConn]struct{}{}}
}

// rawConn is one connection and its prepared statements.
type rawConn struct {
	c     *sqlite3.Conn
	stmts map[string]*sqlite3.Stmt
	bad   bool // its state is unknown (a COMMIT or ROLLBACK failed): close it
}

var errDBClosed = errors.New("sqlite: database is closed")

// acquire returns an idle connection, or opens one while the pool has room,
// or waits for one.
func (d *rawDB) acquire(ctx context.Context) (*rawConn, error) {
	select {
	case c := <-d.idle:
		return c, nil
	default:
	}
	select {
	case c := <-d.idle:
		return c, nil
	case d.slots <- struct{}{}:
		c, err := d.open(context.WithoutCancel(ctx))
		if err != nil {
			<-d.slots
			return nil, err
		}
		rc := &rawConn{c: c, stmts: map[string]*sqlite3.Stmt{}}
		d.mu.Lock()
		closed := d.closed
		if !closed {
			d.conns[rc] = struct{}{}
		}
		d.mu.Unlock()
		if closed {
			rc.close()
			<-d.slots
			return nil, errDBClosed
		}
		return rc, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// release returns c to the pool (or closes it when it is bad or the pool
// is closed).
func (d *rawDB) release(c *rawConn) {
	d.mu.Lock()
	closed := d.closed
	if closed || c.bad {
		delete(d.conns, c)
	}
	d.mu.Unlock()
	if closed || c.bad {
		c.close()
		<-d.slots
		return
	}
	d.idle <- c
}

// Close closes the idle connections and marks the pool closed; busy ones
// close when released.
func (d *rawDB) Close() error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	var errs []error
	for {
		select {
		case c := <-d.idle:
			d.mu.Lock()
			delete(d.conns, c)
			d.mu.Unlock()
			errs = append(errs, c.close())
			<-d.slots
		default:
			return errors.Join(errs...)
		}
	}
}

func (c *rawConn) close() error {
	for _, st := range c.stmts {
		_ = st.Close() //nolint:errcheck // closing the connection reports what matters
	}
	c.stmts = nil
	return c.c.Close()
}

// stmt returns a prepared statement for query and whether it is the
// connection's cached one (else the caller closes it): a cached statement
// still open in another cursor of the same transaction is not shared.
func (c *rawConn) stmt(query string) (*sqlite3.Stmt, bool, error) {
	if st, ok := c.stmts[query]; ok && !st.Busy() {
		return st, true, nil
	} else if ok {
		st, err := c.prepare(query)
		return st, false, err
	}
	st, err := c.prepare(query)
	if err != nil {
		return nil, false, err
	}
	if len(c.stmts) >= maxStmts {
		for q, old := range c.stmts {
			_ = old.Close() //nolint:errcheck // a finalised statement has nothing to report
			delete(c.stmts, q)
		}
	}
	c.stmts[query] = st
	return st, true, nil
}

func (c *rawConn) prepare(query string) (*sqlite3.Stmt, error) {
	st, tail, err := c.c.Prepare(query)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(tail) != "" {
		_ = st.Close() //nolint:errcheck // refused anyway
		return nil, fmt.Errorf("sqlite: more than one statement in %q", query)
	}
	if st == nil {
		return nil, fmt.Errorf("sqlite: no statement in %q", query)
	}
	return st, nil
}

// run prepares and binds query on c, with ctx interrupting it. The
// returned done must be called once the statement is finished with.
func (c *rawConn) run(ctx context.Context, query string, args []any) (*sqlite3.Stmt, func(), error) {
	st, cached, err := c.stmt(query)
	if err != nil {
		return nil, nil, err
	}
	var old context.Context
	if ctx.Done() != nil {
		old = c.c.SetInterrupt(ctx)
	}
	done := func() {
		_ = st.Reset()         //nolint:errcheck // the step reported the error
		_ = st.ClearBindings() //nolint:errcheck // nothing to report
		if !cached {
			_ = st.Close() //nolint:errcheck // a finalised statement has nothing to report
		}
		if old != nil {
			c.c.SetInterrupt(old)
		}
	}
	if err := bind(st, args); err != nil {
		done()
		return nil, nil, err
	}
	return st, done, nil
}

// bind binds args to st's parameters in order.
func bind(st *sqlite3.Stmt, args []any) error {
	if n := st.BindCount(); n != len(args) {
		return fmt.Errorf("sqlite: expected %d arguments, got %d", n, len(args))
	}
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case nil:
			err = st.BindNull(i + 1)
		case string:
			err = st.BindText(i+1, v)
		case []byte:
			if v == nil {
				err = st.BindNull(i + 1)
			} else {
				err = st.BindBlob(i+1, v)
			}
		case int:
			err = st.BindInt64(i+1, int64(v))
		case int64:
			err = st.BindInt64(i+1, v)
		case bool:
			err = st.BindBool(i+1, v)
		case float64:
			err = st.BindFloat(i+1, v)
		default:
			return fmt.Errorf("sqlite: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// exec runs a statement that returns no rows.
func (c *rawConn) exec(ctx context.Context, query string, args []any) (sql.Result, error) {
	st, done, err := c.run(ctx, query, args)
	if err != nil {
		return nil, err
	}
	defer done()
	c.c.SetLastInsertRowID(0)
	if err := st.Exec(); err != nil {
		return nil, err
	}
	return rawResult{id: c.c.LastInsertRowID(), n: c.c.Changes()}, nil
}

type rawResult struct{ id, n int64 }

func (r rawResult) LastInsertId() (int64, error) { return r.id, nil }
func (r rawResult) RowsAffected() (int64, error) { return r.n, nil }

// query starts a cursor on c; release is called when it closes.
func (c *rawConn) query(ctx context.Context, q string, args []any, release func()) (*rawRows, error) {
	st, done, err := c.run(ctx, q, args)
	if err != nil {
		return nil, err
	}
	return &rawRows{st: st, done: done, release: release}, nil
}

// ExecContext implements sqlstore.Querier.
func (d *rawDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer d.release(c)
	return c.exec(ctx, query, args)
}

// QueryContext implements sqlstore.Querier: the cursor holds its
// connection until it is closed.
func (d *rawDB) QueryContext(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	c, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(ctx, query, args, func() { d.release(c) })
	if err != nil {
		d.release(c)
		return nil, err
	}
	return rows, nil
}

// QueryRowContext implements sqlstore.Querier.
func (d *rawDB) QueryRowContext(ctx context.Context, query string, args ...any) sqlstore.Row {
	rows, err := d.QueryContext(ctx, query, args...)
	return rawRow{rows: rows, err: err}
}

// PingContext implements sqlstore.DB.
func (d *rawDB) PingContext(ctx context.Context) error {
	var one int64
	return d.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// BeginTx implements sqlstore.DB: a read-only transaction is deferred
// (its snapshot starts at its first read); any other is d.begin.
func (d *rawDB) BeginTx(ctx context.Context, opts *sql.TxOptions) (sqlstore.DBTx, error) {
	c, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	begin := d.begin
	if opts != nil && opts.ReadOnly {
		begin = "BEGIN"
	}
	if err := c.c.Exec(begin); err != nil {
		d.release(c)
		return nil, err
	}
	return &rawTx{d: d, c: c}, nil
}

// rawTx is a transaction on one connection.
type rawTx struct {
	d    *rawDB
	c    *rawConn
	done bool
}

func (t *rawTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.done {
		return nil, sql.ErrTxDone
	}
	return t.c.exec(ctx, query, args)
}

func (t *rawTx) QueryContext(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	if t.done {
		return nil, sql.ErrTxDone
	}
	return t.c.query(ctx, query, args, nil)
}

func (t *rawTx) QueryRowContext(ctx context.Context, query string, args ...any) sqlstore.Row {
	rows, err := t.QueryContext(ctx, query, args...)
	return rawRow{rows: rows, err: err}
}

// Commit implements sqlstore.DBTx.
func (t *rawTx) Commit() error { return t.end("COMMIT") }

// Rollback implements sqlstore.DBTx.
func (t *rawTx) Rollback() error { return t.end("ROLLBACK") }

func (t *rawTx) end(stmt string) error {
	if t.done {
		return sql.ErrTxDone
	}
	t.done = true
	err := t.c.c.Exec(stmt)
	if err != nil && !t.c.c.GetAutocommit() {
		// Still inside the transaction: undo it, or give the connection up.
		if rerr := t.c.c.Exec("ROLLBACK"); rerr != nil {
			t.c.bad = true
		}
	}
	t.d.release(t.c)
	return err
}

// rawRows is a cursor. It finishes its statement (and releases the pool
// connection it holds, outside a transaction) when Next reaches the end or
// fails, or on Close.
type rawRows struct {
	st      *sqlite3.Stmt
	done    func()
	release func() // nil inside a transaction
	vals    []any
	err     error
	closed  bool
}

func (r *rawRows) Next() bool {
	if r.closed {
		return false
	}
	if r.st.Step() {
		return true
	}
	r.err = r.st.Err()
	_ = r.Close() //nolint:errcheck // Close of a finished cursor has nothing to add
	return false
}

func (r *rawRows) Err() error { return r.err }

func (r *rawRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.done()
	if r.release != nil {
		r.release()
	}
	return nil
}

var errNoRow = errors.New("sql: Scan called without calling Next")

func (r *rawRows) Scan(dest ...any) error {
	if r.closed {
		return errNoRow
	}
	if n := r.st.ColumnCount(); n != len(dest) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", n, len(dest))
	}
	if cap(r.vals) < len(dest) {
		r.vals = make([]any, len(dest))
	}
	vals := r.vals[:len(dest)]
	if err := r.st.ColumnsRaw(vals...); err != nil {
		return err
	}
	for i, v := range vals {
		if err := assign(dest[i], v, r.st.ColumnType(i)); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d, name %q: %w", i, r.st.ColumnName(i), err)
		}
		vals[i] = nil
	}
	return nil
}

// rawRow is QueryRowContext's result.
type rawRow struct {
	rows sqlstore.Rows
	err  error
}

func (r rawRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return r.rows.Scan(dest...)
}

// assign stores a column value (from ColumnsRaw: int64, float64, nil, or
// bytes owned by SQLite for TEXT and BLOB) in dest, as database/sql's Scan
// converts driver values for these destinations: TEXT is a string to a
// sql.Scanner or *any, BLOB a copied []byte.
func assign(dest, v any, typ sqlite3.Datatype) error {
	switch d := dest.(type) {
	case *string:
		switch x := v.(type) {
		case []byte:
			*d = string(x)
		case int64:
			*d = strconv.FormatInt(x, 10)
		case float64:
			*d = strconv.FormatFloat(x, 'g', -1, 64)
		case nil:
			return errors.New("converting NULL to string is unsupported")
		}
		return nil
	case *[]byte:
		switch x := v.(type) {
		case []byte:
			*d = append([]byte(nil), x...)
		case nil:
			*d = nil
		case int64:
			*d = strconv.AppendInt(nil, x, 10)
		case float64:
			*d = strconv.AppendFloat(nil, x, 'g', -1, 64)
		}
		return nil
	case *int64:
		n, err := toInt(v)
		*d = n
		return err
	case *int:
		n, err := toInt(v)
		*d = int(n)
		return err
	case *bool:
		switch x := v.(type) {
		case int64:
			if x != 0 && x != 1 {
				return fmt.Errorf("sql/driver: couldn't convert %d into type bool", x)
			}
			*d = x == 1
			return nil
		case []byte:
			b, err := strconv.ParseBool(string(x))
			*d = b
			return err
		}
		return fmt.Errorf("converting %T to bool is unsupported", v)
	case *float64:
		switch x := v.(type) {
		case float64:
			*d = x
		case int64:
			*d = float64(x)
		case []byte:
			f, err := strconv.ParseFloat(string(x), 64)
			*d = f
			return err
		default:
			return errors.New("converting NULL to float64 is unsupported")
		}
		return nil
	case *any:
		*d = driverValue(v, typ)
		return nil
	case sql.Scanner:
		return d.Scan(driverValue(v, typ))
	}
	return fmt.Errorf("unsupported Scan destination %T", dest)
}

// driverValue is the value database/sql hands a Scanner: TEXT as a
// string, BLOB as a copy.
func driverValue(v any, typ sqlite3.Datatype) any {
	if b, ok := v.([]byte); ok {
		if typ == sqlite3.BLOB {
			return append([]byte(nil), b...)
		}
		return string(b)
	}
	return v
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
		return 0, fmt.Errorf("converting %v to an integer loses its fraction", x)
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	}
	return 0, errors.New("converting NULL to int is unsupported")
}
