package filter

import (
	"github.com/rosterhq/roster/internal/scim"
)

// Check validates a parsed filter against a resource type before a store
// compiles it: every attribute path must name an attribute of rt (RFC 7644
// §3.4.2.2; "schemas" is always allowed, see Match), and every comparison
// must make sense for the attribute's type. Errors are *scim.Error with
// status 400 and scimType invalidFilter (RFC 7644 §3.12: "the specified
// attribute and filter comparison combination is not supported").
//
// Rejected comparisons:
//   - gt, ge, lt and le on boolean and binary attributes (RFC 7644
//     §3.4.2.2 requires invalidFilter);
//   - co, sw and ew on any attribute that is not a string or reference
//     (boolean, binary, dateTime, integer, decimal);
//   - literals of the wrong JSON type: a string attribute needs a string,
//     a boolean true or false, a number attribute a number, a dateTime an
//     RFC 3339 string; null is allowed with eq and ne only (on any
//     attribute: it tests presence);
//   - a comparison on a complex attribute without a "value" sub-attribute
//     ("name eq x"; "emails eq x" compares emails.value and is allowed;
//     "name eq null" tests presence and is allowed);
//   - a value filter on an attribute that is not complex, or whose inner
//     paths are not sub-attributes of it.
//
// Match gives false for every comparison that Check rejects.
func Check(rt *scim.ResourceType, e Expr) error {
	if rt == nil || rt.Schema == nil {
		return invalidFilterf("no resource type to check the filter against")
	}
	return checkExpr(rt, e)
}

func checkExpr(rt *scim.ResourceType, e Expr) error {
	switch n := e.(type) {
	case *And:
		if n != nil {
			return checkBoth(rt, n.Left, n.Right)
		}
	case *Or:
		if n != nil {
			return checkBoth(rt, n.Left, n.Right)
		}
	case *Not:
		if n != nil {
			return checkExpr(rt, n.X)
		}
	case *Compare:
		if n != nil {
			t, err := resolveTerm(rt, n.Path)
			if err != nil {
				return err
			}
			return checkCompare(&t, n)
		}
	case *Present:
		if n != nil {
			_, err := resolveTerm(rt, n.Path)
			return err
		}
	case *ValuePath:
		if n != nil {
			t, err := resolveTerm(rt, n.Attr)
			if err != nil {
				return err
			}
			if t.complex == nil {
				return invalidFilterf("value filter on %q: the attribute is not complex", n.Attr.String())
			}
			return checkElement(t.complex, n.Filter)
		}
	}
	return invalidFilterf("missing filter expression")
}

func checkBoth(rt *scim.ResourceType, a, b Expr) error {
	if err := checkExpr(rt, a); err != nil {
		return err
	}
	return checkExpr(rt, b)
}

// checkElement validates the filter of a value path on the complex
// attribute parent.
func checkElement(parent *scim.Attribute, e Expr) error {
	switch n := e.(type) {
	case *And:
		if n != nil {
			if err := checkElement(parent, n.Left); err != nil {
				return err
			}
			return checkElement(parent, n.Right)
		}
	case *Or:
		if n != nil {
			if err := checkElement(parent, n.Left); err != nil {
				return err
			}
			return checkElement(parent, n.Right)
		}
	case *Not:
		if n != nil {
			return checkElement(parent, n.X)
		}
	case *Compare:
		if n != nil {
			t, err := subTerm(parent, n.Path)
			if err != nil {
				return err
			}
			if err := checkCompare(&t, n); err != nil {
				if se, ok := scim.AsError(err); ok {
					se.Detail += " (in a value filter on \"" + parent.Name + "\")"
				}
				return err
			}
			return nil
		}
	case *Present:
		if n != nil {
			_, err := subTerm(parent, n.Path)
			return err
		}
	case *ValuePath:
		if n != nil {
			return invalidFilterf("value filters cannot be nested: %s", n.String())
		}
	}
	return invalidFilterf("missing filter expression")
}

func checkCompare(t *term, n *Compare) error {
	if n.Value.Kind == KindNull && (n.Op == OpEq || n.Op == OpNe) {
		return nil // presence, on any attribute
	}
	if !t.comparable {
		return invalidFilterf("invalid comparison %s: %s", n.String(), probComplex)
	}
	if p := compareProblem(t.typ, n.Op, n.Value); p != "" {
		if p == probOp {
			return invalidFilterf("invalid comparison %s: %q %s", n.String(), string(n.Op), p)
		}
		return invalidFilterf("invalid comparison %s: %s", n.String(), p)
	}
	return nil
}
