package patch

import (
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// ApplySteps applies steps to members, the canonical values of a Group's
// "members" (scim.GroupType), and returns the new list; members is not
// modified. It is the reference semantics of MemberStep that a store must
// reproduce (its conformance tests can use it as the oracle), and the
// other half of SplitMembers' invariant. An empty result is nil.
func ApplySteps(members []any, steps []MemberStep) []any {
	rt := scim.GroupType()
	list := append([]any(nil), members...)
	for _, st := range steps {
		switch st.Kind {
		case StepAdd:
			have := make(map[string]bool, len(list))
			for _, el := range list {
				if id, ok := idOf(el); ok {
					have[id] = true
				}
			}
			for _, m := range st.Members {
				if !have[m.Value] {
					have[m.Value] = true
					list = append(list, fromMember(m))
				}
			}
		case StepRemove:
			ids := make(map[string]bool, len(st.IDs))
			for _, id := range st.IDs {
				ids[id] = true
			}
			list = keepIf(list, func(el any) bool {
				id, ok := idOf(el)
				return !ok || !ids[id]
			})
		case StepClear:
			list = list[:0]
		case StepRemoveWhere:
			t := target{schema: rt.Schema, attr: rt.Schema.Attr("members"), filter: st.Filter}
			t.match = &filter.ValuePath{Attr: scim.AttrPath{Name: t.attr.Name}, Filter: st.Filter}
			list = keepIf(list, func(el any) bool { return !matchValue(rt, t, el) })
		}
	}
	if len(list) == 0 {
		return nil
	}
	return list
}

// keepIf returns the values of list for which keep is true, reusing its
// array.
func keepIf(list []any, keep func(any) bool) []any {
	out := list[:0]
	for _, el := range list {
		if keep(el) {
			out = append(out, el)
		}
	}
	return out
}
