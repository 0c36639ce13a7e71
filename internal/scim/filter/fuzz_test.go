package filter

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/scim"
)

// goldenInputs returns the inputs of the golden files, as fuzz seeds.
func goldenInputs(f *testing.F, files ...string) []string {
	var in []string
	for _, file := range files {
		_, cases := readGolden(f, file)
		for _, c := range cases {
			in = append(in, c.input)
		}
	}
	return in
}

// FuzzParse checks the parser's invariants: no panic; an accepted filter's
// canonical form parses to an equal tree and is a fixed point; a rejected
// one yields a 400 invalidFilter *scim.Error. Check and Match run on every
// accepted tree and must not panic either.
func FuzzParse(f *testing.F) {
	for _, s := range goldenInputs(f, "parse.txtar", "check.txtar") {
		f.Add(s)
	}
	user := scim.UserType()
	doc := bjensen()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			se, ok := scim.AsError(err)
			if !ok || se.Status != 400 || se.Type != scim.ErrInvalidFilter || se.Detail == "" {
				t.Fatalf("Parse(%q) error %#v, want a 400 invalidFilter *scim.Error", s, err)
			}
			return
		}
		c := e.String()
		if len(c) > DefaultMaxLength {
			t.Fatalf("canonical form of %q is %d bytes long", s, len(c))
		}
		e2, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", s, c, err)
		}
		if !reflect.DeepEqual(e, e2) {
			t.Fatalf("Parse(%q) and Parse(%q) differ:\n%s", s, c, cmp.Diff(e, e2))
		}
		if c2 := e2.String(); c2 != c {
			t.Fatalf("String is not a fixed point: %q then %q", c, c2)
		}
		if err := Check(user, e); err != nil {
			if se, ok := scim.AsError(err); !ok || se.Type != scim.ErrInvalidFilter {
				t.Fatalf("Check(%q) error %#v, want invalidFilter", c, err)
			}
		}
		_ = Match(user, e, doc)
	})
}

// FuzzParsePath checks ParsePath's invariants: no panic; an accepted
// path's String parses to an equal Path and is a fixed point; a rejected
// one yields a 400 invalidPath *scim.Error.
func FuzzParsePath(f *testing.F) {
	for _, s := range goldenInputs(f, "path.txtar") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			se, ok := scim.AsError(err)
			if !ok || se.Status != 400 || se.Type != scim.ErrInvalidPath || se.Detail == "" {
				t.Fatalf("ParsePath(%q) error %#v, want a 400 invalidPath *scim.Error", s, err)
			}
			return
		}
		c := p.String()
		p2, err := ParsePath(c)
		if err != nil {
			t.Fatalf("ParsePath(%q) ok, but its canonical form %q fails: %v", s, c, err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("ParsePath(%q) and ParsePath(%q) differ:\n%s", s, c, cmp.Diff(p, p2))
		}
		if c2 := p2.String(); c2 != c {
			t.Fatalf("Path.String is not a fixed point: %q then %q", c, c2)
		}
		if p.Filter == nil && p.Sub == "" && !strings.HasSuffix(s, ":") {
			// Without a filter, ParsePath splits like scim.ParseAttrPath.
			if a, err := scim.ParseAttrPath(strings.Trim(s, " \t\r\n")); err == nil && a != p.Attr {
				t.Fatalf("ParsePath(%q).Attr = %#v, scim.ParseAttrPath = %#v", s, p.Attr, a)
			}
		}
	})
}

// FuzzMatch evaluates fuzzed filters against fuzzed JSON documents: Match
// must never panic, whatever the document's shape.
func FuzzMatch(f *testing.F) {
	docs := []string{
		`{}`,
		`{"userName":"bjensen","emails":[{"value":"a@b.c","type":"work","primary":true}],"active":true}`,
		`{"name":{"givenName":"A"},"meta":{"lastModified":"2011-05-13T04:42:34Z"},"title":""}`,
		`{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"},"employeeNumber":"1"}}`,
		`{"emails":"x","name":[1,2],"active":"true","members":[{"value":"id1"},null,3]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"x509Certificates":[{"value":"AAEC"}]}`,
	}
	seeds := goldenInputs(f, "parse.txtar", "check.txtar")
	for i, s := range seeds {
		f.Add(s, docs[i%len(docs)])
	}
	user, group := scim.UserType(), scim.GroupType()
	f.Fuzz(func(t *testing.T, filter, docJSON string) {
		e, err := Parse(filter)
		if err != nil {
			return
		}
		var doc map[string]any
		if json.Unmarshal([]byte(docJSON), &doc) != nil {
			return
		}
		_ = Match(user, e, doc)
		_ = Match(group, e, doc)
		// Match treats ne as not eq: swapping the operator of a lone
		// comparison between eq and ne flips the result when Check
		// accepts it.
		if c, ok := e.(*Compare); ok && (c.Op == OpEq || c.Op == OpNe) && Check(user, e) == nil {
			flipped := *c
			flipped.Op = OpNe
			if c.Op == OpNe {
				flipped.Op = OpEq
			}
			if Match(user, c, doc) == Match(user, &flipped, doc) {
				t.Fatalf("%s and %s agree on %s", c, &flipped, docJSON)
			}
		}
	})
}
