package patch

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rosterhq/roster/internal/scim"
)

// splitMismatch checks SplitMembers' invariant for ops on doc and returns
// a description of the first violation, or "":
//
//   - when SplitMembers fails and Apply succeeds, the failure is one of the
//     shapes SplitMembers documents as unsupported (changing a member in
//     place: invalidPath or mutability) or its bound (tooMany);
//   - when SplitMembers succeeds, rest does not touch members, Apply(ops)
//     succeeds exactly when Apply(rest) does, and then its result equals
//     Apply(rest) with members replaced by ApplySteps(members, steps).
func splitMismatch(rt *scim.ResourceType, doc map[string]any, ops []scim.PatchOperation, q scim.Quirks) string {
	full, ferr := Apply(rt, doc, ops, q)
	rest, steps, serr := SplitMembers(rt, ops, q, 0)
	if serr != nil {
		se, ok := scim.AsError(serr)
		if !ok || se.Status != 400 {
			return fmt.Sprintf("error %v is not a 400 *scim.Error", serr)
		}
		if ferr == nil {
			switch se.Type {
			case scim.ErrInvalidPath, scim.ErrMutability, scim.ErrTooMany:
				return ""
			}
			return fmt.Sprintf("SplitMembers failed (%v) where Apply succeeded", serr)
		}
		return ""
	}
	part, perr := Apply(rt, doc, rest, q)
	if (ferr == nil) != (perr == nil) {
		return fmt.Sprintf("Apply(ops) error %v, but Apply(rest) error %v (rest %s, steps %v)", ferr, perr, opsJSON(rest), steps)
	}
	if ferr != nil {
		return ""
	}
	before, _ := doc["members"].([]any)
	if after, _ := part["members"].([]any); !equal(before, after) {
		return fmt.Sprintf("rest %s changes members", opsJSON(rest))
	}
	if got := ApplySteps(before, steps); got != nil {
		part["members"] = got
	} else {
		delete(part, "members")
	}
	if !equal(full, part) {
		return fmt.Sprintf("Apply(ops) and Apply(rest)+steps differ (-ops +split):\n%s\nrest %s\nsteps %v", cmp.Diff(full, part), opsJSON(rest), steps)
	}
	return ""
}

func opsJSON(ops []scim.PatchOperation) string {
	b, _ := json.Marshal(ops)
	return string(b)
}

func groupDoc(ids ...string) map[string]any {
	doc := map[string]any{
		"schemas":     []any{scim.GroupSchema},
		"id":          "acbf3ae7-8463-4692-b4fd-9b4da3f908ce",
		"displayName": "Tour Guides",
		"meta":        map[string]any{"resourceType": "Group", "created": "2024-01-02T03:04:05Z"},
	}
	if len(ids) > 0 {
		members := make([]any, len(ids))
		for i, id := range ids {
			m := map[string]any{"value": id}
			if i%2 == 0 {
				m["display"] = "Member " + id
			}
			if i%3 == 1 {
				m["type"] = "User"
			}
			members[i] = m
		}
		doc["members"] = members
	}
	return doc
}

func op(name, path, value string) scim.PatchOperation {
	o := scim.PatchOperation{Op: name, Path: path}
	if value != "" {
		o.Value = json.RawMessage(value)
	}
	return o
}

