package scim

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestQuirksDocumented checks docs/quirks.md against the code: every Quirks
// field has a row, every field is on in DefaultQuirks, and every fixture the
// table names exists.
func TestQuirksDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "quirks.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	def := reflect.ValueOf(DefaultQuirks())
	typ := def.Type()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !strings.Contains(text, "| `"+name+"` |") {
			t.Errorf("docs/quirks.md has no row for Quirks.%s", name)
		}
		if !def.Field(i).Bool() {
			t.Errorf("DefaultQuirks leaves %s off", name)
		}
	}
	dirs := map[string]string{
		"P": filepath.Join("patch", "testdata", "golden"),
		"D": filepath.Join("testdata", "decode"),
	}
	refs := regexp.MustCompile("([PD]):`([^`]+)`").FindAllStringSubmatch(text, -1)
	if len(refs) < 20 {
		t.Fatalf("only %d fixture references found in docs/quirks.md", len(refs))
	}
	for _, m := range refs {
		p := filepath.Join(dirs[m[1]], m[2]+".txtar")
		if _, err := os.Stat(p); err != nil {
			t.Errorf("docs/quirks.md names fixture %s:%s, but %s does not exist", m[1], m[2], p)
		}
	}
}
