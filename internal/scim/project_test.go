package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProjectionGolden runs testdata/project/*.txtar: sections "type"
// (default User), "doc.json" (a canonical document), "attributes" and
// "excluded" (comma-separated, as in a query string), optionally "includes"
// (names, one a line); expected "want.json" or "error", and
// "includes.out" ("name true|false" lines).
func TestProjectionGolden(t *testing.T) {
	for _, g := range loadGolden(t, "project") {
		t.Run(g.name(), func(t *testing.T) {
			typ, _ := g.file("type")
			if typ == "" {
				typ = "User"
			}
			rt := resourceTypeNamed(t, typ)
			docText, _ := g.file("doc.json")
			var doc map[string]any
			if err := json.Unmarshal([]byte(docText), &doc); err != nil {
				t.Fatalf("doc.json: %v", err)
			}
			attrs, _ := g.file("attributes")
			excl, _ := g.file("excluded")
			p, err := NewProjection(rt, ParseAttrList(attrs), ParseAttrList(excl))
			var got, gotIncludes string
			if err == nil {
				got = pretty(t, p.Apply(doc))
				if names, ok := g.file("includes"); ok {
					var lines []string
					for n := range strings.Lines(names) {
						n = strings.TrimSpace(n)
						lines = append(lines, fmt.Sprintf("%s %v", n, p.Includes(n)))
					}
					gotIncludes = strings.Join(lines, "\n")
				}
			}
			if *update {
				if err != nil {
					g.set("error", errString(err), "want.json", "includes.out")
				} else {
					g.set("want.json", got, "error")
					if gotIncludes != "" {
						g.set("includes.out", gotIncludes)
					}
				}
				g.write(t)
				return
			}
			if wantErr, ok := g.file("error"); ok {
				if err == nil {
					t.Fatalf("NewProjection succeeded, want %s", wantErr)
				}
				if diff := cmp.Diff(wantErr, errString(err)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewProjection: %v", err)
			}
			want, _ := g.file("want.json")
			if diff := cmp.Diff(reindent(t, want), got); diff != "" {
				t.Errorf("projection (-want +got):\n%s", diff)
			}
			if wantInc, ok := g.file("includes.out"); ok {
				if diff := cmp.Diff(wantInc, gotIncludes); diff != "" {
					t.Errorf("Includes (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestProjectionDoesNotModifyInput(t *testing.T) {
	doc := map[string]any{
		"id":       "1",
		"userName": "a",
		"name":     map[string]any{"givenName": "A", "familyName": "B"},
	}
	before := Clone(doc)
	p, err := NewProjection(UserType(), []string{"name.givenName"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := p.Apply(doc)
	if diff := cmp.Diff(before, doc); diff != "" {
		t.Errorf("Apply modified its input:\n%s", diff)
	}
	want := map[string]any{"id": "1", "name": map[string]any{"givenName": "A"}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestZeroProjection(t *testing.T) {
	var p Projection
	doc := map[string]any{"id": "1", "password": "x"}
	if diff := cmp.Diff(doc, p.Apply(doc)); diff != "" {
		t.Errorf("zero Projection changed the document:\n%s", diff)
	}
	if !p.Includes("members") {
		t.Error("zero Projection does not include members")
	}
}

func TestParseAttrList(t *testing.T) {
	tests := map[string][]string{
		"":                                 nil,
		" , ,":                             nil,
		"userName":                         {"userName"},
		"userName, name.givenName ,emails": {"userName", "name.givenName", "emails"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager,id": {
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "id",
		},
	}
	for in, want := range tests {
		if diff := cmp.Diff(want, ParseAttrList(in)); diff != "" {
			t.Errorf("ParseAttrList(%q) (-want +got):\n%s", in, diff)
		}
	}
}

// A synthetic resource type exercising returned=request and sub-attribute
// characteristics that Roster's own schemas do not use.
func TestProjectionReturnedRequest(t *testing.T) {
	s := &Schema{ID: "urn:example:Thing", Name: "Thing", Attributes: []*Attribute{
		strAttr("id", "", readOnly(), returned(ReturnedAlways)),
		strAttr("secret", "", returned(ReturnedRequest)),
		strAttr("hidden", "", returned(ReturnedNever)),
		complexAttr("info", "", []*Attribute{
			strAttr("a", ""),
			strAttr("b", "", returned(ReturnedRequest)),
			strAttr("c", "", returned(ReturnedAlways)),
			strAttr("d", "", returned(ReturnedNever)),
		}),
	}}
	rt := &ResourceType{ID: "Thing", Schema: s}
	doc := map[string]any{
		"id": "1", "secret": "s", "hidden": "h",
		"info": map[string]any{"a": "A", "b": "B", "c": "C", "d": "D"},
	}
	tests := []struct {
		attrs, excl []string
		want        map[string]any
	}{
		{nil, nil, map[string]any{"id": "1", "info": map[string]any{"a": "A", "c": "C"}}},
		{[]string{"secret"}, nil, map[string]any{"id": "1", "secret": "s"}},
		{[]string{"hidden", "info.b"}, nil, map[string]any{"id": "1", "info": map[string]any{"b": "B", "c": "C"}}},
		{[]string{"info"}, nil, map[string]any{"id": "1", "info": map[string]any{"a": "A", "c": "C"}}},
		{nil, []string{"info.a", "info.c", "id"}, map[string]any{"id": "1", "info": map[string]any{"c": "C"}}},
		{nil, []string{"info"}, map[string]any{"id": "1"}},
	}
	for i, tt := range tests {
		p, err := NewProjection(rt, tt.attrs, tt.excl)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, p.Apply(doc)); diff != "" {
			t.Errorf("%d: attributes=%v excluded=%v (-want +got):\n%s", i, tt.attrs, tt.excl, diff)
		}
	}
}
