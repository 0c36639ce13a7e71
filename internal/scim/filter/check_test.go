package filter

import (
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

func TestCheckGolden(t *testing.T) {
	ar, cases := readGolden(t, "check.txtar")
	got := make([]string, len(cases))
	for i, c := range cases {
		rt := scim.UserType()
		if strings.HasPrefix(c.name, "group/") {
			rt = scim.GroupType()
		}
		e, err := Parse(c.input)
		if err != nil {
			t.Fatalf("%s: Parse(%q): %v", c.name, c.input, err)
		}
		if err := Check(rt, e); err != nil {
			assertSCIMError(t, c.name, err, scim.ErrInvalidFilter)
			got[i] = "error: " + detail(err)
			continue
		}
		got[i] = "ok"
	}
	checkGolden(t, "check.txtar", ar, cases, got)
}

// TestCheckHandBuilt covers trees that Parse never produces.
func TestCheckHandBuilt(t *testing.T) {
	user := scim.UserType()
	tests := []struct {
		name string
		rt   *scim.ResourceType
		e    Expr
		want string
	}{
		{"nil expr", user, nil, "missing filter expression"},
		{"nil resource type", nil, &Present{Path: scim.AttrPath{Name: "title"}}, "no resource type"},
		{"typed nil", user, (*And)(nil), "missing filter expression"},
		{"nil child", user, &Or{Left: &Present{Path: scim.AttrPath{Name: "title"}}}, "missing filter expression"},
		{"unknown op", user, &Compare{Path: scim.AttrPath{Name: "title"}, Op: "xx", Value: Value{Kind: KindString}}, `"xx" is not a comparison operator`},
		{"nested value path", user, &ValuePath{Attr: scim.AttrPath{Name: "emails"}, Filter: &ValuePath{Attr: scim.AttrPath{Name: "emails"}}}, "value filters cannot be nested"},
		{"urn inside value path", user, &ValuePath{Attr: scim.AttrPath{Name: "emails"}, Filter: &Present{Path: scim.AttrPath{URN: scim.UserSchema, Name: "type"}}}, "inside a value filter"},
		{"value path with sub", user, &ValuePath{Attr: scim.AttrPath{Name: "name", Sub: "givenName"}, Filter: &Present{Path: scim.AttrPath{Name: "type"}}}, "the attribute is not complex"},
	}
	for _, tt := range tests {
		err := Check(tt.rt, tt.e)
		if err == nil {
			t.Errorf("%s: Check = nil, want %q", tt.name, tt.want)
			continue
		}
		assertSCIMError(t, tt.name, err, scim.ErrInvalidFilter)
		if !strings.Contains(detail(err), tt.want) {
			t.Errorf("%s: detail %q does not contain %q", tt.name, detail(err), tt.want)
		}
	}
}
