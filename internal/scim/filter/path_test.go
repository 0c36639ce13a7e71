package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/scim"
)

func TestParsePathGolden(t *testing.T) {
	ar, cases := readGolden(t, "path.txtar")
	got := make([]string, len(cases))
	for i, c := range cases {
		p, err := ParsePath(c.input)
		if err != nil {
			assertSCIMError(t, c.name, err, scim.ErrInvalidPath)
			got[i] = "error: " + detail(err)
			continue
		}
		got[i] = p.String() + "\n" + dumpPathValue(p)
		assertPathRoundTrip(t, c.name, p)
	}
	checkGolden(t, "path.txtar", ar, cases, got)
}

func assertPathRoundTrip(t *testing.T, name string, p Path) {
	t.Helper()
	s := p.String()
	p2, err := ParsePath(s)
	if err != nil {
		t.Errorf("%s: canonical path %q does not parse: %v", name, s, err)
		return
	}
	if d := cmp.Diff(p, p2); d != "" {
		t.Errorf("%s: ParsePath(%q) differs (-first +second):\n%s", name, s, d)
	}
	if s2 := p2.String(); s2 != s {
		t.Errorf("%s: Path.String is not a fixed point: %q then %q", name, s, s2)
	}
}

// TestParsePathAgreesWithParseAttrPath checks that a path without a
// filter splits like scim.ParseAttrPath, the contract's parser.
func TestParsePathAgreesWithParseAttrPath(t *testing.T) {
	for _, s := range []string{
		"members", "name.givenName", "NAME.GIVENNAME", "$ref",
		"urn:ietf:params:scim:schemas:core:2.0:User:userName",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	} {
		want, err := scim.ParseAttrPath(s)
		if err != nil {
			t.Fatalf("scim.ParseAttrPath(%q): %v", s, err)
		}
		got, err := ParsePath(s)
		if err != nil {
			t.Fatalf("ParsePath(%q): %v", s, err)
		}
		if d := cmp.Diff(Path{Attr: want}, got); d != "" {
			t.Errorf("ParsePath(%q) (-scim.ParseAttrPath +ParsePath):\n%s", s, d)
		}
	}
}
