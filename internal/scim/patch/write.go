package patch

import (
	"slices"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// write applies add or replace (RFC 7644 §3.5.2.1, §3.5.2.3) of v, a
// decoded JSON value (nil is null), to target t. fromValue is true when t
// comes from a key of a path-less value, where readOnly attributes are
// ignored with q.IgnoreReadOnlyInValue.
func (e *engine) write(k kind, t target, v any, fromValue bool) error {
	if t.attr == nil {
		return e.writeSchema(k, t, v)
	}
	if skip, err := e.settable(t, fromValue); skip || err != nil {
		return err
	}
	switch {
	case t.filter != nil:
		return e.writeFiltered(k, t, v)
	case t.sub != nil:
		return e.writeSub(k, t, v)
	case t.attr.MultiValued:
		return e.writeMulti(k, t, v)
	case t.attr.IsComplex():
		return e.writeComplex(k, t, v)
	}
	return e.writeSimple(k, t, v)
}

// settable checks the mutability of t's attribute and sub-attribute (RFC
// 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability
// readOnly"): readOnly is 400 mutability, or skipped inside a value with
// q.IgnoreReadOnlyInValue; writeOnly (password) is skipped, as Roster
// keeps no writeOnly value.
func (e *engine) settable(t target, fromValue bool) (skip bool, err error) {
	for _, a := range []*scim.Attribute{t.attr, t.sub} {
		if a == nil {
			continue
		}
		switch {
		case a.Mutability == scim.ReadOnly:
			if fromValue && e.q.IgnoreReadOnlyInValue {
				return true, nil
			}
			return false, scim.BadRequest(scim.ErrMutability, "%s is readOnly", t.name())
		case a.Mutability == scim.WriteOnly || a.Returned == scim.ReturnedNever:
			return true, nil
		}
	}
	return false, nil
}

// writeObject applies a path-less add or replace (§3.5.2.1: "the target
// location is assumed to be the resource itself"; §3.5.2.3): each key of
// obj names an attribute, in byte order. scope is nil for the resource,
// or the schema whose URN key holds obj.
func (e *engine) writeObject(k kind, obj map[string]any, scope *scim.Schema) error {
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		if scope == nil {
			if strings.EqualFold(key, "schemas") {
				continue // the server keeps "schemas" (RFC 7643 §3)
			}
			if s := e.rt.SchemaFor(key); s != nil {
				if err := e.writeSchema(k, target{schema: s, ext: s != e.rt.Schema}, v); err != nil {
					return err
				}
				continue
			}
		}
		t, skip, err := e.resolveKey(key, scope)
		if err != nil {
			return err
		}
		if skip {
			continue
		}
		if v == nil && k == opAdd {
			continue // adding nothing
		}
		if err := e.write(k, t, v, true); err != nil {
			return err
		}
	}
	return nil
}

// writeSchema applies add or replace to a whole schema: v is an object of
// that schema's attributes (an extension's, as under its URN key in a
// resource, RFC 7643 §3.3). A null replace removes the extension.
func (e *engine) writeSchema(k kind, t target, v any) error {
	if v == nil {
		if k == opAdd {
			return nil
		}
		return e.removeSchema(t)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return scim.BadRequest(scim.ErrInvalidValue, "the value for %q must be an object of its attributes, not %s", t.schema.ID, jsonKind(v))
	}
	return e.writeObject(k, obj, t.schema)
}

// container returns the map that holds t's attribute: the document, or
// the object under the extension's URN key (created when create is true).
func (e *engine) container(t target, create bool) map[string]any {
	if !t.ext {
		return e.doc
	}
	m, ok := e.doc[t.schema.ID].(map[string]any)
	if !ok && create {
		m = map[string]any{}
		e.doc[t.schema.ID] = m
	}
	return m
}

// set stores v as t's attribute value.
func (e *engine) set(t target, v any) {
	e.container(t, true)[t.attr.Name] = v
}

// writeSimple sets a single-valued simple attribute (§3.5.2.1: "the
// existing value is replaced").
func (e *engine) writeSimple(k kind, t target, v any) error {
	a := t.attr
	if v == nil {
		return e.unassign(t)
	}
	nv, err := e.coerce(a, v)
	if err != nil {
		return err
	}
	if nv == nil {
		return e.unassign(t)
	}
	old, has := e.container(t, false)[a.Name]
	if has && equal(old, nv) {
		return nil
	}
	if has && a.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has a value", a.Name)
	}
	e.set(t, nv)
	return nil
}

// writeComplex merges a value into a single-valued complex attribute
// (§3.5.2.1: "a set of sub-attributes SHALL be specified"; §3.5.2.3:
// "Sub-attributes that are not specified in the value parameter are left
// unchanged"). With replace, a sub-attribute sent as null is unassigned.
func (e *engine) writeComplex(k kind, t target, v any) error {
	a := t.attr
	if v == nil {
		return e.unassign(t)
	}
	old, _ := e.container(t, false)[a.Name].(map[string]any)
	merged, err := e.merge(k, a, old, v)
	if err != nil {
		return err
	}
	if equal(old, merged) {
		return nil
	}
	if old != nil && a.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has a value", a.Name)
	}
	if len(merged) == 0 {
		return e.unassign(t)
	}
	e.set(t, merged)
	return nil
}

