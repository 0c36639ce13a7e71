package scim

import (
	"strings"
)

// Decode reads a client's resource body for POST or PUT (RFC 7644 §3.3,
// §3.5.1) as a canonical document of resource type rt (see the package
// doc). It is forgiving where real clients need it and strict where the
// data would be wrong:
//
//   - the body must be one JSON object (else 400 invalidSyntax); nesting
//     and size are bounded by MaxDecodeDepth and MaxDecodeValues (400
//     invalidValue), attributes by MaxResourceAttributes (400
//     invalidValue) and MaxMultiValuedItems (400 tooMany);
//   - attribute names are case-insensitive (RFC 7643 §2.1) and rewritten to
//     the schema's spelling; when two keys name the same attribute, the
//     later one wins;
//   - extension attributes go under the extension's URN key; a key that is
//     an attribute path — "name.givenName",
//     "urn:ietf:params:scim:schemas:core:2.0:User:userName",
//     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
//     — sets that attribute (Entra ID); an object under the core schema's
//     URN holds core attributes; a sub-attribute path on a multi-valued
//     attribute ("emails.value") is ignored;
//   - unknown attributes, sub-attributes and schema URNs are ignored, not
//     rejected (idp-behaviour.md, Entra's Microsoft schema URIs);
//   - readOnly attributes and sub-attributes (id, meta, groups, the
//     manager's displayName, the Roster extension) are ignored (RFC 7643
//     §7); writeOnly or returned-never attributes (password) are dropped
//     and never kept. "id": null is therefore always accepted, whatever
//     q.NullID says;
//   - null means unassigned (RFC 7643 §2.5); values are coerced as
//     CoerceValue describes, including the at-most-one-primary rule;
//   - "schemas", when sent, must list the core schema URN (with
//     q.SCIM1Schemas, urn:scim:schemas:core:1.0 counts, and the SCIM 1
//     enterprise URN names the Enterprise User extension); the result's
//     "schemas" is always rewritten to the core URN followed by the URNs of
//     the extensions that have attributes;
//   - required attributes (userName, Group displayName) must be present and
//     non-empty (CheckRequired).
//
// Every error is an *Error with status 400 and a scimType.
func Decode(rt *ResourceType, body []byte, q Quirks) (map[string]any, error) {
	root, err := readJSON(body)
	if err != nil {
		return nil, err
	}
	obj, ok := root.(*object)
	if !ok {
		return nil, BadRequest(ErrInvalidSyntax, "request body must be a JSON object, not %s", jsonKind(root))
	}
	if err := checkResourceShape(obj); err != nil {
		return nil, err
	}
	d := &decoder{rt: rt, q: q, c: coercer{q: q, strip: true}, doc: make(map[string]any, len(obj.keys)+1)}
	for i, k := range obj.keys {
		if err := d.member(k, obj.vals[i]); err != nil {
			return nil, err
		}
	}
	if err := d.checkSchemas(); err != nil {
		return nil, err
	}
	schemas := []any{rt.Schema.ID}
	for _, ext := range rt.Extensions {
		if m, ok := d.doc[ext.Schema.ID].(map[string]any); ok {
			if len(m) == 0 {
				delete(d.doc, ext.Schema.ID)
				continue
			}
			schemas = append(schemas, ext.Schema.ID)
		}
	}
	d.doc["schemas"] = schemas
	if err := CheckRequired(rt, d.doc); err != nil {
		return nil, err
	}
	return d.doc, nil
}

// decoder holds the state of one Decode.
type decoder struct {
	rt  *ResourceType
	q   Quirks
	c   coercer
	doc map[string]any
	// schemas is the client's "schemas" value, if any.
	schemas    any
	hasSchemas bool
}

// member applies one top-level member of the body.
func (d *decoder) member(k string, v any) error {
	if strings.EqualFold(k, "schemas") {
		d.schemas, d.hasSchemas = v, true
		return nil
	}
	if !hasURNPrefix(k) {
		name, sub, _ := strings.Cut(k, ".")
		sch, attr := d.rt.Schema, d.rt.Schema.Attr(name)
		for i := 0; attr == nil && i < len(d.rt.Extensions); i++ {
			sch = d.rt.Extensions[i].Schema
			attr = sch.Attr(name)
		}
		return d.set(sch, attr, sub, v)
	}
	if sch := d.schemaFor(k); sch != nil {
		return d.schemaObject(sch, k, v)
	}
	if sch, rest := d.splitURN(k); sch != nil {
		name, sub, _ := strings.Cut(rest, ".")
		return d.set(sch, sch.Attr(name), sub, v)
	}
	return nil // an unknown schema URN or one of its attributes: ignored
}

// schemaFor returns the schema named by urn: the core schema, an extension,
// or (with SCIM1Schemas) a SCIM 1.x alias of one of them.
func (d *decoder) schemaFor(urn string) *Schema {
	if s := d.rt.SchemaFor(urn); s != nil {
		return s
	}
	if d.q.SCIM1Schemas {
		switch {
		case strings.EqualFold(urn, SCIM1CoreSchema):
			return d.rt.Schema
		case strings.EqualFold(urn, SCIM1EnterpriseSchema):
			return d.rt.Extension(EnterpriseUserSchema)
		}
	}
	return nil
}

