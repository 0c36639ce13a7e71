package patch

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

// fastMismatch runs splitMembers with and without the typed fast path and
// describes the first difference in rest, steps or error ("" when they
// agree).
func fastMismatch(rt *scim.ResourceType, ops []scim.PatchOperation, q scim.Quirks) string {
	fr, fs, fe := splitMembers(rt, ops, q, 0, true)
	gr, gs, ge := splitMembers(rt, ops, q, 0, false)
	if (fe == nil) != (ge == nil) || fe != nil && fe.Error() != ge.Error() {
		return fmt.Sprintf("error: fast %v, generic %v", fe, ge)
	}
	if !reflect.DeepEqual(fr, gr) {
		return fmt.Sprintf("rest: fast %+v, generic %+v", fr, gr)
	}
	norm := func(s []MemberStep) []MemberStep {
		out := make([]MemberStep, 0, len(s))
		for _, st := range s {
			if len(st.Members) == 0 {
				st.Members = nil
			}
			if len(st.IDs) == 0 {
				st.IDs = nil
			}
			out = append(out, st)
		}
		return out
	}
	if !reflect.DeepEqual(norm(fs), norm(gs)) {
		return fmt.Sprintf("steps: fast %+v, generic %+v", fs, gs)
	}
	return ""
}

// TestSplitMembersFastGolden: on every golden Group case, under the
// case's quirks, with none and with every quirk, the fast path splits
// exactly as the generic one.
func TestSplitMembersFastGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatal("no golden files", err)
	}
	n := 0
	for _, file := range files {
		c := readGolden(t, file)
		if c.rt != scim.GroupType() {
			continue
		}
		n++
		for _, q := range []scim.Quirks{c.q, {}, fuzzQuirks(0xffff)} {
			if msg := fastMismatch(c.rt, c.ops, q); msg != "" {
				t.Errorf("%s: %s", filepath.Base(file), msg)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d golden Group cases", n)
	}
}

// TestSplitMembersFastShapes: the shapes IdPs send, and near misses that
// must fall back to the generic path, give the same result both ways;
// the IdP shapes do take the fast path.
func TestSplitMembersFastShapes(t *testing.T) {
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf(`{"value":"00u%017d","display":"User %d"}`, i, i)
	}
	okta100 := "[" + strings.Join(hundred, ",") + "]"
	cases := []struct {
		op, path, value string
		fast            bool // scanMembers accepts the value
	}{
		{"add", "members", okta100, true},
		{"add", "members", `[{"value":"a"},{"value":"b"},{"value":"a","display":"dup"}]`, true},
		{"replace", "members", `[{"value":"a","type":"Group","$ref":"https://x/Groups/a"}]`, true},
		{"replace", "members", `[]`, true},
		{"add", "members", ` [ ] `, true},
		{"Add", "members", `[{"value":"e1"}]`, true},
		{"Remove", "members", `[{"value":"e1"},{"value":"e2"},{"value":"e1"}]`, true},
		{"remove", "members", `[{"value":"e1"}]`, true},
		{"add", "MEMBERS", `[{"value":"a"}]`, true},
		{"add", "urn:ietf:params:scim:schemas:core:2.0:Group:members", `[{"value":"a"}]`, true},
		{"add", "members", `[{"value":"esc\"aped\\u00e9\/"}]`, true},
		{"add", "members", `[{"value":"caf` + "\xc3\xa9" + `"}]`, true},
		{"add", "members", `[{"value":"bad` + "\xff" + `utf8"}]`, true},
		// near misses: the generic path decides
		{"add", "members", `[{"Value":"a"}]`, false},
		{"add", "members", `[{"value":"a","value":"b"}]`, false},
		{"add", "members", `[{"value":""}]`, false},
		{"add", "members", `[{"value":"a","display":null}]`, false},
		{"add", "members", `[{"value":"a","primary":true}]`, false},
		{"add", "members", `[{"value":1}]`, false},
		{"add", "members", `[{}]`, false},
		{"add", "members", `[null]`, false},
		{"add", "members", `["a"]`, false},
		{"add", "members", `[{"value":"a"}] x`, false},
		{"add", "members", `[{"value":"a"},]`, false},
		{"add", "members", `{"value":"a"}`, false},
		{"add", `members[value eq "a"]`, `[{"value":"a"}]`, true},
		{"add", "members.value", `[{"value":"a"}]`, true},
		{"remove", `members[value eq "a"]`, `[{"value":"a"}]`, true},
		{"add", "displayName", `[{"value":"a"}]`, true},
		{"add", "", `[{"value":"a"}]`, true},
		{"nope", "members", `[{"value":"a"}]`, true},
	}
	for _, c := range cases {
		if _, ok := scanMembers([]byte(c.value)); ok != c.fast {
			t.Errorf("scanMembers(%s) ok = %v, want %v", c.value, ok, c.fast)
		}
		ops := []scim.PatchOperation{{Op: c.op, Path: c.path, Value: json.RawMessage(c.value)}}
		for _, q := range []scim.Quirks{scim.DefaultQuirks(), {}, fuzzQuirks(0xffff)} {
			if msg := fastMismatch(scim.GroupType(), ops, q); msg != "" {
				t.Errorf("%s %s %s: %s", c.op, c.path, c.value, msg)
			}
		}
	}
	_, steps, err := SplitMembers(scim.GroupType(), []scim.PatchOperation{{Op: "add", Path: "members", Value: json.RawMessage(okta100)}}, scim.DefaultQuirks(), 0)
	if err != nil || len(steps) != 1 || len(steps[0].Members) != 100 || steps[0].Members[99] != (Member{Value: "00u00000000000000099", Display: "User 99"}) {
		t.Fatalf("Okta push of 100: steps %+v, err %v", steps, err)
	}
}

// BenchmarkSplitMembersPaths compares the fast and the generic path on an
// Okta push of 100 members and an Entra remove of 100.
//
//	go test -run '^$' -bench BenchmarkSplitMembersPaths -benchmem ./internal/scim/patch/
func BenchmarkSplitMembersPaths(b *testing.B) {
	var add, rm []string
	for i := range 100 {
		add = append(add, fmt.Sprintf(`{"value":"00u%017d","display":"User %d"}`, i, i))
		rm = append(rm, fmt.Sprintf(`{"value":"00u%017d"}`, i))
	}
	shapes := map[string][]scim.PatchOperation{
		"okta-add100": {
			{Op: "replace", Value: json.RawMessage(`{"id":"acbf3ae7","displayName":"Tour Guides"}`)},
			{Op: "add", Path: "members", Value: json.RawMessage("[" + strings.Join(add, ",") + "]")},
		},
		"entra-remove100": {{Op: "Remove", Path: "members", Value: json.RawMessage("[" + strings.Join(rm, ",") + "]")}},
	}
	q := scim.DefaultQuirks()
	for _, name := range []string{"okta-add100", "entra-remove100"} {
		for _, fast := range []bool{true, false} {
			b.Run(fmt.Sprintf("%s/fast=%v", name, fast), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, steps, err := splitMembers(scim.GroupType(), shapes[name], q, 0, fast); err != nil || len(steps) != 1 {
						b.Fatal(err, steps)
					}
				}
			})
		}
	}
}
