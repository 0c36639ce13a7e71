package sqlstore

import (
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// term is an attribute path of a filter resolved against a resource type,
// exactly as filter.Match resolves it (filter/resolve.go): where the
// values live and how they compare.
type term struct {
	// ext is the extension schema URN of the attribute, or "" for the core
	// schema.
	ext string
	// attr is the top-level attribute (nil for the implicit "schemas").
	attr *scim.Attribute
	// name is the top-level attribute's key in a document.
	name string
	// sub is the sub-attribute the path names, or nil.
	sub *scim.Attribute
	// cmp is the attribute whose values a comparison reads: sub, or the
	// "value" sub-attribute of a complex attribute named alone, or attr;
	// nil for a complex attribute without "value".
	cmp *scim.Attribute
	// cmpSub is cmp's key inside each element, "" when cmp is attr.
	cmpSub string
}

// schemasAttr is the implicit multi-valued "schemas" attribute that
// filter.Match reads from every document (RFC 7643 §3).
var schemasAttr = &scim.Attribute{Name: "schemas", Type: scim.TypeReference, MultiValued: true}

// resolveTerm mirrors filter.Match's resolution of an attribute path.
func resolveTerm(rt *scim.ResourceType, p scim.AttrPath) (term, error) {
	r, err := rt.Resolve(p)
	if err != nil {
		if p.URN == "" && p.Sub == "" && strings.EqualFold(p.Name, "schemas") {
			return term{attr: schemasAttr, name: "schemas", cmp: schemasAttr}, nil
		}
		return term{}, invalidFilter("unknown attribute %q", p.String())
	}
	t := term{attr: r.Attr, name: r.Attr.Name, sub: r.Sub}
	if r.IsExtension(rt) {
		t.ext = r.Schema.ID
	}
	switch {
	case r.Sub != nil:
		t.cmp, t.cmpSub = r.Sub, r.Sub.Name
	case r.Attr.IsComplex():
		if v := r.Attr.Sub("value"); v != nil {
			t.cmp, t.cmpSub = v, v.Name
		}
	default:
		t.cmp = r.Attr
	}
	if t.cmp != nil && t.cmp.IsComplex() {
		t.cmp = nil
	}
	return t, nil
}

// invalidFilter returns the KindInvalid error with the SCIM scimType
// invalidFilter (RFC 7644 §3.12).
func invalidFilter(format string, args ...any) error {
	return core.Errorf(core.KindInvalid, scim.ErrInvalidFilter, format, args...)
}

// checkFilter runs filter.Check and turns its *scim.Error into a
// *core.Error with the same detail.
func checkFilter(rt *scim.ResourceType, e filter.Expr) error {
	if err := filter.Check(rt, e); err != nil {
		if se, ok := scim.AsError(err); ok {
			return &core.Error{Kind: core.KindInvalid, Code: scim.ErrInvalidFilter, Message: se.Detail, Err: err}
		}
		return &core.Error{Kind: core.KindInvalid, Code: scim.ErrInvalidFilter, Message: "invalid filter", Err: err}
	}
	return nil
}

// matchString is filter.Match's comparison of one string value with a
// literal, for values the store knows without reading a row (constants
// such as meta.resourceType and schemas).
func matchString(value, lit string, op filter.Op, caseExact bool) bool {
	if !caseExact {
		value, lit = filter.FoldCase(value), filter.FoldCase(lit)
	}
	switch op {
	case filter.OpEq:
		return value == lit
	case filter.OpCo:
		return strings.Contains(value, lit)
	case filter.OpSw:
		return strings.HasPrefix(value, lit)
	case filter.OpEw:
		return strings.HasSuffix(value, lit)
	case filter.OpGt:
		return value > lit
	case filter.OpGe:
		return value >= lit
	case filter.OpLt:
		return value < lit
	case filter.OpLe:
		return value <= lit
	}
	return false
}
