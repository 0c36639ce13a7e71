package patch

import (
	"strings"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// target is a PATCH path resolved against the resource type (RFC 7644
// §3.5.2, "PATH = attrPath / valuePath [subAttr]").
type target struct {
	// schema defines attr; when attr is nil the path names the whole
	// schema (an extension URN, or the core schema's).
	schema *scim.Schema
	// ext is true when the value lives under the schema's URN key.
	ext bool
	// attr is the top-level attribute, or nil.
	attr *scim.Attribute
	// sub is the sub-attribute ("name.givenName", "emails[...].value"), or
	// nil.
	sub *scim.Attribute
	// filter is the value filter, or nil; match is the expression that
	// tests one value of attr against it (see matches).
	filter filter.Expr
	match  filter.Expr
}

// name returns the attribute path for error details.
func (t target) name() string {
	switch {
	case t.attr == nil:
		return t.schema.ID
	case t.sub != nil:
		return t.attr.Name + "." + t.sub.Name
	}
	return t.attr.Name
}

// resolve parses and resolves a PATCH path. A path that names an
// attribute, sub-attribute or schema outside the resource type (or whose
// value filter names an unknown sub-attribute) is 400 invalidPath, or is
// skipped (skip true) with q.UnknownAttributesIgnored. A malformed path is
// always invalidPath, as filter.ParsePath reports it.
func (e *engine) resolve(path string) (t target, skip bool, err error) {
	if s := e.rt.SchemaFor(path); s != nil {
		return target{schema: s, ext: s != e.rt.Schema}, false, nil
	}
	p, err := filter.ParsePath(path)
	if err != nil {
		return target{}, false, asSCIM(err, scim.ErrInvalidPath)
	}
	subName := p.Attr.Sub
	if p.Filter != nil || p.Sub != "" {
		if subName != "" {
			return target{}, false, scim.BadRequest(scim.ErrInvalidPath, "a value filter must follow the attribute, not its sub-attribute")
		}
		subName = p.Sub
	}
	res, err := e.rt.Resolve(scim.AttrPath{URN: p.Attr.URN, Name: p.Attr.Name})
	if err != nil {
		return e.unknown(err)
	}
	t = target{schema: res.Schema, ext: res.IsExtension(e.rt), attr: res.Attr}
	if subName != "" {
		if !t.attr.IsComplex() {
			return e.unknown(scim.BadRequest(scim.ErrInvalidPath, "%q has no sub-attributes", t.attr.Name))
		}
		if t.sub = t.attr.Sub(subName); t.sub == nil {
			return e.unknown(scim.BadRequest(scim.ErrInvalidPath, "unknown sub-attribute %q of %q", clip(subName), t.attr.Name))
		}
	}
	if p.Filter != nil {
		if !t.attr.IsComplex() {
			return target{}, false, scim.BadRequest(scim.ErrInvalidPath, "a value filter needs a complex attribute; %q is not one", t.attr.Name)
		}
		if err := checkFilter(t.attr, p.Filter); err != nil {
			return e.unknown(err)
		}
		t.filter = p.Filter
		t.match = t.matchExpr()
		if err := filter.Check(e.rt, t.match); err != nil {
			// As filter.ParsePath does, report the filter as part of the
			// path: RFC 7644 §3.12 invalidPath, "invalid or malformed".
			se := asSCIM(err, scim.ErrInvalidPath)
			return target{}, false, scim.BadRequest(scim.ErrInvalidPath, "%s", se.Detail)
		}
	}
	return t, false, nil
}

// unknown reports a path that names something Roster does not store:
// skipped with q.UnknownAttributesIgnored, else err (invalidPath).
func (e *engine) unknown(err error) (target, bool, error) {
	if e.q.UnknownAttributesIgnored {
		return target{}, true, nil
	}
	return target{}, false, asSCIM(err, scim.ErrInvalidPath)
}

// checkFilter checks that the value filter f of attribute a names only
// sub-attributes of a (RFC 7644 §3.4.2.2, "valFilter").
func checkFilter(a *scim.Attribute, f filter.Expr) error {
	check := func(p scim.AttrPath) error {
		if p.URN != "" || p.Sub != "" || a.Sub(p.Name) == nil {
			return scim.BadRequest(scim.ErrInvalidPath, "the value filter names %q, which is not a sub-attribute of %q", clip(p.String()), a.Name)
		}
		return nil
	}
	switch x := f.(type) {
	case *filter.And:
		if err := checkFilter(a, x.Left); err != nil {
			return err
		}
		return checkFilter(a, x.Right)
	case *filter.Or:
		if err := checkFilter(a, x.Left); err != nil {
			return err
		}
		return checkFilter(a, x.Right)
	case *filter.Not:
		return checkFilter(a, x.X)
	case *filter.Compare:
		return check(x.Path)
	case *filter.Present:
		return check(x.Path)
	}
	return scim.BadRequest(scim.ErrInvalidPath, "a value filter cannot contain another value filter")
}

// matchExpr builds attr[filter], which filter.Match evaluates on a
// document holding one value of attr, honouring each sub-attribute's
// caseExact and type; a single-valued complex attribute (Entra ID's
// manager[value eq "id"]) is one value.
func (t target) matchExpr() filter.Expr {
	ap := scim.AttrPath{Name: t.attr.Name}
	if t.ext {
		ap.URN = t.schema.ID
	}
	return &filter.ValuePath{Attr: ap, Filter: t.filter}
}

// matches reports whether el, one value of t.attr, satisfies t.filter.
func (e *engine) matches(t target, el any) bool {
	return matchValue(e.rt, t, el)
}

func matchValue(rt *scim.ResourceType, t target, el any) bool {
	var probe map[string]any
	if t.attr.MultiValued {
		probe = map[string]any{t.attr.Name: []any{el}}
	} else {
		probe = map[string]any{t.attr.Name: el}
	}
	if t.ext {
		probe = map[string]any{t.schema.ID: probe}
	}
	return filter.Match(rt, t.match, probe)
}

// resolveKey resolves a key of a path-less value (or of the object given
// for a whole schema, scope): an attribute name, and with q.DottedValueKeys
// any path ("name.givenName", "urn:...:User:employeeNumber"). An unknown
// key is dropped (skip) with q.UnknownAttributesIgnored, else it is 400
// invalidValue.
func (e *engine) resolveKey(key string, scope *scim.Schema) (target, bool, error) {
	path := key
	if !e.q.DottedValueKeys && strings.ContainsAny(key, ".:[]\" ") {
		return e.unknownKey(key)
	}
	if scope != nil {
		if strings.Contains(key, ":") {
			return e.unknownKey(key)
		}
		path = scope.ID + ":" + key
	}
	if e.rt.SchemaFor(path) != nil {
		return e.unknownKey(key) // a schema URN: handled by the caller
	}
	strict := *e
	strict.q.UnknownAttributesIgnored = false
	t, _, err := strict.resolve(path)
	if err != nil {
		return e.unknownKey(key)
	}
	return t, false, nil
}

func (e *engine) unknownKey(key string) (target, bool, error) {
	if e.q.UnknownAttributesIgnored {
		return target{}, true, nil
	}
	return target{}, false, scim.BadRequest(scim.ErrInvalidValue, "the value names %q, which is not an attribute of a %s", clip(key), e.rt.Name)
}
