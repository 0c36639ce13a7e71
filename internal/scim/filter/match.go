package filter

import (
	"github.com/rosterhq/roster/internal/scim"
)

// Match reports whether the canonical document doc (see package scim) of
// a resource of type rt satisfies the filter e (RFC 7644 §3.4.2.2). It is
// the reference semantics that a store's SQL translation must reproduce
// exactly; it never panics, whatever the shape of doc.
//
// Attribute paths are resolved with rt.Resolve (case-insensitive names,
// URN-qualified or not). Values are read from the keys the schema spells,
// extension attributes from under their schema URN key. An unqualified
// "schemas" reads the document's "schemas" array (RFC 7643 §3).
//
// The semantics, term by term:
//
//   - Unknown attributes: an attribute expression (comparison, "pr" or
//     value filter) whose path the resource type does not define is false
//     whatever the operator, even "ne"; "not" of it is true. Likewise a
//     comparison that Check rejects (an operator or literal that does not
//     fit the attribute type) is false. Check rejects both, so a store
//     never sees them.
//   - Multi-valued attributes: a comparison is true when ANY value
//     satisfies it. A complex attribute named without a sub-attribute
//     ("emails", "members", "manager") is compared through its "value"
//     sub-attribute (RFC 7643 §2.4); "emails.value" reads the "value" of
//     every element.
//   - ne is exactly "not eq", on every attribute: "emails.value ne x" is
//     true when no email equals x, including when there are no emails,
//     and "title ne x" is true when title is absent. One rule, so SQL can
//     compile ne as NOT (eq).
//   - pr (RFC 7644 §3.4.2.2: "has a non-empty value, or ... a non-empty
//     node for complex attributes"): null, "", [] and {} are absent; an
//     array or object is present when some member is present; booleans
//     (false included) and numbers are present. "attr eq null" is exactly
//     "not (attr pr)" and "attr ne null" is "attr pr", on every attribute
//     including complex ones ("name eq null").
//   - Strings (string, reference, binary): the compared attribute's
//     caseExact decides case sensitivity (RFC 7644 §3.4.2.2); without it
//     both sides are folded with FoldCase. eq, co, sw and ew are equality,
//     substring, prefix and suffix; gt, ge, lt and le compare the (folded)
//     UTF-8 bytes, which is code-point order (in SQL: COLLATE "C" on
//     FoldCase values).
//   - dateTime: both sides are parsed as RFC 3339 and compared as
//     instants, so "2011-05-13T04:42:34Z" eq "2011-05-13T06:42:34+02:00".
//     A stored value that does not parse matches nothing (and so
//     satisfies ne).
//   - integer and decimal: numeric comparison; int64 against an integer
//     literal exactly, otherwise as float64.
//   - boolean: eq and ne only.
//   - Value filters "attr[filter]": true when some element of attr (a
//     complex attribute; a single-valued one is one element) satisfies
//     filter, whose paths name sub-attributes of attr.
func Match(rt *scim.ResourceType, e Expr, doc map[string]any) bool {
	if rt == nil || rt.Schema == nil {
		return false
	}
	return matchExpr(rt, e, doc)
}

func matchExpr(rt *scim.ResourceType, e Expr, doc map[string]any) bool {
	switch n := e.(type) {
	case *And:
		return n != nil && matchExpr(rt, n.Left, doc) && matchExpr(rt, n.Right, doc)
	case *Or:
		return n != nil && (matchExpr(rt, n.Left, doc) || matchExpr(rt, n.Right, doc))
	case *Not:
		return n != nil && !matchExpr(rt, n.X, doc)
	case *Compare:
		if n == nil {
			return false
		}
		t, err := resolveTerm(rt, n.Path)
		if err != nil {
			return false
		}
		return matchCompare(&t, t.top(doc), n.Op, n.Value)
	case *Present:
		if n == nil {
			return false
		}
		t, err := resolveTerm(rt, n.Path)
		if err != nil {
			return false
		}
		return t.present(t.top(doc))
	case *ValuePath:
		if n == nil {
			return false
		}
		t, err := resolveTerm(rt, n.Attr)
		if err != nil || t.complex == nil {
			return false
		}
		return anyElement(t.top(doc), func(el map[string]any) bool {
			return matchElement(t.complex, n.Filter, el)
		})
	}
	return false
}

