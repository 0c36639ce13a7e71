package scim

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// update rewrites the expected sections of golden files with the results
// of the code under test: go test ./internal/scim/ -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// goldenCase is one txtar golden file.
type goldenCase struct {
	path string
	ar   *txtar.Archive
}

// loadGolden reads every testdata/<dir>/*.txtar file.
func loadGolden(t *testing.T, dir string) []goldenCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no golden files in testdata/%s", dir)
	}
	var cases []goldenCase
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, goldenCase{path: p, ar: ar})
	}
	return cases
}

func (g goldenCase) name() string {
	return strings.TrimSuffix(filepath.Base(g.path), ".txtar")
}

// file returns the trimmed content of the named section and whether it
// exists.
func (g goldenCase) file(name string) (string, bool) {
	for _, f := range g.ar.Files {
		if f.Name == name {
			return strings.TrimSpace(string(f.Data)), true
		}
	}
	return "", false
}

// set replaces (or adds) section name, and removes the sections in drop.
func (g goldenCase) set(name, content string, drop ...string) {
	files := g.ar.Files[:0]
	found := false
	for _, f := range g.ar.Files {
		if contains(drop, f.Name) {
			continue
		}
		if f.Name == name {
			f.Data = []byte(content + "\n")
			found = true
		}
		files = append(files, f)
	}
	if !found {
		files = append(files, txtar.File{Name: name, Data: []byte(content + "\n")})
	}
	g.ar.Files = files
}

func (g goldenCase) write(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(g.path, txtar.Format(g.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// pretty renders v as indented JSON with sorted keys.
func pretty(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

// reindent normalises a JSON text so that golden files may be written by
// hand.
func reindent(t *testing.T, s string) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("golden JSON: %v\n%s", err, s)
	}
	return pretty(t, v)
}

// errString renders an error as "STATUS scimType: detail".
func errString(err error) string {
	if e, ok := AsError(err); ok {
		return strings.TrimSpace(strings.Join([]string{itoa(e.Status), e.Type + ":", e.Detail}, " "))
	}
	return "non-SCIM error: " + err.Error()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
