package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/storetest"
)

// testDSN returns ROSTER_TEST_POSTGRES_DSN, skipping the test when it is
// unset — or failing it when ROSTER_TEST_REQUIRE_POSTGRES=1 (CI).
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("ROSTER_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("ROSTER_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("ROSTER_TEST_REQUIRE_POSTGRES=1 but ROSTER_TEST_POSTGRES_DSN is not set")
		}
		t.Skip("ROSTER_TEST_POSTGRES_DSN is not set")
	}
	return dsn
}

// freshSchema creates an empty schema for one test and drops it when the
// test ends.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to %s: %v", "ROSTER_TEST_POSTGRES_DSN", err)
	}
	defer conn.Close(ctx)
	var buf [8]byte
	if _, err := rand.Read(buf[:]); err != nil {
		t.Fatal(err)
	}
	schema := "roster_test_" + hex.EncodeToString(buf[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return schema
}

// openTemp opens a store on a fresh schema and closes it when the test
// ends (before the schema is dropped).
func openTemp(t *testing.T, opts ...Option) *Store {
	t.Helper()
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	s, err := Open(context.Background(), dsn, append([]Option{WithSchema(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
}
