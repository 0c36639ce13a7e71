package patch

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

func userDoc(t testing.TB) map[string]any {
	t.Helper()
	return canonical(t, scim.UserType(), []byte(fuzzUser))
}

// TestApplyMalformedValue: a value that is not JSON is invalidValue (RFC
// 7644 §3.12); scim.DecodePatchRequest never produces one, so the golden
// files cannot show it.
func TestApplyMalformedValue(t *testing.T) {
	for _, raw := range []string{`{"a":`, `"x" "y"`, `tru`, `{"a":1}}`} {
		_, err := Apply(scim.UserType(), userDoc(t), []scim.PatchOperation{{Op: "replace", Path: "nickName", Value: json.RawMessage(raw)}}, scim.DefaultQuirks())
		se, ok := scim.AsError(err)
		if !ok || se.Status != 400 || se.Type != scim.ErrInvalidValue {
			t.Errorf("value %s: error = %v, want 400 invalidValue", raw, err)
		}
	}
}

func TestApplyOpNames(t *testing.T) {
	tests := []struct {
		op      string
		caseIns bool
		ok      bool
	}{
		{"add", false, true},
		{"replace", false, true},
		{"Add", false, false},
		{"Add", true, true},
		{"REPLACE", true, true},
		{"rePlace", true, true},
		{"delete", true, false},
		{"", true, false},
		{" add", true, false},
	}
	for _, tt := range tests {
		q := scim.Quirks{CaseInsensitiveOps: tt.caseIns}
		_, err := Apply(scim.UserType(), userDoc(t), []scim.PatchOperation{{Op: tt.op, Path: "nickName", Value: json.RawMessage(`"B"`)}}, q)
		if tt.ok != (err == nil) {
			t.Errorf("op %q (case-insensitive %v): error = %v", tt.op, tt.caseIns, err)
		}
		if se, ok := scim.AsError(err); err != nil && (!ok || se.Type != scim.ErrInvalidSyntax) {
			t.Errorf("op %q: error = %v, want invalidSyntax", tt.op, err)
		}
	}
}

// TestApplyNoAliasing: the result shares no map or slice with the input,
// so a caller may change either.
func TestApplyNoAliasing(t *testing.T) {
	doc := userDoc(t)
	keep := fmt.Sprint(doc)
	got, err := Apply(scim.UserType(), doc, []scim.PatchOperation{{Op: "replace", Path: "title", Value: json.RawMessage(`"T"`)}}, scim.Quirks{})
	if err != nil {
		t.Fatal(err)
	}
	got["name"].(map[string]any)["givenName"] = "changed"
	got["emails"].([]any)[0].(map[string]any)["value"] = "changed"
	got[scim.EnterpriseUserSchema].(map[string]any)["manager"].(map[string]any)["value"] = "changed"
	if fmt.Sprint(doc) != keep {
		t.Errorf("changing the result changed the input")
	}
}

func TestChanged(t *testing.T) {
	a := map[string]any{"userName": "a", "emails": []any{map[string]any{"value": "x", "primary": true}}, "n": int64(1)}
	b := scim.Clone(a)
	if Changed(a, b) {
		t.Error("Changed(a, clone of a) = true")
	}
	b["emails"].([]any)[0].(map[string]any)["primary"] = false
	if !Changed(a, b) {
		t.Error("Changed after a nested change = false")
	}
	if !Changed(map[string]any{"userName": "a"}, map[string]any{"userName": "A"}) {
		t.Error("a change of letter case is a change")
	}
	if Changed(nil, map[string]any{}) {
		t.Error("Changed(nil, {}) = true")
	}
	if !Changed(map[string]any{"n": int64(1)}, map[string]any{"n": 1.0}) {
		t.Error("int64 1 and float64 1 are different canonical values")
	}
}

// BenchmarkApplyEntraPatch applies a typical Entra ID user PATCH:
// deactivation with a string boolean, a dotted path and a filtered add.
func BenchmarkApplyEntraPatch(b *testing.B) {
	doc := userDoc(b)
	body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
		{"op":"Replace","path":"active","value":"False"},
		{"op":"Replace","path":"name.givenName","value":"Barbara"},
		{"op":"Add","path":"emails[type eq \"work\"].value","value":"barbara@example.com"}]}`)
	req, err := scim.DecodePatchRequest(body, 0)
	if err != nil {
		b.Fatal(err)
	}
	q := scim.DefaultQuirks()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(scim.UserType(), doc, req.Operations, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplitMembers100 splits an Okta push that adds 100 members.
func BenchmarkSplitMembers100(b *testing.B) {
	var members []map[string]string
	for i := range 100 {
		members = append(members, map[string]string{"value": fmt.Sprintf("00u%017d", i), "display": fmt.Sprintf("User %d", i)})
	}
	value, _ := json.Marshal(members)
	ops := []scim.PatchOperation{
		{Op: "replace", Value: json.RawMessage(`{"id":"acbf3ae7","displayName":"Tour Guides"}`)},
		{Op: "add", Path: "members", Value: value},
	}
	q := scim.DefaultQuirks()
	b.ReportAllocs()
	for b.Loop() {
		_, steps, err := SplitMembers(scim.GroupType(), ops, q, 0)
		if err != nil || len(steps) != 1 || len(steps[0].Members) != 100 {
			b.Fatal(err, steps)
		}
	}
}

// BenchmarkApplyAddMember10k adds one member to a group of 10,000 with
// Apply, which reads the whole list (SplitMembers does not).
func BenchmarkApplyAddMember10k(b *testing.B) {
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("u%d", i)
	}
	doc := groupDoc(ids...)
	ops := []scim.PatchOperation{{Op: "add", Path: "members", Value: json.RawMessage(`[{"value":"new"}]`)}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(scim.GroupType(), doc, ops, scim.DefaultQuirks()); err != nil {
			b.Fatal(err)
		}
	}
}
