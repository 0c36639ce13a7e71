package sqlite

import (
	"context"
	"testing"
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