// TestSplitMembersShapes checks the steps of the membership shapes Okta
// and Entra ID send (idp-behaviour.md rows 9 and 18).
func TestSplitMembersShapes(t *testing.T) {
	rt := scim.GroupType()
	q := scim.DefaultQuirks()
	tests := []struct {
		name  string
		ops   []scim.PatchOperation
		rest  string
		steps string
	}{
		{
			name:  "okta add",
			ops:   []scim.PatchOperation{op("add", "members", `[{"value":"u1","display":"One"},{"value":"u2"}]`)},
			rest:  `[]`,
			steps: `add[u1(One) u2]`,
		},
		{
			name:  "okta remove by filter",
			ops:   []scim.PatchOperation{op("remove", `members[value eq "u1"]`, "")},
			rest:  `[]`,
			steps: `remove[u1]`,
		},
		{
			name: "okta remove of many is one step",
			ops: []scim.PatchOperation{
				op("remove", `members[value eq "u1"]`, ""),
				op("remove", `members[value eq "a"]`, ""),
				op("remove", `members[value eq "u1"]`, ""),
				op("Remove", "members", `[{"value":"u7"},{"value":"a"}]`),
			},
			rest:  `[]`,
			steps: `remove[u1 a u7]`,
		},
		{
			name: "removes are not merged across an add",
			ops: []scim.PatchOperation{
				op("remove", `members[value eq "u1"]`, ""),
				op("add", "members", `[{"value":"u1"}]`),
				op("remove", `members[value eq "u1"]`, ""),
				op("remove", `members[value eq "u5"]`, ""),
			},
			rest:  `[]`,
			steps: `remove[u1] add[u1] remove[u1 u5]`,
		},
		{
			name:  "okta full sync",
			ops:   []scim.PatchOperation{op("replace", "members", `[{"value":"u1"},{"value":"u2"}]`)},
			rest:  `[]`,
			steps: `clear add[u1 u2]`,
		},
		{
			name:  "okta path-less replace with rename",
			ops:   []scim.PatchOperation{op("replace", "", `{"id":"g1","displayName":"New","members":[{"value":"u3"}]}`)},
			rest:  `[{"op":"replace","value":{"displayName":"New","id":"g1"}}]`,
			steps: `clear add[u3]`,
		},
		{
			name:  "path-less replace of members only is dropped from rest",
			ops:   []scim.PatchOperation{op("replace", "", `{"members":[]}`)},
			rest:  `[]`,
			steps: `clear`,
		},
		{
			name:  "entra legacy remove",
			ops:   []scim.PatchOperation{op("Remove", "members", `[{"value":"u1","$ref":null},{"value":"u2"}]`)},
			rest:  `[]`,
			steps: `remove[u1 u2]`,
		},
		{
			name:  "entra add",
			ops:   []scim.PatchOperation{op("Add", "members", `[{"value":"u9"}]`)},
			rest:  `[]`,
			steps: `add[u9]`,
		},
		{
			name:  "or of value eq",
			ops:   []scim.PatchOperation{op("remove", `members[value eq "a" or value eq "b" or value eq "a"]`, "")},
			rest:  `[]`,
			steps: `remove[a b]`,
		},
		{
			name:  "remove all",
			ops:   []scim.PatchOperation{op("remove", "members", "")},
			rest:  `[]`,
			steps: `clear`,
		},
		{
			name:  "other filter",
			ops:   []scim.PatchOperation{op("remove", `members[display sw "Bot" and type eq "User"]`, "")},
			rest:  `[]`,
			steps: `removeWhere(display sw "Bot" and type eq "User")`,
		},
		{
			name:  "URN-qualified path and core schema key",
			ops:   []scim.PatchOperation{op("add", "urn:ietf:params:scim:schemas:core:2.0:Group:members", `{"value":"u1"}`), op("add", "", `{"urn:ietf:params:scim:schemas:core:2.0:Group":{"members":[{"value":"u2"}],"displayName":"X"}}`)},
			rest:  `[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:Group":{"displayName":"X"}}}]`,
			steps: `add[u1] add[u2]`,
		},
		{
			name: "order kept, rest interleaved",
			ops: []scim.PatchOperation{
				op("replace", "displayName", `"A"`),
				op("add", "members", `[{"value":"u1"}]`),
				op("remove", "members", ""),
				op("add", "members", `[{"value":"u2","type":"Group"}]`),
			},
			rest:  `[{"op":"replace","path":"displayName","value":"A"}]`,
			steps: `add[u1] clear add[u2:Group]`,
		},
		{
			name:  "malformed operations stay in rest for Apply to report",
			ops:   []scim.PatchOperation{op("delete", "members", ""), op("add", "members[", `[]`)},
			rest:  `[{"op":"delete","path":"members"},{"op":"add","path":"members[","value":[]}]`,
			steps: ``,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rest, steps, err := SplitMembers(rt, tt.ops, q, 0)
			if err != nil {
				t.Fatal(err)
			}
			if rest == nil {
				rest = []scim.PatchOperation{}
			}
			if got := opsJSON(rest); got != tt.rest {
				t.Errorf("rest = %s, want %s", got, tt.rest)
			}
			if got := stepsString(steps); got != tt.steps {
				t.Errorf("steps = %s, want %s", got, tt.steps)
			}
			if msg := splitMismatch(rt, groupDoc("u1", "a", "u5"), tt.ops, q); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// stepsString prints steps compactly: add[id(display):type ...],
// remove[ids], clear, removeWhere(filter).
func stepsString(steps []MemberStep) string {
	var parts []string
	for _, st := range steps {
		switch st.Kind {
		case StepAdd:
			var ms []string
			for _, m := range st.Members {
				s := m.Value
				if m.Display != "" {
					s += "(" + m.Display + ")"
				}
				if m.Type != "" {
					s += ":" + m.Type
				}
				ms = append(ms, s)
			}
			parts = append(parts, "add["+strings.Join(ms, " ")+"]")
		case StepRemove:
			parts = append(parts, "remove["+strings.Join(st.IDs, " ")+"]")
		case StepClear:
			parts = append(parts, "clear")
		case StepRemoveWhere:
			parts = append(parts, "removeWhere("+st.Filter.String()+")")
		}
	}
	return strings.Join(parts, " ")
}

func TestSplitMembersErrors(t *testing.T) {
	rt := scim.GroupType()
	q := scim.DefaultQuirks()
	tests := []struct {
		name string
		ops  []scim.PatchOperation
		max  int
		want string
	}{
		{"member without value", []scim.PatchOperation{op("add", "members", `[{"display":"x"}]`)}, 0, scim.ErrInvalidValue},
		{"empty value", []scim.PatchOperation{op("add", "members", `[{"value":""}]`)}, 0, scim.ErrInvalidValue},
		{"add null", []scim.PatchOperation{op("add", "members", `null`)}, 0, scim.ErrInvalidValue},
		{"legacy remove without ids", []scim.PatchOperation{op("remove", "members", `[{"display":"x"}]`)}, 0, scim.ErrInvalidValue},
		{"change a member in place", []scim.PatchOperation{op("replace", `members[value eq "u1"].display`, `"New"`)}, 0, scim.ErrInvalidPath},
		{"add with a filter", []scim.PatchOperation{op("add", `members[value eq "u1"]`, `{"display":"x"}`)}, 0, scim.ErrInvalidPath},
		{"remove a sub-attribute", []scim.PatchOperation{op("remove", `members.display`, "")}, 0, scim.ErrMutability},
		{"too many", []scim.PatchOperation{op("add", "members", `[{"value":"a"},{"value":"b"}]`), op("remove", `members[value eq "c"]`, "")}, 2, scim.ErrTooMany},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SplitMembers(rt, tt.ops, q, tt.max)
			se, ok := scim.AsError(err)
			if !ok {
				t.Fatalf("error = %v, want a *scim.Error %s", err, tt.want)
			}
			if se.Status != 400 || se.Type != tt.want {
				t.Errorf("error = %d %s (%s), want 400 %s", se.Status, se.Type, se.Detail, tt.want)
			}
		})
	}
}

// TestSplitMembersOtherTypes returns every operation in rest for a
// resource type without members.
func TestSplitMembersOtherTypes(t *testing.T) {
	ops := []scim.PatchOperation{op("add", "members", `[{"value":"x"}]`)}
	rest, steps, err := SplitMembers(scim.UserType(), ops, scim.DefaultQuirks(), 0)
	if err != nil || len(steps) != 0 || len(rest) != 1 {
		t.Fatalf("SplitMembers(User) = %v, %v, %v", rest, steps, err)
	}
}

// TestSplitMembersProperty checks the invariant over generated operation
// lists on generated groups.
func TestSplitMembersProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		ids := randomIDs(r, r.IntN(5))
		doc := groupDoc(ids...)
		ops := randomMemberOps(r, 1+r.IntN(4))
		q := scim.DefaultQuirks()
		if r.IntN(4) == 0 {
			q = scim.Quirks{}
		}
		if msg := splitMismatch(scim.GroupType(), doc, ops, q); msg != "" {
			t.Fatalf("case %d, ops %s on members %v: %s", i, opsJSON(ops), doc["members"], msg)
		}
	}
}

