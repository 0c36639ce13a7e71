package filter

import "github.com/rosterhq/roster/internal/scim"

// Expr is a node of a parsed filter (RFC 7644 §3.4.2.2). The concrete types
// are *And, *Or, *Not, *Compare, *Present and *ValuePath. String returns the
// canonical form: parsing it yields an equal tree.
type Expr interface {
	String() string
	expr()
}

// Op is a comparison operator, always lower case in the AST.
type Op string

// The comparison operators of RFC 7644 §3.4.2.2, Table 3 ("pr" is the
// separate node *Present).
const (
	OpEq Op = "eq"
	OpNe Op = "ne"
	OpCo Op = "co"
	OpSw Op = "sw"
	OpEw Op = "ew"
	OpGt Op = "gt"
	OpGe Op = "ge"
	OpLt Op = "lt"
	OpLe Op = "le"
)

// Kind is the kind of a literal comparison value.
type Kind int

// The literal kinds of RFC 7644 §3.4.2.2 ("compValue").
const (
	KindNull Kind = iota
	KindString
	KindNumber
	KindBool
)

// Value is a literal comparison value. Dates are strings in SCIM filters
// and are compared as times when the attribute is a dateTime.
type Value struct {
	Kind Kind
	// Str holds a KindString value (unescaped) or, for KindNumber, the
	// number's text as written (for canonical printing).
	Str string
	// Num holds a KindNumber value.
	Num float64
	// Bool holds a KindBool value.
	Bool bool
}

// And is "left and right".
type And struct{ Left, Right Expr }

// Or is "left or right".
type Or struct{ Left, Right Expr }

// Not is "not (x)".
type Not struct{ X Expr }

// Compare is "path op value". Inside a ValuePath's filter, Path names a
// sub-attribute of the ValuePath's attribute (Path.Name is the sub-attribute,
// Path.URN and Path.Sub are empty).
type Compare struct {
	Path  scim.AttrPath
	Op    Op
	Value Value
}

// Present is "path pr".
type Present struct{ Path scim.AttrPath }

// ValuePath is "attr[filter]": true when some value of the multi-valued
// complex attribute Attr satisfies Filter. Attr.Sub is always empty. The
// non-standard "emails[type eq \"work\"].value eq \"x\"" is parsed as
// "emails[type eq \"work\" and value eq \"x\"]".
type ValuePath struct {
	Attr   scim.AttrPath
	Filter Expr
}

func (*And) expr()       {}
func (*Or) expr()        {}
func (*Not) expr()       {}
func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*ValuePath) expr() {}

// Path is a PATCH target path (RFC 7644 §3.5.2, "PATH"):
// attrPath [ "[" valFilter "]" ] [ "." subAttr ].
type Path struct {
	// Attr is the attribute; Attr.Sub is set only when there is no Filter
	// ("name.givenName").
	Attr scim.AttrPath
	// Filter selects values of a multi-valued attribute, or nil.
	Filter Expr
	// Sub is the sub-attribute after a filter ("emails[...].value"), or "".
	Sub string
}
