package scim

import "strings"

// Projection selects the attributes of a resource to return, from the
// "attributes" and "excludedAttributes" parameters of RFC 7644 §3.9 (and
// §3.4.2.5, §3.4.3), honouring each attribute's "returned" characteristic
// (RFC 7643 §7):
//
//   - returned=always (id) is always present, whatever either list says;
//   - returned=never (password) is never present;
//   - returned=request is present only when "attributes" names it;
//   - returned=default is present unless "attributes" is given without
//     naming it, or "excludedAttributes" names it.
//
// "schemas" is always kept (RFC 7643 §3 makes it part of every
// representation), less the URNs of extensions whose attributes were all
// removed. The zero Projection keeps everything but is not tied to
// a resource type; use NewProjection.
type Projection struct {
	rt *ResourceType
	// include is the "attributes" selection, nil when none was given.
	include map[*Attribute]*selection
	// includeSchema holds schemas named by a bare URN in "attributes".
	includeSchema map[*Schema]bool
	// exclude is the "excludedAttributes" selection.
	exclude map[*Attribute]*selection
	// excludeSchema holds schemas named by a bare URN in excludedAttributes.
	excludeSchema map[*Schema]bool
}

// selection is the part of an attribute a list names: the whole attribute
// (whole) or some of its sub-attributes.
type selection struct {
	whole bool
	subs  map[*Attribute]bool
}

func (s *selection) add(sub *Attribute) {
	if sub == nil {
		s.whole = true
		return
	}
	if s.subs == nil {
		s.subs = map[*Attribute]bool{}
	}
	s.subs[sub] = true
}

// NewProjection builds the projection for rt of the attribute names in
// attributes and excludedAttributes (RFC 7644 §3.9). Names are
// case-insensitive and in the attribute notation of RFC 7644 §3.10:
// "userName", "name.givenName", "members",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", or
// a bare schema URN for all of that schema's attributes. Surrounding spaces
// and empty names are ignored. Names of attributes that rt does not have
// are ignored, not errors. RFC 7644 does not forbid sending both lists;
// when both are given, "attributes" selects and "excludedAttributes" then
// removes. A name that is not attribute notation at all ("emails[type eq
// \"work\"]") is *Error 400 invalidValue.
func NewProjection(rt *ResourceType, attributes, excludedAttributes []string) (Projection, error) {
	p := Projection{rt: rt}
	var err error
	if len(attributes) > 0 {
		p.include, p.includeSchema, err = resolveNames(rt, "attributes", attributes)
		if err != nil {
			return Projection{}, err
		}
		if len(p.include) == 0 && len(p.includeSchema) == 0 {
			// Only unknown names: the "attributes" list still overrides the
			// default set, leaving the always-returned attributes.
			p.include = map[*Attribute]*selection{}
		}
	}
	if len(excludedAttributes) > 0 {
		p.exclude, p.excludeSchema, err = resolveNames(rt, "excludedAttributes", excludedAttributes)
		if err != nil {
			return Projection{}, err
		}
	}
	return p, nil
}

func resolveNames(rt *ResourceType, param string, names []string) (map[*Attribute]*selection, map[*Schema]bool, error) {
	sel := map[*Attribute]*selection{}
	schemas := map[*Schema]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if s := rt.SchemaFor(n); s != nil {
			schemas[s] = true
			continue
		}
		path, err := ParseAttrPath(n)
		if err != nil {
			return nil, nil, BadRequest(ErrInvalidValue, "%s: %q is not an attribute name (RFC 7644 §3.10)", param, n)
		}
		r, err := rt.Resolve(path)
		if err != nil {
			continue // unknown attribute: ignored
		}
		s := sel[r.Attr]
		if s == nil {
			s = &selection{}
			sel[r.Attr] = s
		}
		s.add(r.Sub)
	}
	return sel, schemas, nil
}

// Apply returns a new document holding the attributes of doc, a canonical
// document of the projection's resource type, that the projection selects.
// Values that are kept whole are shared with doc, not copied: treat both
// as read-only, or Clone first.
func (p Projection) Apply(doc map[string]any) map[string]any {
	if p.rt == nil {
		return Clone(doc)
	}
	out := make(map[string]any, len(doc))
	p.applySchema(p.rt.Schema, doc, out)
	dropped := false
	for _, ext := range p.rt.Extensions {
		src, ok := doc[ext.Schema.ID].(map[string]any)
		if !ok {
			continue
		}
		dst := map[string]any{}
		p.applySchema(ext.Schema, src, dst)
		if len(dst) > 0 {
			out[ext.Schema.ID] = dst
		} else {
			dropped = true
		}
	}
	if s, ok := doc["schemas"]; ok {
		if dropped {
			s = p.keptSchemas(s, out)
		}
		out["schemas"] = s
	}
	return out
}

