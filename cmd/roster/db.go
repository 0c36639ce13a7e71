package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/postgres"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// defaultDSN is the database a newcomer gets: a SQLite file in the working
// directory.
const defaultDSN = "sqlite:roster.db"

// dbFlag registers --db with ROSTER_DB as its default.
func dbFlag(fs *flag.FlagSet, getenv env) *string {
	return fs.String("db", envDefault(getenv, "ROSTER_DB", defaultDSN),
		"database: sqlite:PATH or postgres://... (env ROSTER_DB)")
}

// openStore opens the database a DSN names and applies pending migrations.
// This explicit switch is the only place a backend is chosen.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, usageError{"--db sqlite: needs a file path, e.g. sqlite:roster.db"}
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	default:
		return nil, usageError{fmt.Sprintf("--db %q: use sqlite:PATH or a postgres:// URL", redactDSN(dsn))}
	}
}

// redactDSN hides a password in a DSN before it is printed.
func redactDSN(dsn string) string {
	at := strings.LastIndexByte(dsn, '@')
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(userinfo, ":"); ok {
		return dsn[:scheme+3] + user + ":xxxxx" + dsn[at:]
	}
	return dsn
}
