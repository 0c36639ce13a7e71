package patch

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// DefaultMaxMembers is the bound SplitMembers applies when given none: the
// most member ids one PATCH request may add and remove in total. Okta
// batches large group pushes into smaller PATCH requests (its socket
// timeout is 60 s); a store applies this many in well under a second.
const DefaultMaxMembers = 10_000

// StepKind is the kind of a MemberStep.
type StepKind int

// The kinds of membership step.
const (
	// StepAdd adds Members that are not yet members (by id); a member
	// already present is left as it is (RFC 7644 §3.5.2.1: "If the target
	// location already contains the value specified, no changes SHOULD be
	// made").
	StepAdd StepKind = iota + 1
	// StepRemove removes the members whose id is in IDs; ids that are not
	// members are ignored (RFC 7644 §3.5.2.2).
	StepRemove
	// StepClear removes every member (RFC 7644 §3.5.2.2: remove with path
	// "members" and no filter; or the first half of a replace, §3.5.2.3).
	StepClear
	// StepRemoveWhere removes the members that satisfy Filter, a filter over
	// the member sub-attributes value, display, type and $ref (RFC 7644
	// §3.5.2.2: "the values matched by the filter are removed").
	StepRemoveWhere
)

// String returns the kind's name ("add", "remove", "clear",
// "removeWhere").
func (k StepKind) String() string {
	switch k {
	case StepAdd:
		return "add"
	case StepRemove:
		return "remove"
	case StepClear:
		return "clear"
	case StepRemoveWhere:
		return "removeWhere"
	}
	return "unknown"
}

// Member is one value of a Group's members (RFC 7643 §4.2) as a client
// sent it, coerced: Value is the member's id (required, non-empty);
// Display, Type and Ref are "" when absent. An empty Type means "User"
// (RFC 7643 §4.2 lists "User" and "Group"; Okta sends no type). Ref is the
// client's "$ref", which a store may ignore and compute from Value.
type Member struct {
	Value   string
	Display string
	Type    string
	Ref     string
}

// MemberStep is one change to a Group's member list, in the order the
// PATCH operations gave it. A store applies the steps in order, in the
// transaction that stores the rest of the PATCH, without reading the
// member list: an add is an insert that ignores existing ids, a remove a
// delete by ids, a clear a delete of all, a removeWhere a delete by a
// compiled filter.
type MemberStep struct {
	Kind StepKind
	// Members are the members to add (StepAdd), in order, without
	// duplicate ids.
	Members []Member
	// IDs are the ids to remove (StepRemove), in order, without
	// duplicates.
	IDs []string
	// Filter selects the members to remove (StepRemoveWhere): a value
	// filter over the sub-attributes of members that is not a disjunction
	// of `value eq "id"` comparisons (those become StepRemove).
	Filter filter.Expr
}

