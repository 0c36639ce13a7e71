package patch

import (
	"github.com/rosterhq/roster/internal/scim"
)

// remove applies a remove operation (RFC 7644 §3.5.2.2) to target t. v
// is the operation's value, if present: RFC 7644 defines none for remove,
// and with q.MemberRemoveByValue a list of {"value": id} removes only
// those values (Entra ID's legacy members removal).
func (e *engine) remove(t target, v any, present bool) error {
	if t.attr == nil {
		return e.removeSchema(t)
	}
	if skip, err := e.settable(t, false); skip || err != nil {
		return err
	}
	a := t.attr
	if present && v != nil && e.q.MemberRemoveByValue && t.filter == nil && t.sub == nil && a.MultiValued && a.IsComplex() && a.Sub("value") != nil {
		return e.removeByValue(t, v)
	}
	switch {
	case t.filter != nil:
		return e.removeFiltered(t)
	case t.sub != nil && a.MultiValued:
		old, _ := e.container(t, false)[a.Name].([]any)
		return e.removeSubs(t, old, allIndexes(old))
	case t.sub != nil:
		el, _ := e.container(t, false)[a.Name].(map[string]any)
		return e.unassignSub(t, el)
	}
	return e.unassign(t)
}

// unassignable reports whether attribute or sub-attribute a, called name,
// may become unassigned: not when it is required (RFC 7644 §3.5.2.2: "If
// an attribute is removed or becomes unassigned and is defined as a
// required attribute or a read-only attribute ... mutability") and not
// when it is immutable (RFC 7644 §3.5.2: a client MUST NOT modify an
// immutable attribute).
func unassignable(name string, a *scim.Attribute) error {
	switch {
	case a.Required:
		return scim.BadRequest(scim.ErrMutability, "%s is required and cannot be removed", name)
	case a.Mutability == scim.ReadOnly:
		return scim.BadRequest(scim.ErrMutability, "%s is readOnly", name)
	case a.Mutability == scim.Immutable:
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and cannot be removed", name)
	}
	return nil
}

// unassign removes t's attribute with all its values. Removing an
// attribute that has no value changes nothing.
func (e *engine) unassign(t target) error {
	c := e.container(t, false)
	if _, has := c[t.attr.Name]; !has {
		return nil
	}
	if err := unassignable(t.attr.Name, t.attr); err != nil {
		return err
	}
	delete(c, t.attr.Name)
	return nil
}

// unassignSub removes sub-attribute t.sub from el, the value of the
// single-valued complex attribute t.attr; an attribute left empty is
// unassigned.
func (e *engine) unassignSub(t target, el map[string]any) error {
	if _, has := el[t.sub.Name]; !has {
		return nil
	}
	if err := unassignable(t.name(), t.sub); err != nil {
		return err
	}
	if t.attr.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable", t.attr.Name)
	}
	if len(el) == 1 {
		return e.unassign(t)
	}
	out := make(map[string]any, len(el))
	for k, v := range el {
		if k != t.sub.Name {
			out[k] = v
		}
	}
	e.set(t, out)
	return nil
}

