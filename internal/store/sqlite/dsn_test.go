package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestPaths: relative paths and paths with URI-special characters name
// the file they spell.
func TestPaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, p := range []string{"roster.db", "sub dir/a?b#c%d.db", filepath.Join(dir, "abs #1.db")} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil && !filepath.IsAbs(p) {
			t.Fatal(err)
		}
		s, err := Open(context.Background(), p)
		if err != nil {
			t.Fatalf("Open(%q): %v", p, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		want := p
		if !filepath.IsAbs(p) {
			want = filepath.Join(dir, p)
		}
		if _, err := os.Stat(want); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", p, want, err)
		}
	}
}
