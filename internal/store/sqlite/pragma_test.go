package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/store"
)

// TestPragmas: the writer runs WAL with synchronous=FULL, foreign keys, a
// busy timeout, an in-memory temp store and a 32 MiB page cache, alone;
// the readers are query-only with 16 MiB page caches.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	pragma := func(db *rawDB, name string) string {
		t.Helper()
		var v string
		if err := db.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		return v
	}
	for _, tc := range []struct {
		db         *rawDB
		name, want string
	}{
		{s.write, "journal_mode", "wal"},
		{s.write, "synchronous", "2"}, // FULL
		{s.write, "foreign_keys", "1"},
		{s.write, "busy_timeout", "10000"},
		{s.write, "query_only", "0"},
		{s.write, "temp_store", "2"}, // MEMORY
		{s.write, "cache_size", "-32768"},
		{s.read, "temp_store", "2"},
		{s.read, "cache_size", "-16384"},
		{s.read, "journal_mode", "wal"},
		{s.read, "foreign_keys", "1"},
		{s.read, "busy_timeout", "10000"},
		{s.read, "query_only", "1"},
	} {
		if got := pragma(tc.db, tc.name); got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.name, got, tc.want)
		}
	}
	if n := cap(s.write.slots); n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
}

// TestAnalyze: Analyze takes statistics of a table that grew from none
// (what roster seed runs after a bulk load).
func TestAnalyze(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	err := s.InTx(ctx, func(tx store.Tx) error {
		for i := range 300 {
			if err := tx.CreateTeam(ctx, newTeam(fmt.Sprintf("a%03d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	var stat string
	if err := s.read.QueryRowContext(ctx, "SELECT stat FROM sqlite_stat1 WHERE tbl = 'teams' AND idx = 'teams_slug'").Scan(&stat); err != nil {
		t.Fatalf("no statistics for teams after Analyze: %v", err)
	}
	if !strings.HasPrefix(stat, "300 ") {
		t.Errorf("teams_slug statistics %q, want 300 rows", stat)
	}
}
