package filter

import (
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// schemasAttr is the name of the "schemas" attribute that every resource
// carries (RFC 7643 §3). The registry does not list it among a schema's
// attributes, but RFC 7644 §3.4.2.2 filters on it
// (`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`),
// so an unqualified "schemas" that the resource type does not define is
// read as a multi-valued, case-insensitive reference attribute whose
// values are the document's "schemas" array.
const schemasAttr = "schemas"

// term is an attribute path of a filter resolved against a resource type:
// where its values live in a canonical document and how they compare.
type term struct {
	// ext is the extension schema URN under which the attribute lives, or
	// "" for a core attribute.
	ext string
	// attr is the top-level attribute's key in the document.
	attr string
	// sub is the key of the sub-attribute the path names, or "".
	sub string
	// cmpSub is the key of the sub-attribute that comparisons read from
	// each element: sub, or "value" for a complex attribute named without
	// a sub-attribute (RFC 7643 §2.4), or "" for a simple attribute.
	cmpSub string
	// comparable is false for a complex attribute without a "value"
	// sub-attribute: only "pr" and value filters apply to it.
	comparable bool
	// typ and caseExact describe the compared values.
	typ       scim.Type
	caseExact bool
	// complex is the complex attribute itself (for value filters), or nil.
	complex *scim.Attribute
}

// resolveTerm resolves path against rt. Errors are *scim.Error with
// scimType invalidFilter and the detail of rt.Resolve.
func resolveTerm(rt *scim.ResourceType, path scim.AttrPath) (term, error) {
	r, err := rt.Resolve(path)
	if err != nil {
		if path.URN == "" && path.Sub == "" && strings.EqualFold(path.Name, schemasAttr) {
			return term{attr: schemasAttr, comparable: true, typ: scim.TypeReference}, nil
		}
		if se, ok := scim.AsError(err); ok {
			return term{}, invalidFilterf("%s", se.Detail)
		}
		return term{}, invalidFilterf("unknown attribute %q", path.String())
	}
	t := term{attr: r.Attr.Name}
	if r.IsExtension(rt) {
		t.ext = r.Schema.ID
	}
	cmp := r.Attr
	switch {
	case r.Sub != nil:
		t.sub = r.Sub.Name
		t.cmpSub = r.Sub.Name
		cmp = r.Sub
	case r.Attr.IsComplex():
		t.complex = r.Attr
		cmp = r.Attr.Sub("value")
		if cmp != nil {
			t.cmpSub = cmp.Name
		}
	}
	if cmp != nil && !cmp.IsComplex() {
		t.comparable = true
		t.typ = cmp.Type
		t.caseExact = cmp.CaseExact
	}
	return t, nil
}

// subTerm resolves the attribute path of a comparison inside the value
// filter of the complex attribute parent: a bare sub-attribute name.
func subTerm(parent *scim.Attribute, path scim.AttrPath) (term, error) {
	if path.URN != "" || path.Sub != "" {
		return term{}, invalidFilterf("%q: inside a value filter, name a sub-attribute of %q", path.String(), parent.Name)
	}
	s := parent.Sub(path.Name)
	if s == nil {
		return term{}, invalidFilterf("unknown sub-attribute %q of %q", path.Name, parent.Name)
	}
	t := term{attr: s.Name, typ: s.Type, caseExact: s.CaseExact, comparable: !s.IsComplex()}
	return t, nil
}

// top returns the attribute's value in doc, or nil.
func (t *term) top(doc map[string]any) any {
	if t.ext != "" {
		ext, ok := doc[t.ext].(map[string]any)
		if !ok {
			return nil
		}
		return ext[t.attr]
	}
	return doc[t.attr]
}