var memberIDs = []string{"u1", "u2", "u3", "U1", "g1"}

func randomIDs(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for range n {
		id := memberIDs[r.IntN(len(memberIDs))]
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func randomMemberOps(r *rand.Rand, n int) []scim.PatchOperation {
	member := func() string {
		id := memberIDs[r.IntN(len(memberIDs))]
		switch r.IntN(5) {
		case 0:
			return fmt.Sprintf(`{"value":%q,"display":"D %s"}`, id, id)
		case 1:
			return fmt.Sprintf(`{"value":%q,"type":"Group","$ref":null}`, id)
		case 2:
			return fmt.Sprintf(`%q`, id)
		case 3:
			return fmt.Sprintf(`{"Value":%q,"display":""}`, id)
		}
		return fmt.Sprintf(`{"value":%q}`, id)
	}
	list := func() string {
		k := r.IntN(4)
		items := make([]string, k)
		for i := range items {
			items[i] = member()
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	filters := []string{
		`members[value eq "u1"]`,
		`members[value eq "u1" or value eq "u2"]`,
		`members[VALUE eq "U1"]`,
		`members[display sw "D"]`,
		`members[type eq "Group" or value eq "u3"]`,
		`members[not (value eq "u2")]`,
		`members[value pr]`,
		`members[value eq "u1"].display`,
		`members[value eq 1]`,
	}
	var ops []scim.PatchOperation
	for range n {
		name := []string{"add", "remove", "replace", "Add", "Remove", "Replace"}[r.IntN(6)]
		switch r.IntN(9) {
		case 0:
			ops = append(ops, op(name, "members", list()))
		case 1:
			ops = append(ops, op(name, "members", ""))
		case 2:
			ops = append(ops, op(name, filters[r.IntN(len(filters))], ""))
		case 3:
			ops = append(ops, op(name, "", fmt.Sprintf(`{"members":%s,"displayName":"G"}`, list())))
		case 4:
			ops = append(ops, op(name, "", fmt.Sprintf(`{"id":"x","members":%s}`, list())))
		case 5:
			ops = append(ops, op(name, "displayName", `"Renamed"`))
		case 6:
			ops = append(ops, op(name, "members", `null`))
		case 7:
			ops = append(ops, op(name, filters[r.IntN(len(filters))], member()))
		case 8:
			ops = append(ops, op(name, "urn:ietf:params:scim:schemas:core:2.0:Group:members", list()))
		}
	}
	return ops
}

func TestApplySteps(t *testing.T) {
	in := []any{
		map[string]any{"value": "a"},
		map[string]any{"value": "b", "display": "Bee"},
	}
	keep := fmt.Sprint(in)
	got := ApplySteps(in, []MemberStep{
		{Kind: StepAdd, Members: []Member{{Value: "b", Display: "other"}, {Value: "c", Type: "Group"}}},
		{Kind: StepRemove, IDs: []string{"a", "zz"}},
	})
	want := []any{
		map[string]any{"value": "b", "display": "Bee"},
		map[string]any{"value": "c", "type": "Group"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ApplySteps (-want +got):\n%s", diff)
	}
	if fmt.Sprint(in) != keep {
		t.Errorf("ApplySteps modified its input: %v", in)
	}
	if got := ApplySteps(in, []MemberStep{{Kind: StepClear}}); got != nil {
		t.Errorf("clear = %v, want nil", got)
	}
}