// keptSchemas returns the "schemas" list without the URNs of extensions
// whose attributes the projection removed entirely.
func (p Projection) keptSchemas(schemas any, out map[string]any) any {
	list, ok := schemas.([]any)
	if !ok {
		return schemas
	}
	kept := make([]any, 0, len(list))
	for _, e := range list {
		if urn, ok := e.(string); ok {
			if ext := p.rt.Extension(urn); ext != nil {
				if _, present := out[ext.ID]; !present {
					continue
				}
			}
		}
		kept = append(kept, e)
	}
	return kept
}

func (p Projection) applySchema(s *Schema, src, dst map[string]any) {
	for _, a := range s.Attributes {
		v, ok := src[a.Name]
		if !ok || v == nil {
			continue
		}
		keep, subs := p.decide(s, a)
		if !keep {
			continue
		}
		if pv := projectValue(a, v, subs); pv != nil {
			dst[a.Name] = pv
		}
	}
}

// decide says whether attribute a of schema s is returned and, for a
// complex attribute, which sub-attributes: subs is nil for "all that are
// returned by default".
func (p Projection) decide(s *Schema, a *Attribute) (keep bool, subs func(*Attribute) bool) {
	switch a.Returned {
	case ReturnedNever:
		return false, nil
	case ReturnedAlways:
		return true, nil
	}
	var inc *selection
	if p.include != nil {
		inc = p.include[a]
		switch {
		case inc != nil:
			if p.includeSchema[s] {
				inc = &selection{whole: true}
			}
		case p.includeSchema[s] && a.Returned != ReturnedRequest:
			inc = &selection{whole: true}
		default:
			return false, nil
		}
	} else if a.Returned == ReturnedRequest {
		return false, nil
	}
	if p.excludeSchema[s] {
		return false, nil
	}
	exc := p.exclude[a]
	if exc != nil && exc.whole {
		return false, nil
	}
	if (inc == nil || inc.whole) && exc == nil {
		return true, nil
	}
	return true, func(sub *Attribute) bool {
		switch sub.Returned {
		case ReturnedAlways:
			return true
		case ReturnedNever:
			return false
		}
		if inc != nil && !inc.whole && !inc.subs[sub] {
			return false
		}
		if inc != nil && inc.whole && sub.Returned == ReturnedRequest {
			return false
		}
		if inc == nil && sub.Returned == ReturnedRequest {
			return false
		}
		return exc == nil || !exc.subs[sub]
	}
}

// projectValue returns v (a value of a) reduced to the sub-attributes keep
// accepts, or to those returned by default when keep is nil; v itself when
// nothing needs removing; nil when nothing is left.
func projectValue(a *Attribute, v any, keep func(*Attribute) bool) any {
	if !a.IsComplex() {
		return v
	}
	if keep == nil {
		if !hasHiddenSubs(a) {
			return v
		}
		keep = func(sub *Attribute) bool {
			return sub.Returned != ReturnedNever && sub.Returned != ReturnedRequest
		}
	}
	filter := func(e any) any {
		m, ok := e.(map[string]any)
		if !ok {
			return e
		}
		out := make(map[string]any, len(m))
		for k, sv := range m {
			if sub := a.Sub(k); sub != nil && keep(sub) {
				out[k] = sv
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	if elems, ok := v.([]any); ok {
		out := make([]any, 0, len(elems))
		for _, e := range elems {
			if fe := filter(e); fe != nil {
				out = append(out, fe)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return filter(v)
}

// hasHiddenSubs reports whether a has sub-attributes that are not returned
// by default.
func hasHiddenSubs(a *Attribute) bool {
	for _, s := range a.SubAttributes {
		if s.Returned == ReturnedNever || s.Returned == ReturnedRequest {
			return true
		}
	}
	return false
}

// Includes reports whether the projection returns any part of the named
// top-level attribute — "members", "groups", "manager" (looked up in the
// core schema, then the extensions; case-insensitive; URN-qualified names
// and bare extension URNs work too) — so that a store can skip loading
// what will not be returned (Entra reads groups with
// excludedAttributes=members). Unknown names give false. The zero
// Projection includes everything.
func (p Projection) Includes(topLevelAttrName string) bool {
	if p.rt == nil {
		return true
	}
	if s := p.rt.SchemaFor(topLevelAttrName); s != nil {
		for _, a := range s.Attributes {
			if keep, _ := p.decide(s, a); keep {
				return true
			}
		}
		return false
	}
	path, err := ParseAttrPath(topLevelAttrName)
	if err != nil {
		return false
	}
	path.Sub = ""
	r, err := p.rt.Resolve(path)
	if err != nil {
		return false
	}
	keep, _ := p.decide(r.Schema, r.Attr)
	return keep
}

// ParseAttrList splits the comma-separated value of an "attributes" or
// "excludedAttributes" query parameter (RFC 7644 §3.9) into names, trimming
// spaces and dropping empty names. It returns nil for an empty list.
func ParseAttrList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
