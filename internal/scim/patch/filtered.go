package patch

import (
	"encoding/json"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// writeFiltered applies add or replace to the values a value filter
// selects (RFC 7644 §3.5.2.3: "all matching record values SHALL be
// replaced"; with a sub-attribute, "the matching sub-attribute of all
// matching records is replaced"). A value is merged into each matching
// value; a sub-attribute after the filter is set in each. When nothing
// matches, the value is created (q.AddCreatesFilteredElement, see
// seed) or the operation fails with 400 noTarget (§3.5.2.3).
func (e *engine) writeFiltered(k kind, t target, v any) error {
	a := t.attr
	if !a.MultiValued {
		el, _ := e.container(t, false)[a.Name].(map[string]any)
		if el == nil || !e.matches(t, el) {
			return e.noMatch(k, t, v, nil)
		}
		if t.sub != nil {
			if v == nil {
				return e.unassignSub(t, el)
			}
			return e.writeSubOf(k, t, el, v)
		}
		t.filter, t.match = nil, nil
		return e.writeComplex(k, t, v)
	}
	old, _ := e.container(t, false)[a.Name].([]any)
	var hits []int
	for i, el := range old {
		if e.matches(t, el) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		return e.noMatch(k, t, v, old)
	}
	if v == nil {
		// replace with null: the matching values become unassigned (RFC
		// 7643 §2.5).
		return e.removeFiltered(t)
	}
	list := append([]any(nil), old...)
	var set []int
	for _, i := range hits {
		el, _ := list[i].(map[string]any)
		var nv map[string]any
		if t.sub != nil {
			sv, err := e.coerce(t.sub, v)
			if err != nil {
				return err
			}
			if sv == nil {
				continue
			}
			if ov, has := el[t.sub.Name]; has && !equal(ov, sv) && t.sub.Mutability == scim.Immutable {
				return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has a value", t.name())
			}
			nv = make(map[string]any, len(el)+1)
			for key, val := range el {
				nv[key] = val
			}
			nv[t.sub.Name] = sv
			if t.sub.Name == "primary" && sv == true {
				set = append(set, i)
			}
		} else {
			merged, err := e.merge(k, a, el, v)
			if err != nil {
				return err
			}
			nv = merged
			if m, ok := v.(map[string]any); ok && setsPrimary(m) && isPrimary(nv) {
				set = append(set, i)
			}
		}
		list[i] = nv
	}
	list = dropEmpty(list)
	if equal(old, list) {
		return nil
	}
	if a.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has values", a.Name)
	}
	if len(list) == 0 {
		return e.unassign(t)
	}
	if err := fixPrimary(a, list, set); err != nil {
		return err
	}
	e.set(t, list)
	return nil
}

// setsPrimary reports whether a client's object sets "primary" (in any
// letter case).
func setsPrimary(m map[string]any) bool {
	for k := range m {
		if strings.EqualFold(k, "primary") {
			return true
		}
	}
	return false
}

// dropEmpty removes values left without sub-attributes.
func dropEmpty(list []any) []any {
	out := list[:0]
	for _, el := range list {
		if m, ok := el.(map[string]any); ok && len(m) == 0 {
			continue
		}
		out = append(out, el)
	}
	return out
}

// noMatch handles add or replace on a value filter that matches nothing:
// with q.AddCreatesFilteredElement and a qualifying filter (see seed) the
// value is created and appended to old; otherwise 400 noTarget (RFC 7644
// §3.5.2.3; Table 9: "the specified path value contains a filter that
// yields no match").
func (e *engine) noMatch(k kind, t target, v any, old []any) error {
	fail := scim.BadRequest(scim.ErrNoTarget, "no value of %q matches the filter %s", t.attr.Name, t.filter.String())
	if !e.q.AddCreatesFilteredElement || !t.attr.MultiValued {
		return fail
	}
	raw, ok := seed(t.attr, t.filter)
	if !ok {
		return fail
	}
	if v == nil {
		return nil // nothing to create, nothing to unassign
	}
	if t.sub != nil {
		setKey(raw, t.sub.Name, v)
	} else {
		obj, isObj := v.(map[string]any)
		if !isObj {
			return scim.BadRequest(scim.ErrInvalidValue, "the value for %s must be an object of its sub-attributes, not %s", t.attr.Name, jsonKind(v))
		}
		for _, key := range sortedKeys(obj) {
			if obj[key] == nil {
				continue
			}
			setKey(raw, key, obj[key])
		}
	}
	cv, err := e.coerce(single(t.attr), raw)
	if err != nil {
		return err
	}
	el, _ := cv.(map[string]any)
	if el == nil {
		return nil
	}
	if identity(t.attr) {
		if err := checkIdentities(t.attr, el); err != nil {
			return err
		}
	}
	list := append(make([]any, 0, len(old)+1), old...)
	list, added := appendNew(t.attr, list, []any{el})
	if len(added) == 0 {
		return nil
	}
	if len(old) > 0 && t.attr.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has values", t.attr.Name)
	}
	if err := fixPrimary(t.attr, list, primaries(list, added)); err != nil {
		return err
	}
	e.set(t, list)
	return nil
}

// setKey sets raw[key] = v, first deleting keys that name the same
// sub-attribute in another letter case.
func setKey(raw map[string]any, key string, v any) {
	for k := range raw {
		if strings.EqualFold(k, key) {
			delete(raw, k)
		}
	}
	raw[key] = v
}

// seed returns the sub-attributes a value created for filter f must have
// (q.AddCreatesFilteredElement), as client JSON values, and whether f
// qualifies: f is "sub eq literal", or an "and" of such comparisons, with
// non-null literals, each sub a writable sub-attribute of a, and no
// sub-attribute given two different literals. A filter with "or", "not",
// "pr" or another operator does not say what to create.
func seed(a *scim.Attribute, f filter.Expr) (map[string]any, bool) {
	out := map[string]any{}
	var walk func(filter.Expr) bool
	walk = func(x filter.Expr) bool {
		switch n := x.(type) {
		case *filter.And:
			return walk(n.Left) && walk(n.Right)
		case *filter.Compare:
			sub := a.Sub(n.Path.Name)
			if n.Op != filter.OpEq || sub == nil || sub.Mutability == scim.ReadOnly || n.Path.URN != "" || n.Path.Sub != "" {
				return false
			}
			var lit any
			switch n.Value.Kind {
			case filter.KindString:
				lit = n.Value.Str
			case filter.KindNumber:
				lit = json.Number(n.Value.Str)
			case filter.KindBool:
				lit = n.Value.Bool
			default:
				return false
			}
			if prev, ok := out[sub.Name]; ok && prev != lit {
				return false
			}
			out[sub.Name] = lit
			return true
		}
		return false
	}
	if !walk(f) {
		return nil, false
	}
	return out, true
}