// SplitMembers separates the operations that touch a Group's members
// (RFC 7644 §3.5.2) from the others, so that a membership change costs
// the size of the change, not of the group (idp-behaviour.md rows 9, 13
// and 18). It returns rest, the operations that do not touch members, and
// steps, the membership changes in order:
//
//   - add, path "members": StepAdd (Okta's push, the RFC's §3.5.2.1
//     example);
//   - replace, path "members", or a path-less replace whose value has a
//     "members" key: StepClear then StepAdd (Okta's full sync, §3.5.2.3);
//     a null or empty list: StepClear;
//   - remove, path `members[value eq "a" or value eq "b"]`: StepRemove a,
//     b (Okta, Entra ID with aadOptscim062020); any other filter:
//     StepRemoveWhere;
//   - remove, path "members", with a value [{"value": "id"}] and
//     q.MemberRemoveByValue: StepRemove (Entra ID's legacy form: only the
//     listed members, never a clear);
//   - remove, path "members" otherwise: StepClear (§3.5.2.2).
//
// A path-less add or replace whose value has a "members" key (also
// URN-qualified, or under the core schema's URN key) yields the steps of
// that key and stays in rest without it; an operation left with an empty
// value is dropped. Operations that do not parse or resolve stay in rest,
// for Apply to report.
//
// The invariant, checked by this package's tests over generated
// operations: when SplitMembers succeeds, Apply(rt, doc, ops) succeeds if
// and only if Apply(rt, doc, rest) does, and its result equals that of
// Apply(rt, doc, rest) with "members" set to ApplySteps(doc's members,
// steps).
//
// A member value must have a non-empty "value" (else 400 invalidValue,
// as in Apply). Changing a member in place — add or replace with a value
// filter or a sub-attribute, such as members[value eq "x"].display — is
// 400 invalidPath, and removing a member's sub-attribute 400 mutability:
// members are immutable (RFC 7643 §4.2) and are added and removed whole.
// More than maxMembers ids added and removed in total (maxMembers <= 0:
// DefaultMaxMembers) is 400 tooMany, whose detail asks for smaller
// requests: tooMany is RFC 7644 §3.12's error for more than the server
// "is willing to ... process". Errors name the operation as Apply's do.
//
// rt is normally scim.GroupType(); for a resource type without a
// multi-valued "members" attribute whose values are identified by an
// immutable "value", every operation is returned in rest.
//
// Member arrays in Okta's and Entra ID's shape are read by a typed fast
// path (members_fast.go) with the same result.
func SplitMembers(rt *scim.ResourceType, ops []scim.PatchOperation, q scim.Quirks, maxMembers int) (rest []scim.PatchOperation, steps []MemberStep, err error) {
	return splitMembers(rt, ops, q, maxMembers, true)
}

// splitMembers is SplitMembers; fast false turns the typed fast path off
// (the differential tests compare both).
func splitMembers(rt *scim.ResourceType, ops []scim.PatchOperation, q scim.Quirks, maxMembers int, fast bool) (rest []scim.PatchOperation, steps []MemberStep, err error) {
	attr := rt.Schema.Attr("members")
	if attr == nil || !identity(attr) {
		return append([]scim.PatchOperation(nil), ops...), nil, nil
	}
	s := &splitter{e: engine{rt: rt, q: q}, attr: attr, fast: fast}
	rest = make([]scim.PatchOperation, 0, len(ops))
	for i, op := range ops {
		keep, err := s.op(op)
		if err != nil {
			return nil, nil, opError(i, op, err)
		}
		rest = append(rest, keep...)
	}
	if maxMembers <= 0 {
		maxMembers = DefaultMaxMembers
	}
	n := 0
	for _, st := range s.steps {
		n += len(st.Members) + len(st.IDs)
	}
	if n > maxMembers {
		return nil, nil, scim.BadRequest(scim.ErrTooMany, "the request adds and removes %d members; at most %d are accepted in one request: split the change into smaller PATCH requests", n, maxMembers)
	}
	if s.merged {
		for i := range s.steps {
			if s.steps[i].Kind == StepRemove {
				s.steps[i].IDs = dedup(s.steps[i].IDs)
			}
		}
	}
	return rest, s.steps, nil
}

// splitter holds the state of one SplitMembers.
type splitter struct {
	e      engine // resolves paths and coerces values; has no document
	attr   *scim.Attribute
	steps  []MemberStep
	fast   bool // try the typed fast path first
	merged bool // removes were merged, so their ids may repeat until the final dedup
	grown  int  // with merged: the step whose IDs slice add owns and appends to
}

// op splits one operation, returning what stays in rest.
func (s *splitter) op(op scim.PatchOperation) ([]scim.PatchOperation, error) {
	keep := []scim.PatchOperation{op}
	k, err := parseOp(op.Op, s.e.q)
	if err != nil {
		return keep, nil
	}
	if s.fast && s.fastOp(k, op) {
		return nil, nil
	}
	v, present, err := decodeValue(op.Value)
	if err != nil || k != opRemove && !present {
		return keep, nil
	}
	path := strings.TrimSpace(op.Path)
	var scope *scim.Schema
	if path != "" {
		t, skip, err := s.e.resolve(path)
		if err != nil || skip {
			return keep, nil
		}
		if t.attr == s.attr {
			return nil, s.members(k, t, v, present)
		}
		if t.attr != nil || t.ext || k == opRemove {
			return keep, nil
		}
		scope = t.schema // the core schema's URN as the path
	}
	if k == opRemove {
		return keep, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return keep, nil
	}
	kept, touched, err := s.object(k, obj, scope)
	if err != nil || !touched {
		return keep, err
	}
	if len(kept) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(kept)
	if err != nil {
		return nil, scim.BadRequest(scim.ErrInvalidValue, "the value cannot be re-encoded")
	}
	op.Value = raw
	return []scim.PatchOperation{op}, nil
}

