package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/store/sqlite"
)

// sqlitePath returns the file of a sqlite: DSN, or a usage error that
// points PostgreSQL users at pg_dump (docs/reliability.md).
func sqlitePath(flag, dsn string) (string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:") && len(dsn) > len("sqlite:"):
		return strings.TrimPrefix(dsn, "sqlite:"), nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "", usageError{fmt.Sprintf("%s: backup and restore of PostgreSQL use pg_dump / pg_restore or point-in-time recovery; see docs/reliability.md", flag)}
	default:
		return "", usageError{fmt.Sprintf("%s %q: use sqlite:PATH", flag, redactDSN(dsn))}
	}
}

// runBackup is `roster backup --db sqlite:PATH --out FILE`: an online,
// consistent snapshot of a SQLite database that may be serving writes.
func runBackup(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	db := dbFlag(fs, getenv)
	out := fs.String("out", "", "file to write the snapshot to (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"backup needs --out FILE"}
	}
	src, err := sqlitePath("--db", *db)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := sqlite.Backup(ctx, src, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s in %v (integrity and foreign keys checked)\n", src, *out, time.Since(start).Round(time.Millisecond))
	return nil
}

// runRestore is `roster restore --from FILE --db sqlite:PATH [--force]`.
func runRestore(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	db := dbFlag(fs, getenv)
	from := fs.String("from", "", "backup file written by roster backup")
	force := fs.Bool("force", false, "replace the database even if another process has it open (corrupts a running server's writes: stop it first)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"restore needs --from FILE"}
	}
	dst, err := sqlitePath("--db", *db)
	if err != nil {
		return err
	}
	if err := sqlite.Restore(ctx, *from, dst, *force); err != nil {
		if errors.Is(err, sqlite.ErrInUse) {
			return fmt.Errorf("restore %s: %w", dst, err)
		}
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (integrity and foreign keys checked)\n", dst, *from)
	return nil
}
