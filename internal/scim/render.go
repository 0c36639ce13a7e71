package scim

import (
	"net/url"
	"strings"
)

// RenderResourceType returns the JSON object for rt served at
// GET /ResourceTypes/{id} (RFC 7643 §6, RFC 7644 §4): schemas, id, name,
// endpoint, description, schema, schemaExtensions and meta (resourceType
// "ResourceType", location under baseURL).
func RenderResourceType(rt *ResourceType, baseURL string) map[string]any {
	exts := make([]any, 0, len(rt.Extensions))
	for _, e := range rt.Extensions {
		exts = append(exts, map[string]any{"schema": e.Schema.ID, "required": e.Required})
	}
	out := map[string]any{
		"schemas":     []any{ResourceTypeSchema},
		"id":          rt.ID,
		"name":        rt.Name,
		"endpoint":    rt.Endpoint,
		"description": rt.Description,
		"schema":      rt.Schema.ID,
		"meta":        discoveryMeta("ResourceType", baseURL, "/ResourceTypes/"+url.PathEscape(rt.ID)),
	}
	if len(exts) > 0 {
		out["schemaExtensions"] = exts
	}
	return out
}

// RenderSchema returns the JSON object for s served at GET /Schemas/{id}
// (RFC 7643 §7, RFC 7644 §4), generated from the same definitions that
// Decode, CoerceValue and Projection use: schemas, id, name, description,
// attributes (every characteristic of every attribute and sub-attribute:
// name, type, multiValued, description, required, caseExact, mutability,
// returned, uniqueness, plus canonicalValues, referenceTypes and
// subAttributes where they apply) and meta (resourceType "Schema",
// location under baseURL).
func RenderSchema(s *Schema, baseURL string) map[string]any {
	return map[string]any{
		"schemas":     []any{SchemaSchema},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  renderAttrs(s.Attributes),
		"meta":        discoveryMeta("Schema", baseURL, "/Schemas/"+s.ID),
	}
}

func renderAttrs(attrs []*Attribute) []any {
	out := make([]any, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, renderAttr(a))
	}
	return out
}

func renderAttr(a *Attribute) map[string]any {
	m := map[string]any{
		"name":        a.Name,
		"type":        string(a.Type),
		"multiValued": a.MultiValued,
		"description": a.Description,
		"required":    a.Required,
		"caseExact":   a.CaseExact,
		"mutability":  string(a.Mutability),
		"returned":    string(a.Returned),
		"uniqueness":  string(a.Uniqueness),
	}
	if len(a.CanonicalValues) > 0 {
		m["canonicalValues"] = toAnySlice(a.CanonicalValues)
	}
	if a.Type == TypeReference {
		m["referenceTypes"] = toAnySlice(a.ReferenceTypes)
	}
	if a.Type == TypeComplex {
		m["subAttributes"] = renderAttrs(a.SubAttributes)
	}
	return m
}

func toAnySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// discoveryMeta returns the meta of a discovery resource (RFC 7644 §4:
// resourceType and location).
func discoveryMeta(resourceType, baseURL, path string) map[string]any {
	return map[string]any{
		"resourceType": resourceType,
		"location":     strings.TrimRight(baseURL, "/") + path,
	}
}