// matchElement evaluates the filter of a value path against one element
// el of the complex attribute parent.
func matchElement(parent *scim.Attribute, e Expr, el map[string]any) bool {
	switch n := e.(type) {
	case *And:
		return n != nil && matchElement(parent, n.Left, el) && matchElement(parent, n.Right, el)
	case *Or:
		return n != nil && (matchElement(parent, n.Left, el) || matchElement(parent, n.Right, el))
	case *Not:
		return n != nil && !matchElement(parent, n.X, el)
	case *Compare:
		if n == nil {
			return false
		}
		t, err := subTerm(parent, n.Path)
		if err != nil {
			return false
		}
		return matchCompare(&t, el[t.attr], n.Op, n.Value)
	case *Present:
		if n == nil {
			return false
		}
		t, err := subTerm(parent, n.Path)
		if err != nil {
			return false
		}
		return isPresent(el[t.attr], 0)
	}
	// Value filters cannot nest.
	return false
}

// matchCompare evaluates "t op v" where top is the attribute's value.
func matchCompare(t *term, top any, op Op, v Value) bool {
	if v.Kind == KindNull && (op == OpEq || op == OpNe) {
		present := t.present(top)
		if op == OpEq {
			return !present
		}
		return present
	}
	if !t.comparable || compareProblem(t.typ, op, v) != "" {
		return false
	}
	var o operand
	eqOp := op
	if op == OpNe {
		eqOp = OpEq
	}
	if !o.prepare(t.typ, t.caseExact, eqOp, v) {
		return false
	}
	found := eachValue(top, t.cmpSub, o.match)
	if op == OpNe {
		return !found
	}
	return found
}

// present reports whether the attribute the term names has a value (pr).
func (t *term) present(top any) bool {
	if t.sub == "" {
		return isPresent(top, 0)
	}
	return eachValue(top, t.sub, func(v any) bool { return isPresent(v, 0) })
}

// eachValue calls fn for the values of an attribute whose document value
// is top, until fn returns true: with key "", for top itself or each
// element of a multi-valued top; otherwise for el[key] of the complex
// value top or of each complex element. A multi-valued value at that
// point is flattened one level; nil values are skipped.
func eachValue(top any, key string, fn func(any) bool) bool {
	if key == "" {
		return eachFlat(top, fn)
	}
	switch t := top.(type) {
	case map[string]any:
		return eachFlat(t[key], fn)
	case []any:
		for _, el := range t {
			if m, ok := el.(map[string]any); ok && eachFlat(m[key], fn) {
				return true
			}
		}
	}
	return false
}

func eachFlat(v any, fn func(any) bool) bool {
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if x != nil && fn(x) {
				return true
			}
		}
		return false
	}
	return v != nil && fn(v)
}

// anyElement calls fn for each complex element of top (a map, or the
// maps of a []any) until fn returns true.
func anyElement(top any, fn func(map[string]any) bool) bool {
	switch t := top.(type) {
	case map[string]any:
		return fn(t)
	case []any:
		for _, el := range t {
			if m, ok := el.(map[string]any); ok && fn(m) {
				return true
			}
		}
	}
	return false
}

// maxPresentDepth bounds the recursion of isPresent on pathological
// documents; canonical documents are at most three levels deep.
const maxPresentDepth = 32

// isPresent implements "pr" for a value: null, "", and arrays and objects
// without a present member are absent; everything else is present.
func isPresent(v any, depth int) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		if depth >= maxPresentDepth {
			return len(x) > 0
		}
		for _, el := range x {
			if isPresent(el, depth+1) {
				return true
			}
		}
		return false
	case map[string]any:
		if depth >= maxPresentDepth {
			return len(x) > 0
		}
		for _, el := range x {
			if isPresent(el, depth+1) {
				return true
			}
		}
		return false
	}
	return true
}