// object takes the members keys out of obj, a path-less value (scope nil)
// or the object given for the core schema, as Apply's writeObject reads
// them, and returns what is left and whether there was any.
func (s *splitter) object(k kind, obj map[string]any, scope *scim.Schema) (map[string]any, bool, error) {
	kept := make(map[string]any, len(obj))
	touched := false
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		if scope == nil && !strings.EqualFold(key, "schemas") {
			if sch := s.e.rt.SchemaFor(key); sch != nil {
				inner, ok := v.(map[string]any)
				if !ok || sch != s.e.rt.Schema {
					kept[key] = v
					continue
				}
				in, t, err := s.object(k, inner, sch)
				if err != nil {
					return nil, false, err
				}
				if t {
					touched = true
					if len(in) == 0 {
						continue
					}
					v = in
				}
				kept[key] = v
				continue
			}
		}
		if scope == nil && strings.EqualFold(key, "schemas") {
			kept[key] = v
			continue
		}
		t, skip, err := s.e.resolveKey(key, scope)
		if err != nil || skip || t.attr != s.attr {
			kept[key] = v
			continue
		}
		touched = true
		if v == nil && k == opAdd {
			continue
		}
		if err := s.members(k, t, v, true); err != nil {
			return nil, false, err
		}
	}
	return kept, touched, nil
}

// members turns one operation on the members attribute into steps.
func (s *splitter) members(k kind, t target, v any, present bool) error {
	if k == opRemove {
		switch {
		case t.sub != nil:
			return scim.BadRequest(scim.ErrMutability, "members are immutable: remove whole members, not %s", t.name())
		case t.filter != nil:
			if ids, ok := valueEqs(t.filter); ok {
				s.add(MemberStep{Kind: StepRemove, IDs: dedup(ids)})
			} else {
				s.add(MemberStep{Kind: StepRemoveWhere, Filter: t.filter})
			}
		case present && v != nil && s.e.q.MemberRemoveByValue:
			ids, err := listedIDs(t.attr.Name, v)
			if err != nil {
				return err
			}
			list := make([]string, 0, len(ids))
			for _, id := range listedOrder(v) {
				if ids[id] {
					list = append(list, id)
				}
			}
			s.add(MemberStep{Kind: StepRemove, IDs: dedup(list)})
		default:
			s.add(MemberStep{Kind: StepClear})
		}
		return nil
	}
	if t.filter != nil || t.sub != nil {
		return scim.BadRequest(scim.ErrInvalidPath, "members are added with path \"members\" and removed with a filter; %s on %q is not supported: members are immutable", k, t.name())
	}
	if v == nil {
		if k == opAdd {
			return scim.BadRequest(scim.ErrInvalidValue, "add needs a value, not null")
		}
		s.add(MemberStep{Kind: StepClear})
		return nil
	}
	cv, err := s.e.coerce(t.attr, v)
	if err != nil {
		return err
	}
	items, _ := cv.([]any)
	if k == opReplace {
		s.add(MemberStep{Kind: StepClear})
	}
	if len(items) == 0 {
		return nil
	}
	ms := make([]Member, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		m := toMember(it.(map[string]any))
		if seen[m.Value] {
			continue
		}
		seen[m.Value] = true
		ms = append(ms, m)
	}
	s.add(MemberStep{Kind: StepAdd, Members: ms})
	return nil
}

