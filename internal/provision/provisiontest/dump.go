package provisiontest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/ncruces/go-sqlite3/driver" // database/sql driver "sqlite3" for DumpText

	"github.com/rosterhq/roster/internal/store"
)

// dumpers maps each store a test opened to a function that reads every
// row of every table of its database as text.
var dumpers sync.Map // store.Store -> func(testing.TB) string

// DumpText returns the text of every row of every table of the database
// behind st (which must come from this package), one line per row
// ("table: col=value ..."), for tests that look for secrets stored in
// clear. Binary columns are included as raw bytes.
func DumpText(t testing.TB, st store.Store) string {
	t.Helper()
	f, ok := dumpers.Load(st)
	if !ok {
		t.Fatalf("DumpText: store not opened by provisiontest")
	}
	return f.(func(testing.TB) string)(t)
}

func dumpSQLite(path string) func(testing.TB) string {
	return func(t testing.TB) string {
		t.Helper()
		u := url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}
		db, err := sql.Open("sqlite3", u.String())
		if err != nil {
			t.Fatalf("dump: open: %v", err)
		}
		defer db.Close()
		return dumpDB(t, db, "SELECT name FROM sqlite_master WHERE type = 'table'", func(table string) string {
			return `SELECT * FROM "` + table + `"`
		})
	}
}

func dumpPostgres(dsn, schema string) func(testing.TB) string {
	return func(t testing.TB) string {
		t.Helper()
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("dump: connect: %v", err)
		}
		defer conn.Close(ctx)
		rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
		if err != nil {
			t.Fatalf("dump: tables: %v", err)
		}
		var tables []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatalf("dump: %v", err)
			}
			tables = append(tables, n)
		}
		rows.Close()
		var b strings.Builder
		for _, tb := range tables {
			rows, err := conn.Query(ctx, fmt.Sprintf(`SELECT row_to_json(t)::text FROM %s.%q t`, schema, tb))
			if err != nil {
				t.Fatalf("dump %s: %v", tb, err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatalf("dump %s: %v", tb, err)
				}
				fmt.Fprintf(&b, "%s: %s\n", tb, line)
			}
			rows.Close()
		}
		return b.String()
	}
}

func dumpDB(t testing.TB, db *sql.DB, list string, selectAll func(string) string) string {
	t.Helper()
	tables, err := tableNames(db, list)
	if err != nil {
		t.Fatalf("dump: tables: %v", err)
	}
	var b strings.Builder
	for _, tb := range tables {
		if err := dumpTable(&b, db, tb, selectAll(tb)); err != nil {
			t.Fatalf("dump %s: %v", tb, err)
		}
	}
	return b.String()
}

func tableNames(db *sql.DB, list string) ([]string, error) {
	rows, err := db.Query(list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		tables = append(tables, n)
	}
	return tables, rows.Err()
}

func dumpTable(b *strings.Builder, db *sql.DB, table, query string) error {
	rows, err := db.Query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.WriteString(table + ":")
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(b, " %s=%v", cols[i], v)
		}
		b.WriteByte('\n')
	}
	return rows.Err()
}