// splitURN splits a URN-qualified attribute path "URN:attr[.sub]" whose URN
// names a schema of the resource type, returning the schema and
// "attr[.sub]". It returns nil when no known URN prefixes k.
func (d *decoder) splitURN(k string) (*Schema, string) {
	try := func(urn string, s *Schema) (*Schema, string, bool) {
		if s != nil && len(k) > len(urn)+1 && k[len(urn)] == ':' && strings.EqualFold(k[:len(urn)], urn) {
			return s, k[len(urn)+1:], true
		}
		return nil, "", false
	}
	if s, rest, ok := try(d.rt.Schema.ID, d.rt.Schema); ok {
		return s, rest
	}
	for _, ext := range d.rt.Extensions {
		if s, rest, ok := try(ext.Schema.ID, ext.Schema); ok {
			return s, rest
		}
	}
	if d.q.SCIM1Schemas {
		if s, rest, ok := try(SCIM1CoreSchema, d.rt.Schema); ok {
			return s, rest
		}
		if s, rest, ok := try(SCIM1EnterpriseSchema, d.rt.Extension(EnterpriseUserSchema)); ok {
			return s, rest
		}
	}
	return nil, ""
}

// schemaObject applies the object sent under a schema URN key: extension
// attributes (RFC 7643 §3.3) or, forgivingly, core attributes.
func (d *decoder) schemaObject(sch *Schema, k string, v any) error {
	if v == nil {
		if sch != d.rt.Schema {
			delete(d.doc, sch.ID)
		}
		return nil
	}
	keys, vals, ok := members(v)
	if !ok {
		return BadRequest(ErrInvalidValue, "%q must be an object of %s attributes, not %s", k, sch.Name, jsonKind(v))
	}
	for i, ak := range keys {
		name, sub, _ := strings.Cut(ak, ".")
		if err := d.set(sch, sch.Attr(name), sub, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// set assigns v to attr (or to its sub-attribute named sub) of schema sch,
// dropping what a client may not set. attr may be nil (unknown: ignored).
func (d *decoder) set(sch *Schema, attr *Attribute, sub string, v any) error {
	if attr == nil || !clientSettable(attr) {
		return nil
	}
	container := d.doc
	if sch != d.rt.Schema {
		m, ok := d.doc[sch.ID].(map[string]any)
		if !ok {
			m = map[string]any{}
			d.doc[sch.ID] = m
		}
		container = m
	}
	if sub == "" {
		cv, err := d.c.attr(attr, attr.Name, v)
		if err != nil {
			return err
		}
		if cv == nil {
			delete(container, attr.Name)
		} else {
			container[attr.Name] = cv
		}
		return nil
	}
	sa := attr.Sub(sub)
	if sa == nil || !clientSettable(sa) || attr.MultiValued {
		return nil
	}
	cv, err := d.c.attr(sa, attr.Name+"."+sa.Name, v)
	if err != nil {
		return err
	}
	m, _ := container[attr.Name].(map[string]any)
	if cv == nil {
		if m != nil {
			delete(m, sa.Name)
			if len(m) == 0 {
				delete(container, attr.Name)
			}
		}
		return nil
	}
	if m == nil {
		m = map[string]any{}
		container[attr.Name] = m
	}
	m[sa.Name] = cv
	return nil
}

// checkSchemas validates the client's "schemas" attribute (RFC 7643 §3):
// when present and not empty it must be an array of strings that lists
// the core schema URN.
func (d *decoder) checkSchemas() error {
	if !d.hasSchemas || d.schemas == nil {
		return nil
	}
	list, ok := d.schemas.([]any)
	if !ok {
		list = []any{d.schemas}
	}
	if len(list) == 0 {
		return nil
	}
	hasCore := false
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return BadRequest(ErrInvalidValue, "\"schemas\" must be an array of schema URN strings")
		}
		if d.schemaFor(s) == d.rt.Schema {
			hasCore = true
		}
	}
	if !hasCore {
		return BadRequest(ErrInvalidValue, "\"schemas\" must include %q", d.rt.Schema.ID)
	}
	return nil
}

// CheckRequired reports whether doc, a canonical document of rt, has every
// required attribute (RFC 7643 §2.2 "required"; userName for a User,
// displayName for a Group) and every required extension (RFC 7643 §6). A
// null, empty string, empty array or empty object counts as missing.
// Read-only attributes (id) are the server's to set and are not checked.
// The PATCH engine calls it on the patched document. The error is *Error
// 400 invalidValue naming the attribute.
func CheckRequired(rt *ResourceType, doc map[string]any) error {
	if err := checkRequiredAttrs("", rt.Schema.Attributes, doc); err != nil {
		return err
	}
	for _, ext := range rt.Extensions {
		m, _ := doc[ext.Schema.ID].(map[string]any)
		if len(m) == 0 {
			if ext.Required {
				return BadRequest(ErrInvalidValue, "the %s extension (%q) is required", ext.Schema.Name, ext.Schema.ID)
			}
			continue
		}
		if err := checkRequiredAttrs(ext.Schema.ID+":", ext.Schema.Attributes, m); err != nil {
			return err
		}
	}
	return nil
}

func checkRequiredAttrs(prefix string, attrs []*Attribute, m map[string]any) error {
	for _, a := range attrs {
		if a.Mutability == ReadOnly {
			continue
		}
		v := m[a.Name]
		if a.Required && isUnassigned(v) {
			return BadRequest(ErrInvalidValue, "attribute %q is required and must not be empty", prefix+a.Name)
		}
		if !a.IsComplex() || v == nil {
			continue
		}
		elems, ok := v.([]any)
		if !ok {
			elems = []any{v}
		}
		for _, e := range elems {
			if em, ok := e.(map[string]any); ok {
				if err := checkRequiredAttrs(prefix+a.Name+".", a.SubAttributes, em); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// isUnassigned reports whether v is null, "", an empty array or an empty
// object (RFC 7643 §2.5; the empty string counts for required values).
func isUnassigned(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}
