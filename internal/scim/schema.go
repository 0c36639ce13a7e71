package scim

import "strings"

// Schema is a SCIM schema (RFC 7643 §7): a URN id and its attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attr returns the top-level attribute with the given name, compared
// case-insensitively, or nil.
func (s *Schema) Attr(name string) *Attribute {
	if s == nil {
		return nil
	}
	return findAttr(s.Attributes, name)
}

// SchemaExtension is an extension schema of a resource type (RFC 7643 §6,
// "schemaExtensions").
type SchemaExtension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is a SCIM resource type (RFC 7643 §6): its endpoint, core
// schema and extensions. Common attributes (id, externalId, meta; RFC 7643
// §3.1) are part of Schema's attribute list so that one lookup finds them.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Schema      *Schema
	Extensions  []SchemaExtension
}

// Extension returns the extension schema with the given URN, compared
// case-insensitively, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, urn) {
			return e.Schema
		}
	}
	return nil
}

// SchemaFor returns the core schema or the extension schema with the given
// URN (case-insensitive), or nil.
func (rt *ResourceType) SchemaFor(urn string) *Schema {
	if strings.EqualFold(rt.Schema.ID, urn) {
		return rt.Schema
	}
	return rt.Extension(urn)
}

// Resolved is an attribute path resolved against a resource type.
type Resolved struct {
	// Schema is the schema that defines Attr.
	Schema *Schema
	// Attr is the top-level attribute.
	Attr *Attribute
	// Sub is the sub-attribute, or nil when the path names none.
	Sub *Attribute
}

// IsExtension reports whether the attribute belongs to an extension
// schema; in a canonical document its value lives under the extension's
// URN key.
func (r Resolved) IsExtension(rt *ResourceType) bool {
	return r.Schema != rt.Schema
}

// Target returns the innermost attribute the path names (Sub if set).
func (r Resolved) Target() *Attribute {
	if r.Sub != nil {
		return r.Sub
	}
	return r.Attr
}

// Resolve finds the attribute a path names. An unqualified name is looked
// up in the core schema first, then in each extension. A URN prefix must
// name the core schema or one of the extensions. A sub-attribute must exist
// on a complex attribute. Errors are *Error with scimType invalidPath.
func (rt *ResourceType) Resolve(p AttrPath) (Resolved, error) {
	var sch *Schema
	var attr *Attribute
	if p.URN != "" {
		sch = rt.SchemaFor(p.URN)
		if sch == nil {
			return Resolved{}, BadRequest(ErrInvalidPath, "unknown schema %q", p.URN)
		}
		attr = sch.Attr(p.Name)
	} else {
		sch, attr = rt.Schema, rt.Schema.Attr(p.Name)
		for i := 0; attr == nil && i < len(rt.Extensions); i++ {
			sch = rt.Extensions[i].Schema
			attr = sch.Attr(p.Name)
		}
	}
	if attr == nil {
		return Resolved{}, BadRequest(ErrInvalidPath, "unknown attribute %q", p.String())
	}
	r := Resolved{Schema: sch, Attr: attr}
	if p.Sub != "" {
		r.Sub = attr.Sub(p.Sub)
		if r.Sub == nil {
			return Resolved{}, BadRequest(ErrInvalidPath, "unknown sub-attribute %q", p.String())
		}
	}
	return r, nil
}