// removeFiltered removes the values a value filter selects (§3.5.2.2: "the
// values matched by the filter are removed"), or with a sub-attribute
// after the filter, that sub-attribute of each. A filter that matches
// nothing changes nothing (§3.5.2.2's example: "If the user was not a
// member of this group, no changes should be made to the resource, and a
// success response should be returned").
func (e *engine) removeFiltered(t target) error {
	a := t.attr
	if !a.MultiValued {
		el, _ := e.container(t, false)[a.Name].(map[string]any)
		if el == nil || !e.matches(t, el) {
			return nil
		}
		if t.sub != nil {
			return e.unassignSub(t, el)
		}
		return e.unassign(t)
	}
	old, _ := e.container(t, false)[a.Name].([]any)
	var hits []int
	for i, el := range old {
		if e.matches(t, el) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	if t.sub != nil {
		return e.removeSubs(t, old, hits)
	}
	list := make([]any, 0, len(old)-len(hits))
	for i, el := range old {
		if len(hits) > 0 && hits[0] == i {
			hits = hits[1:]
			continue
		}
		list = append(list, el)
	}
	return e.replaceValues(t, list)
}

// removeSubs removes sub-attribute t.sub from the values of multi-valued
// t.attr at indexes idx (§3.5.2.2: "Sub-attributes whose values have been
// removed SHALL be considered unassigned"); a value left empty is removed.
func (e *engine) removeSubs(t target, old []any, idx []int) error {
	list := append([]any(nil), old...)
	for _, i := range idx {
		el, ok := list[i].(map[string]any)
		if !ok {
			continue
		}
		if _, has := el[t.sub.Name]; !has {
			continue
		}
		if err := unassignable(t.name(), t.sub); err != nil {
			return err
		}
		out := make(map[string]any, len(el))
		for k, v := range el {
			if k != t.sub.Name {
				out[k] = v
			}
		}
		list[i] = out
	}
	return e.replaceValues(t, dropEmpty(list))
}

// replaceValues stores list as the values of multi-valued t.attr after a
// removal, unassigning the attribute when list is empty (§3.5.2.2: "If no
// other values remain ... the multi-valued attribute SHALL be considered
// unassigned").
func (e *engine) replaceValues(t target, list []any) error {
	old, _ := e.container(t, false)[t.attr.Name].([]any)
	if equal(old, list) {
		return nil
	}
	if len(list) == 0 {
		return e.unassign(t)
	}
	if t.attr.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable", t.attr.Name)
	}
	e.set(t, list)
	return nil
}

// removeByValue removes the values of multi-valued t.attr whose "value"
// is one of those listed in v: a list of {"value": id} (other keys such as
// "$ref": null are ignored) or of bare ids (q.MemberRemoveByValue, Entra
// ID's legacy members removal). It never clears the attribute unless every
// value is listed.
func (e *engine) removeByValue(t target, v any) error {
	ids, err := listedIDs(t.attr.Name, v)
	if err != nil {
		return err
	}
	old, _ := e.container(t, false)[t.attr.Name].([]any)
	list := make([]any, 0, len(old))
	for _, el := range old {
		if id, ok := idOf(el); ok && ids[id] {
			continue
		}
		list = append(list, el)
	}
	return e.replaceValues(t, list)
}

// listedIDs reads the value of a remove-by-value: an array (or a single
// item) of {"value": "id"} objects or bare "id" strings.
func listedIDs(name string, v any) (map[string]bool, error) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	ids := make(map[string]bool, len(items))
	for _, it := range items {
		var id string
		switch x := it.(type) {
		case string:
			id = x
		case map[string]any:
			k, found := lastSpelling(x, "value")
			if found {
				id, _ = x[k].(string)
			}
		case nil:
			continue
		}
		if id == "" {
			return nil, scim.BadRequest(scim.ErrInvalidValue, "to remove values of %q, list them as [{\"value\": \"id\"}]", name)
		}
		ids[id] = true
	}
	return ids, nil
}

// removeSchema removes a whole extension: every attribute under its URN
// key, each of which must be removable. The core schema cannot be removed.
func (e *engine) removeSchema(t target) error {
	if !t.ext {
		return scim.BadRequest(scim.ErrInvalidPath, "the core schema %q cannot be removed; name an attribute", t.schema.ID)
	}
	m, ok := e.doc[t.schema.ID].(map[string]any)
	if !ok {
		return nil
	}
	for _, ext := range e.rt.Extensions {
		if ext.Schema == t.schema && ext.Required {
			return scim.BadRequest(scim.ErrMutability, "the extension %q is required", t.schema.ID)
		}
	}
	for _, a := range t.schema.Attributes {
		if _, has := m[a.Name]; has {
			if err := unassignable(a.Name, a); err != nil {
				return err
			}
		}
	}
	delete(e.doc, t.schema.ID)
	return nil
}

func allIndexes(list []any) []int {
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	return idx
}
