package sqlstore

import (
	"time"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// leafKind says where the single value of an attribute comes from.
type leafKind int

const (
	// leafColumn is an SQL expression over the row (a column, or a
	// computation on columns).
	leafColumn leafKind = iota
	// leafConst is a value the store knows without reading the row
	// (meta.resourceType, members' type "direct").
	leafConst
	// leafUnsupported is an attribute the store cannot know (meta.location
	// and $ref depend on the base URL): filters on it are invalidFilter.
	leafUnsupported
)

// leaf is a single-valued simple attribute (or sub-attribute) that the
// store holds outside the document: a column of the resource's row or of
// a child row, or a constant.
type leaf struct {
	kind leafKind
	// expr is the SQL expression (leafColumn). It is trusted SQL text.
	expr string
	// folded is set when expr holds filter.FoldCase of the value (the
	// *_key columns).
	folded bool
	// nullable: NULL means the attribute is absent.
	nullable bool
	// emptyAbsent: '' means the attribute is absent.
	emptyAbsent bool
	// precision, for dateTime columns, is the precision at which the SCIM
	// layer serves the time (meta: milliseconds); comparisons are made on
	// the value truncated to it.
	precision time.Duration
	// value is the constant (leafConst).
	value string
}

// metaPrecision is the precision of meta.created and meta.lastModified as
// the SCIM layer serves them (RFC 3339 with milliseconds).
const metaPrecision = time.Millisecond

// compareLeaf writes "l op v" for a leaf whose attribute is a. The result
// is never NULL.
func (c *compiler) compareLeaf(l leaf, a *scim.Attribute, op filter.Op, v filter.Value) error {
	b := c.b
	if l.kind == leafUnsupported {
		return invalidFilter("filtering on %q is not supported", a.Name)
	}
	if v.Kind == filter.KindNull {
		if op == filter.OpEq {
			b.SQL("NOT ")
		}
		return c.presentLeaf(l, a)
	}
	if op == filter.OpNe {
		b.SQL("NOT (")
		if err := c.compareLeaf(l, a, filter.OpEq, v); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	}
	if l.kind == leafConst {
		b.SQL(sqlBool(matchString(l.value, v.Str, op, a.CaseExact)))
		return nil
	}
	b.SQL("(")
	if l.nullable {
		b.SQL(l.expr + " IS NOT NULL AND ")
	}
	if l.emptyAbsent {
		b.SQL(l.expr + " <> '' AND ")
	}
	switch a.Type {
	case scim.TypeString, scim.TypeReference, scim.TypeBinary:
		lit := v.Str
		x := func(b *Builder) { b.SQL(l.expr) }
		if !a.CaseExact {
			lit = filter.FoldCase(lit)
			if !l.folded {
				x = func(b *Builder) { c.d.Fold(b, func(b *Builder) { b.SQL(l.expr) }) }
			}
		}
		c.d.StringCompare(b, x, op, lit)
	case scim.TypeBoolean:
		b.SQL(l.expr + " = ").Arg(v.Bool)
	case scim.TypeDateTime:
		t, err := time.Parse(time.RFC3339Nano, v.Str)
		if err != nil {
			return invalidFilter("%q is not an RFC 3339 date-time", v.Str)
		}
		c.compareTime(l, op, t)
	default:
		return invalidFilter("cannot compare %q", a.Name)
	}
	b.SQL(")")
	return nil
}

// compareTime writes "truncate(expr, l.precision) op t" as comparisons of
// expr itself with precision-aligned bounds, so that a range condition on
// a timestamp column stays an index range. Stored times have microsecond
// precision, finer than or equal to l.precision.
func (c *compiler) compareTime(l leaf, op filter.Op, t time.Time) {
	b := c.b
	p := l.precision
	if p <= 0 {
		p = time.Microsecond
	}
	t = t.UTC()
	floor := t.Truncate(p)
	exact := floor.Equal(t)
	ceil := floor
	if !exact {
		ceil = floor.Add(p)
	}
	next := floor.Add(p)
	// Stored times lie in years 1 to 9999 (the range of both databases'
	// encodings); a bound outside it decides the comparison by itself.
	bound := func(cmp string, at time.Time) {
		switch {
		case at.Year() < 1:
			b.SQL(sqlBool(cmp == ">="))
		case at.Year() > 9999:
			b.SQL(sqlBool(cmp == "<"))
		default:
			b.SQL(l.expr + " " + cmp + " ").Arg(c.d.Time(StoredTime(at)))
		}
	}
	// Every case writes only ">=" and "<" bounds.
	switch op {
	case filter.OpEq:
		if !exact {
			b.SQL("FALSE")
			return
		}
		bound(">=", floor)
		b.SQL(" AND ")
		bound("<", next)
	case filter.OpGt: // trunc(s) > t  <=>  trunc(s) >= floor+p
		bound(">=", next)
	case filter.OpGe: // trunc(s) >= t  <=>  s >= ceil
		bound(">=", ceil)
	case filter.OpLt: // trunc(s) < t  <=>  s < ceil
		bound("<", ceil)
	case filter.OpLe: // trunc(s) <= t  <=>  s < floor+p
		bound("<", next)
	default:
		b.SQL("FALSE")
	}
}

// presentLeaf writes "l pr" (filter.Match: "" is absent; booleans and
// times are present).
func (c *compiler) presentLeaf(l leaf, a *scim.Attribute) error {
	b := c.b
	switch l.kind {
	case leafUnsupported:
		return invalidFilter("filtering on %q is not supported", a.Name)
	case leafConst:
		b.SQL(sqlBool(l.value != ""))
		return nil
	}
	var conds []string
	if l.nullable {
		conds = append(conds, l.expr+" IS NOT NULL")
	}
	switch a.Type {
	case scim.TypeString, scim.TypeReference, scim.TypeBinary:
		conds = append(conds, l.expr+" <> ''")
	}
	if len(conds) == 0 {
		b.SQL("TRUE")
		return nil
	}
	b.SQL("(")
	for i, cond := range conds {
		if i > 0 {
			b.SQL(" AND ")
		}
		b.SQL(cond)
	}
	b.SQL(")")
	return nil
}

func sqlBool(v bool) string {
	if v {
		return "TRUE"
	}
	return "FALSE"
}