// merge returns a copy of old, one value of complex attribute a, with v's
// sub-attributes merged in; with replace, sub-attributes v sets to null
// are unassigned. Changing an immutable sub-attribute that has a value,
// or unassigning a required or immutable one, is 400 mutability.
func (e *engine) merge(k kind, a *scim.Attribute, old map[string]any, v any) (map[string]any, error) {
	nulls, err := e.scan(a, v)
	if err != nil {
		return nil, err
	}
	cv, err := e.coerce(single(a), v)
	if err != nil {
		return nil, err
	}
	nv, _ := cv.(map[string]any)
	out := make(map[string]any, len(old)+len(nv))
	for key, val := range old {
		out[key] = val
	}
	for _, sub := range a.SubAttributes { // schema order: deterministic errors
		val, ok := nv[sub.Name]
		if !ok {
			continue
		}
		if ov, has := out[sub.Name]; has && !equal(ov, val) && sub.Mutability == scim.Immutable {
			return nil, scim.BadRequest(scim.ErrMutability, "%s.%s is immutable and already has a value", a.Name, sub.Name)
		}
		out[sub.Name] = val
	}
	if k == opReplace {
		for _, sub := range nulls {
			if _, has := out[sub.Name]; !has {
				continue
			}
			if err := unassignable(a.Name+"."+sub.Name, sub); err != nil {
				return nil, err
			}
			delete(out, sub.Name)
		}
	}
	return out, nil
}

// writeMulti adds values to, or replaces all values of, a multi-valued
// attribute (§3.5.2.1: "a new value is added"; §3.5.2.3: "the attribute
// and all values are replaced"). A value already present is not added
// again; for an identity attribute (members) a value whose id is already
// present is not added again.
func (e *engine) writeMulti(k kind, t target, v any) error {
	a := t.attr
	if v == nil {
		return e.unassign(t)
	}
	cv, err := e.coerce(a, v)
	if err != nil {
		return err
	}
	items, _ := cv.([]any)
	old, _ := e.container(t, false)[a.Name].([]any)
	var list []any
	if k == opAdd {
		list = append(make([]any, 0, len(old)+len(items)), old...)
	}
	list, added := appendNew(a, list, items)
	if k == opReplace && len(list) == 0 {
		return e.unassign(t)
	}
	if k == opAdd && len(added) == 0 {
		return nil
	}
	if k == opReplace && equal(old, list) {
		return nil
	}
	if len(old) > 0 && a.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has values", a.Name)
	}
	if err := fixPrimary(a, list, primaries(list, added)); err != nil {
		return err
	}
	e.set(t, list)
	return nil
}

// appendNew appends to list each of items not already in it, and returns
// the new list and the indexes of the values appended. A value is already
// in the list when an identical value is, or for an identity attribute
// (members) when a value with the same id is.
func appendNew(a *scim.Attribute, list, items []any) ([]any, []int) {
	var added []int
	if identity(a) {
		ids := make(map[string]bool, len(list)+len(items))
		for _, el := range list {
			if id, ok := idOf(el); ok {
				ids[id] = true
			}
		}
		for _, it := range items {
			id, _ := idOf(it)
			if ids[id] {
				continue
			}
			ids[id] = true
			added = append(added, len(list))
			list = append(list, it)
		}
		return list, added
	}
	for _, it := range items {
		if slices.ContainsFunc(list, func(el any) bool { return equal(el, it) }) {
			continue
		}
		added = append(added, len(list))
		list = append(list, it)
	}
	return list, added
}

// writeSub sets a sub-attribute of a single-valued complex attribute
// ("name.givenName", "urn:...:User:manager.value"). A sub-attribute of a
// multi-valued attribute must be selected with a value filter
// (emails[type eq "work"].value): without one the target is ambiguous,
// 400 invalidPath.
func (e *engine) writeSub(k kind, t target, v any) error {
	a, s := t.attr, t.sub
	if a.MultiValued {
		return scim.BadRequest(scim.ErrInvalidPath, "%q is multi-valued: select its values with a filter, as in %s[type eq \"work\"].%s", a.Name, a.Name, s.Name)
	}
	el, _ := e.container(t, false)[a.Name].(map[string]any)
	if v == nil {
		return e.unassignSub(t, el)
	}
	return e.writeSubOf(k, t, el, v)
}

// writeSubOf sets sub-attribute t.sub of el, the value of single-valued
// complex attribute t.attr (nil when it has none).
func (e *engine) writeSubOf(_ kind, t target, el map[string]any, v any) error {
	a, s := t.attr, t.sub
	nv, err := e.coerce(s, v)
	if err != nil {
		return err
	}
	if nv == nil {
		return e.unassignSub(t, el)
	}
	ov, has := el[s.Name]
	if has && equal(ov, nv) {
		return nil
	}
	if has && s.Mutability == scim.Immutable || el != nil && a.Mutability == scim.Immutable {
		return scim.BadRequest(scim.ErrMutability, "%s is immutable and already has a value", t.name())
	}
	out := make(map[string]any, len(el)+1)
	for key, val := range el {
		out[key] = val
	}
	out[s.Name] = nv
	e.set(t, out)
	return nil
}
