package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ncruces/go-sqlite3/driver"
)

// ErrInUse is returned by Restore when another connection (a running
// `roster serve`) has the target database open.
var ErrInUse = errors.New("sqlite: the database is in use by another process; stop the server first (or --force)")

// openRaw opens a single connection to path with Roster's SQL functions
// (expression indexes need them) and the given pragmas.
func openRaw(path string, pragmas ...string) (*sql.DB, error) {
	db, err := driver.Open(dsn(path, url.Values{"_pragma": pragmas}), registerFunctions)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Backup writes a consistent snapshot of the database at src to the new
// file dst with VACUUM INTO, while other connections and processes keep
// reading and writing src: the snapshot is the database as of the start
// of VACUUM INTO's read transaction (WAL mode lets writers continue), so
// it holds every transaction committed before Backup was called. The
// snapshot is written to a temporary file beside dst, checked with
// Verify, synced, and renamed into place, so dst is either absent or a
// complete, verified database. dst must not exist.
func Backup(ctx context.Context, src, dst string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: backup source: %w", err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("sqlite: backup: %s already exists", dst)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".partial")
	_ = os.Remove(tmp)
	// Not query_only: that would forbid VACUUM INTO's output file too.
	// VACUUM INTO never writes to src.
	db, err := openRaw(src, "busy_timeout(10000)")
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", tmp)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite: backup %s: %w", src, err)
	}
	if err := Verify(ctx, tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return syncDir(filepath.Dir(dst))
}

// Verify checks a database file: PRAGMA integrity_check must answer "ok"
// and PRAGMA foreign_key_check must find no violation.
func Verify(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: verify: %w", err)
	}
	db, err := openRaw(path, "busy_timeout(10000)", "query_only(on)")
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := integrityProblems(ctx, db)
	if err != nil {
		return fmt.Errorf("sqlite: verify %s: %w", path, err)
	}
	fks, err := foreignKeyProblems(ctx, db)
	if err != nil {
		return fmt.Errorf("sqlite: verify %s: %w", path, err)
	}
	problems = append(problems, fks...)
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], "...")
		}
		return fmt.Errorf("sqlite: %s is damaged: %s", path, strings.Join(problems, "; "))
	}
	return nil
}

// integrityProblems returns what PRAGMA integrity_check reports, or none.
func integrityProblems(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	return problems, rows.Err()
}

// foreignKeyProblems returns the violations PRAGMA foreign_key_check
// finds.
func foreignKeyProblems(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return nil, err
		}
		problems = append(problems, fmt.Sprintf("foreign key violation: %s row %d references a missing %s", table, rowid.Int64, parent))
	}
	return problems, rows.Err()
}

// Restore replaces the database at dst with the backup at from, after
// verifying the backup. It refuses (ErrInUse) when another connection has
// dst open — a running server — unless force is set; replacing a database
// under a running server corrupts what it writes next. The copy is made
// beside dst, synced and renamed over it; dst's -wal and -shm files are
// removed first, so no old log is replayed onto the restored file.
func Restore(ctx context.Context, from, dst string, force bool) error {
	if err := Verify(ctx, from); err != nil {
		return fmt.Errorf("sqlite: restore: the backup failed verification: %w", err)
	}
	if _, err := os.Stat(dst); err == nil && !force {
		if err := exclusive(ctx, dst); err != nil {
			return err
		}
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".restoring")
	if err := copyFile(from, tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(tmp)
			return fmt.Errorf("sqlite: restore: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return err
	}
	return Verify(ctx, dst)
}

// exclusive checks that no other connection has path open: leaving WAL
// mode needs exclusive access, so it fails at once (busy timeout 0) while
// a server holds the file. On success the file is in rollback-journal
// mode with its WAL checkpointed — harmless, as it is about to be
// replaced, and Open switches back to WAL.
func exclusive(ctx context.Context, path string) error {
	db, err := openRaw(path, "busy_timeout(0)")
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return ErrInUse
		}
		return fmt.Errorf("sqlite: restore: %w", err)
	}
	if !strings.EqualFold(mode, "delete") {
		return ErrInUse
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(filepath.Clean(from)) //nolint:gosec // G304: the operator names the backup file
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(filepath.Clean(to), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) //nolint:gosec // G304: beside the operator's database
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(filepath.Clean(path), os.O_RDWR, 0) //nolint:gosec // G304: the snapshot this package just wrote
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir)) //nolint:gosec // G304: the directory of the operator's file
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sqlite: sync %s: %w", dir, err)
	}
	return nil
}