// fastOp splits op with the typed fast path when its path is "members"
// and its value a plain member array (scanMembers); it returns false,
// having done nothing, when the generic path must decide. The steps are
// those members gives for the same operation: an add or replace adds the
// members without duplicate ids (a replace clears first), a remove
// removes the listed ids (MemberRemoveByValue) or clears.
func (s *splitter) fastOp(k kind, op scim.PatchOperation) bool {
	path := strings.TrimSpace(op.Path)
	if path == "" {
		return false
	}
	ms, ok := scanMembers(op.Value)
	if !ok {
		return false
	}
	t, skip, err := s.e.resolve(path)
	if err != nil || skip || t.attr != s.attr || t.filter != nil || t.sub != nil {
		return false
	}
	seen := make(map[string]struct{}, len(ms))
	switch k {
	case opRemove:
		if !s.e.q.MemberRemoveByValue {
			s.add(MemberStep{Kind: StepClear})
			return true
		}
		ids := make([]string, 0, len(ms))
		for _, m := range ms {
			if _, dup := seen[m.Value]; !dup {
				seen[m.Value] = struct{}{}
				ids = append(ids, m.Value)
			}
		}
		s.add(MemberStep{Kind: StepRemove, IDs: ids})
		return true
	case opReplace:
		s.add(MemberStep{Kind: StepClear})
	}
	out := ms[:0]
	for _, m := range ms {
		if _, dup := seen[m.Value]; !dup {
			seen[m.Value] = struct{}{}
			out = append(out, m)
		}
	}
	s.add(MemberStep{Kind: StepAdd, Members: out})
	return true
}

// add appends a step, merging it into the previous one of the same kind
// where the result is the same: two clears are one, and consecutive
// removes by id are one removal of their union. Okta removes 100 members
// as 100 operations `members[value eq "id"]`; merged, they cost one store
// call (one DELETE) instead of one per operation. Merged ids are
// deduplicated once, at the end of splitMembers.
func (s *splitter) add(st MemberStep) {
	if (st.Kind == StepRemove && len(st.IDs) == 0) || (st.Kind == StepAdd && len(st.Members) == 0) {
		return
	}
	if n := len(s.steps); n > 0 && st.Kind == s.steps[n-1].Kind {
		switch st.Kind {
		case StepClear:
			return
		case StepRemove:
			prev := &s.steps[n-1]
			if !s.merged || s.grown != n-1 {
				prev.IDs = slices.Clone(prev.IDs) // never append into a slice the caller or another step holds
				s.grown = n - 1
			}
			prev.IDs = append(prev.IDs, st.IDs...)
			s.merged = true
			return
		}
	}
	s.steps = append(s.steps, st)
}

// valueEqs reports whether f is `value eq "id"` or a disjunction of such
// comparisons, and returns the ids.
func valueEqs(f filter.Expr) ([]string, bool) {
	switch x := f.(type) {
	case *filter.Or:
		l, ok := valueEqs(x.Left)
		if !ok {
			return nil, false
		}
		r, ok := valueEqs(x.Right)
		if !ok {
			return nil, false
		}
		return append(l, r...), true
	case *filter.Compare:
		if x.Op == filter.OpEq && x.Value.Kind == filter.KindString && strings.EqualFold(x.Path.Name, "value") && x.Path.URN == "" && x.Path.Sub == "" {
			return []string{x.Value.Str}, true
		}
	}
	return nil, false
}

// listedOrder returns the ids of a remove-by-value in the order listed.
func listedOrder(v any) []string {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	var out []string
	for _, it := range items {
		switch x := it.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			if k, found := lastSpelling(x, "value"); found {
				if id, ok := x[k].(string); ok {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

func dedup(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// toMember converts a canonical member value.
func toMember(m map[string]any) Member {
	str := func(k string) string { s, _ := m[k].(string); return s }
	return Member{Value: str("value"), Display: str("display"), Type: str("type"), Ref: str("$ref")}
}

// fromMember converts a Member to a canonical member value.
func fromMember(mb Member) map[string]any {
	m := map[string]any{"value": mb.Value}
	if mb.Display != "" {
		m["display"] = mb.Display
	}
	if mb.Type != "" {
		m["type"] = mb.Type
	}
	if mb.Ref != "" {
		m["$ref"] = mb.Ref
	}
	return m
}
