// Package provisiontest gives tests of internal/provision and
// internal/httpapi a real store: SQLite always, PostgreSQL when
// ROSTER_TEST_POSTGRES_DSN is set (ROSTER_TEST_REQUIRE_POSTGRES=1 turns a
// missing or unreachable database into a failure). It creates teams and
// keys through internal/admin, so transport tests never import a store
// package themselves.
//
// On PostgreSQL every store gets a fresh schema of the test database,
// dropped when the test ends. Every Env also has its own team slugs and
// email domain (Env.Email).
//
// It is a test helper: production code must not import it.
package provisiontest

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/postgres"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// Environment variables of the PostgreSQL backend.
const (
	EnvPostgresDSN     = "ROSTER_TEST_POSTGRES_DSN"
	EnvRequirePostgres = "ROSTER_TEST_REQUIRE_POSTGRES"
)

// Backend is a store backend tests run on.
type Backend struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Open returns a migrated store, closed when the test ends.
	Open func(t testing.TB) store.Store
}

// Backends returns SQLite and, when configured, PostgreSQL.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: "sqlite", Open: OpenSQLite}}
	dsn := os.Getenv(EnvPostgresDSN)
	require := os.Getenv(EnvRequirePostgres) == "1"
	switch {
	case dsn != "":
		out = append(out, Backend{Name: "postgres", Open: func(t testing.TB) store.Store { return openPostgres(t, dsn) }})
	case require:
		t.Fatalf("%s=1 but %s is not set", EnvRequirePostgres, EnvPostgresDSN)
	}
	return out
}

// OpenSQLite opens a new SQLite store in a temporary directory.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "roster.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	dumpers.Store(store.Store(st), dumpSQLite(path))
	return st
}

func openPostgres(t testing.TB, dsn string) store.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fail := func(format string, args ...any) {
		t.Helper()
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		fail("postgres unreachable: %v", err)
	}
	defer conn.Close(ctx)
	schema := "roster_ptest_" + strings.ToLower(rand.Text()[:16])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		fail("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("postgres: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("postgres: drop schema %s: %v", schema, err)
		}
	})
	st, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
	if err != nil {
		fail("open postgres: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() }) // runs before the schema is dropped
	dumpers.Store(store.Store(st), dumpPostgres(dsn, schema))
	return st
}

// Env is a store with one team (SCIM on) and one SCIM key.
type Env struct {
	Store  store.Store
	Admin  *admin.Service
	Team   core.Team
	Key    string
	Domain string
	t      testing.TB
}

// New makes an Env on st: a team with a unique slug, SCIM switched on, a
// key, and a unique email domain.
func New(t testing.TB, st store.Store) *Env {
	t.Helper()
	e := &Env{Store: st, Admin: admin.New(st), Domain: strings.ToLower(rand.Text()[:10]) + ".test", t: t}
	e.Team, e.Key = e.NewTeam(true)
	return e
}

func (e *Env) ctx() context.Context { return context.Background() }

// NewTeam creates another team in the same store, with SCIM on or off,
// and returns it with a fresh key.
func (e *Env) NewTeam(scimOn bool) (core.Team, string) {
	e.t.Helper()
	slug := "t-" + strings.ToLower(rand.Text()[:12])
	team, err := e.Admin.CreateTeam(e.ctx(), slug, "Test "+slug)
	if err != nil {
		e.t.Fatalf("create team: %v", err)
	}
	if scimOn {
		if team, err = e.Admin.SetSCIM(e.ctx(), team.ID, true); err != nil {
			e.t.Fatalf("enable SCIM: %v", err)
		}
	}
	return team, e.NewKey(team.ID)
}

// NewKey creates a SCIM key for a team and returns its secret.
func (e *Env) NewKey(teamID string) string {
	e.t.Helper()
	k, err := e.Admin.CreateKey(e.ctx(), teamID, "test", "test", 0)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return k.Secret
}

// RevokedKey creates a key for a team and revokes it.
func (e *Env) RevokedKey(teamID string) string {
	e.t.Helper()
	k, err := e.Admin.CreateKey(e.ctx(), teamID, "revoked", "test", 0)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	if err := e.Admin.RevokeKey(e.ctx(), teamID, k.Key.ID); err != nil {
		e.t.Fatalf("revoke key: %v", err)
	}
	return k.Secret
}

// ExpiredKey creates a key for a team that expired a minute ago.
func (e *Env) ExpiredKey(teamID string) string {
	e.t.Helper()
	past := admin.New(e.Store, admin.WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	k, err := past.CreateKey(e.ctx(), teamID, "expired", "test", time.Minute)
	if err != nil {
		e.t.Fatalf("create key: %v", err)
	}
	return k.Secret
}

// SetSCIM switches SCIM on or off for a team.
func (e *Env) SetSCIM(teamID string, on bool) {
	e.t.Helper()
	if _, err := e.Admin.SetSCIM(e.ctx(), teamID, on); err != nil {
		e.t.Fatalf("set SCIM: %v", err)
	}
}

// VerifyDomain records a verified domain for a team.
func (e *Env) VerifyDomain(teamID, domain string) {
	e.t.Helper()
	err := e.Store.InTx(e.ctx(), func(tx store.Tx) error {
		return tx.AddDomain(e.ctx(), teamID, domain, "token", true, time.Now().UTC())
	})
	if err != nil {
		e.t.Fatalf("verify domain: %v", err)
	}
}

// Email returns local@ the Env's own domain.
func (e *Env) Email(local string) string { return local + "@" + e.Domain }

// KeyLastUsed returns the last use of each of a team's SCIM keys, newest
// key first (nil: never used).
func (e *Env) KeyLastUsed(teamID string) []*time.Time {
	e.t.Helper()
	keys, err := e.Store.Keys(e.ctx(), teamID, core.KeySCIM)
	if err != nil {
		e.t.Fatalf("keys: %v", err)
	}
	out := make([]*time.Time, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.LastUsed)
	}
	return out
}
