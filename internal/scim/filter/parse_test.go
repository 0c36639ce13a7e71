package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/scim"
)

func TestParseGolden(t *testing.T) {
	ar, cases := readGolden(t, "parse.txtar")
	got := make([]string, len(cases))
	for i, c := range cases {
		e, err := Parse(c.input)
		if err != nil {
			assertSCIMError(t, c.name, err, scim.ErrInvalidFilter)
			got[i] = "error: " + detail(err)
			continue
		}
		s := e.String()
		got[i] = s + "\n" + dump(e)
		assertRoundTrip(t, c.name, e)
	}
	checkGolden(t, "parse.txtar", ar, cases, got)
}

// assertRoundTrip checks the invariant of Expr.String: the canonical form
// parses to an equal tree and is a fixed point.
func assertRoundTrip(t *testing.T, name string, e Expr) {
	t.Helper()
	s := e.String()
	e2, err := Parse(s)
	if err != nil {
		t.Errorf("%s: canonical form %q does not parse: %v", name, s, err)
		return
	}
	if d := cmp.Diff(e, e2); d != "" {
		t.Errorf("%s: Parse(%q) differs (-first +second):\n%s", name, s, d)
	}
	if s2 := e2.String(); s2 != s {
		t.Errorf("%s: String is not a fixed point: %q then %q", name, s, s2)
	}
}

func assertSCIMError(t *testing.T, name string, err error, scimType string) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Errorf("%s: error %v (%T) is not a *scim.Error", name, err, err)
		return
	}
	if se.Status != 400 || se.Type != scimType || se.Detail == "" {
		t.Errorf("%s: error %+v, want status 400, scimType %s and a detail", name, se, scimType)
	}
}

func detail(err error) string {
	if se, ok := scim.AsError(err); ok {
		return se.Detail
	}
	return err.Error()
}

func TestParseLimits(t *testing.T) {
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "a pr"
		}
		return strings.Join(parts, " or ")
	}
	tests := []struct {
		name    string
		in      string
		lim     Limits
		wantErr string // substring of the detail, "" for success
	}{
		{"64 terms", terms(64), Limits{}, ""},
		{"65 terms", terms(65), Limits{}, "too many comparisons: the one at offset 514 is number 65; the limit is 64"},
		{"terms in value filters count", `emails[type eq "a" and value pr] and ` + terms(63), Limits{}, "number 65"},
		{"entra suffix counts", `emails[type eq "a"].value pr and ` + terms(63), Limits{}, "number 65"},
		{"custom terms", terms(3), Limits{MaxTerms: 2}, "the limit is 2"},
		{"max length", strings.Repeat(" ", 4090) + "a pr", Limits{}, ""},
		{"over max length", strings.Repeat(" ", 4093) + "a pr", Limits{}, "filter is 4097 bytes long; the limit is 4096"},
		{"custom length", `userName eq "x"`, Limits{MaxLength: 10}, "filter is 15 bytes long; the limit is 10"},
		// The canonical form adds a space: 15 bytes in, 16 out.
		{"canonical over length", `userName eq"xy"`, Limits{MaxLength: 15}, "the canonical form of the filter is 16 bytes long; the limit is 15"},
		{"depth 1", "(a pr)", Limits{MaxDepth: 1}, ""},
		{"depth 2", "((a pr))", Limits{MaxDepth: 1}, "filter nested too deeply at offset 1; the limit is 1"},
		{"not counts", "not (a pr)", Limits{MaxDepth: 1}, ""},
		{"not and paren", "not ((a pr))", Limits{MaxDepth: 1}, "offset 5"},
		{"bracket counts", `emails[(type pr)]`, Limits{MaxDepth: 1}, "offset 7"},
		// "emails[a or b].value pr" is one level deep as written but two in
		// canonical form ("emails[(a or b) and value pr]").
		{"canonical depth", `emails[type pr or value pr].value pr`, Limits{MaxDepth: 1}, "filter nested too deeply: its canonical form has 2 levels; the limit is 1"},
		{"deep nesting never recurses", strings.Repeat("(", 100000) + "a pr" + strings.Repeat(")", 100000), Limits{MaxLength: 1 << 20}, "nested too deeply at offset 16"},
		{"deep not never recurses", strings.Repeat("not (", 100000), Limits{MaxLength: 1 << 20}, "nested too deeply at offset 84"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseWithLimits(tt.in, tt.lim)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseWithLimits: %v", err)
				}
				assertRoundTrip(t, tt.name, e)
				return
			}
			if err == nil {
				t.Fatalf("ParseWithLimits = %v, want error %q", e, tt.wantErr)
			}
			assertSCIMError(t, tt.name, err, scim.ErrInvalidFilter)
			if !strings.Contains(detail(err), tt.wantErr) {
				t.Errorf("detail %q does not contain %q", detail(err), tt.wantErr)
			}
		})
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxLength: 4096, MaxDepth: 16, MaxTerms: 64}
	if got := DefaultLimits(); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxDepth: -1}).withDefaults(); got != want {
		t.Errorf("withDefaults = %+v, want %+v", got, want)
	}
}

// TestStringHandBuilt covers trees that Parse never produces: String
// must not panic and must keep the shape with parentheses.
func TestStringHandBuilt(t *testing.T) {
	a := &Present{Path: scim.AttrPath{Name: "a"}}
	b := &Present{Path: scim.AttrPath{Name: "b"}}
	tests := []struct {
		e    Expr
		want string
	}{
		{&And{Left: a, Right: &And{Left: a, Right: b}}, "a pr and (a pr and b pr)"},
		{&And{Left: &Or{Left: a, Right: b}, Right: &Or{Left: a, Right: b}}, "(a pr or b pr) and (a pr or b pr)"},
		{&Or{Left: &And{Left: a, Right: b}, Right: &And{Left: a, Right: b}}, "a pr and b pr or a pr and b pr"},
		{&Not{X: &Not{X: a}}, "not (not (a pr))"},
		{&Compare{Path: scim.AttrPath{Name: "n"}, Op: "EQ", Value: Value{Kind: KindNumber, Num: 1.5}}, "n eq 1.5"},
		{&Compare{Path: scim.AttrPath{Name: "s"}, Op: OpEq, Value: Value{Kind: KindString, Str: "a\xffb\x01\"\\"}}, `s eq "a\ufffdb\u0001\"\\"`},
		{&And{Left: nil, Right: (*Or)(nil)}, "<nil> and (<nil>)"},
		{&Not{}, "not (<nil>)"},
		{&ValuePath{Attr: scim.AttrPath{Name: "emails"}}, "emails[<nil>]"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	for _, v := range []struct {
		v    Value
		want string
	}{
		{Value{}, "null"},
		{Value{Kind: KindBool, Bool: true}, "true"},
		{Value{Kind: KindBool}, "false"},
		{Value{Kind: KindNumber, Str: "1E+2", Num: 100}, "1E+2"},
		{Value{Kind: KindString, Str: "\b\f\n\r\t/é"}, `"\b\f\n\r\t/é"`},
	} {
		if got := v.v.String(); got != v.want {
			t.Errorf("Value.String() = %q, want %q", got, v.want)
		}
	}
}
