package sqlstore

import "strings"

// Builder accumulates one SQL statement and its bound arguments. SQL text
// is written only with SQL (trusted text from this module's code); every
// value, client-supplied or not, is written with Arg, which binds it and
// writes the dialect's placeholder. That is what keeps client text out of
// SQL.
type Builder struct {
	d    Dialect
	sb   strings.Builder
	args []any
}

// NewBuilder returns an empty Builder for dialect d.
func NewBuilder(d Dialect) *Builder { return &Builder{d: d} }

// SQL appends trusted SQL text. It must never be given client text.
func (b *Builder) SQL(s string) *Builder {
	b.sb.WriteString(s)
	return b
}

// Arg binds v and appends its placeholder.
func (b *Builder) Arg(v any) *Builder {
	b.args = append(b.args, v)
	b.sb.WriteString(b.d.Param(len(b.args)))
	return b
}

// JSONArg binds a JSON document (its encoded text) and appends the
// dialect's placeholder for a document column.
func (b *Builder) JSONArg(doc string) *Builder {
	b.args = append(b.args, doc)
	b.sb.WriteString(b.d.JSONParam(len(b.args)))
	return b
}

// List appends "(p1, p2, ...)" binding each value.
func (b *Builder) List(vs []string) *Builder {
	b.sb.WriteByte('(')
	for i, v := range vs {
		if i > 0 {
			b.sb.WriteString(", ")
		}
		b.Arg(v)
	}
	b.sb.WriteByte(')')
	return b
}

// String returns the SQL text.
func (b *Builder) String() string { return b.sb.String() }

// Args returns the bound arguments in placeholder order.
func (b *Builder) Args() []any { return b.args }

// Dialect returns the builder's dialect.
func (b *Builder) Dialect() Dialect { return b.d }
