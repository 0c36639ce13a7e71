package sqlstore

import (
	"math"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// compiler turns a filter, already accepted by filter.Check, into an SQL
// condition over one resource's rows with exactly filter.Match's result
// on the document the SCIM layer serves for each row (see resource). The
// condition is never NULL, so that NOT works as in Match. Every literal is
// a bound argument.
type compiler struct {
	b      *Builder
	d      Dialect
	res    *resource
	teamID string
	n      int // aliases made so far
}

// alias returns a fresh alias for a subquery's FROM item.
func (c *compiler) alias(prefix string) string {
	c.n++
	return prefix + strconv.Itoa(c.n)
}

// compileFilter writes the SQL condition of e for resource res. It runs
// filter.Check first.
func compileFilter(b *Builder, res *resource, teamID string, e filter.Expr) error {
	if err := checkFilter(res.rt(), e); err != nil {
		return err
	}
	c := &compiler{b: b, d: b.d, res: res, teamID: teamID}
	return c.expr(e)
}

func (c *compiler) expr(e filter.Expr) error {
	b := c.b
	switch n := e.(type) {
	case *filter.And:
		return c.binary(n.Left, " AND ", n.Right)
	case *filter.Or:
		return c.binary(n.Left, " OR ", n.Right)
	case *filter.Not:
		b.SQL("NOT (")
		if err := c.expr(n.X); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	case *filter.Compare:
		t, err := resolveTerm(c.res.rt(), n.Path)
		if err != nil {
			return err
		}
		return c.compare(t, n.Op, n.Value)
	case *filter.Present:
		t, err := resolveTerm(c.res.rt(), n.Path)
		if err != nil {
			return err
		}
		return c.present(t)
	case *filter.ValuePath:
		t, err := resolveTerm(c.res.rt(), n.Attr)
		if err != nil {
			return err
		}
		return c.valuePath(t, n.Filter)
	}
	return invalidFilter("missing filter expression")
}

func (c *compiler) binary(l filter.Expr, op string, r filter.Expr) error {
	c.b.SQL("(")
	if err := c.expr(l); err != nil {
		return err
	}
	c.b.SQL(op)
	if err := c.expr(r); err != nil {
		return err
	}
	c.b.SQL(")")
	return nil
}

// compare writes "t op v" at the top level.
func (c *compiler) compare(t term, op filter.Op, v filter.Value) error {
	b := c.b
	if t.cmp == nil {
		return invalidFilter("%q cannot be compared", t.name)
	}
	if t.attr == schemasAttr {
		return c.compareSchemas(op, v)
	}
	if t.attr.Returned == scim.ReturnedNever && v.Kind != filter.KindNull {
		b.SQL(sqlBool(op == filter.OpNe)) // never served (password)
		return nil
	}
	if v.Kind == filter.KindNull {
		if op == filter.OpEq {
			b.SQL("NOT ")
		}
		return c.present(t)
	}
	if op == filter.OpNe {
		b.SQL("NOT (")
		if err := c.compare(t, filter.OpEq, v); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	}
	if l, ok := c.res.leaf(t.ext, t.name, t.cmpSub); ok {
		return c.compareLeaf(l, t.cmp, op, v)
	}
	if rs := c.res.rowSet(t.ext, t.name); rs != nil {
		return c.inRows(rs, func() error { return c.compareRowSub(rs, t.cmp, op, v) })
	}
	if c.res.isLeafComplex(t.ext, t.name) {
		return invalidFilter("filtering on %q is not supported", t.name)
	}
	return c.jsonCompare(t, op, v)
}

// present writes "t pr" at the top level.
func (c *compiler) present(t term) error {
	b := c.b
	if t.attr == schemasAttr {
		b.SQL("TRUE") // every served resource lists its schemas
		return nil
	}
	if t.attr.Returned == scim.ReturnedNever {
		b.SQL("FALSE") // never served (password)
		return nil
	}
	key := ""
	if t.sub != nil {
		key = t.sub.Name
	}
	if l, ok := c.res.leaf(t.ext, t.name, key); ok {
		a := t.attr
		if t.sub != nil {
			a = t.sub
		}
		return c.presentLeaf(l, a)
	}
	if c.res.isLeafComplex(t.ext, t.name) {
		b.SQL("TRUE") // meta always has created and lastModified
		return nil
	}
	if rs := c.res.rowSet(t.ext, t.name); rs != nil {
		return c.inRows(rs, func() error {
			if t.sub == nil {
				b.SQL(rs.present)
				return nil
			}
			l, err := rs.sub(t.sub)
			if err != nil {
				return err
			}
			return c.presentLeaf(l, t.sub)
		})
	}
	return c.jsonPresent(t)
}

// valuePath writes "attr[f]" at the top level.
func (c *compiler) valuePath(t term, f filter.Expr) error {
	if !t.attr.IsComplex() {
		return invalidFilter("%q is not a complex attribute", t.name)
	}
	if rs := c.res.rowSet(t.ext, t.name); rs != nil {
		return c.inRows(rs, func() error { return c.rowElem(rs, t.attr, f) })
	}
	if c.res.isLeafComplex(t.ext, t.name) {
		return c.leafElem(t, f)
	}
	return c.jsonValuePath(t, f)
}

// compareSchemas compares the served "schemas" values: the resource's
// fixed schemas, and the Enterprise User extension when the document has
// a non-empty object for it (a multi-valued, case-insensitive reference).
func (c *compiler) compareSchemas(op filter.Op, v filter.Value) error {
	b := c.b
	if v.Kind == filter.KindNull {
		b.SQL(sqlBool(op == filter.OpNe)) // schemas is always present
		return nil
	}
	if op == filter.OpNe {
		b.SQL("NOT (")
		if err := c.compareSchemas(filter.OpEq, v); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	}
	for _, s := range c.res.schemas {
		if matchString(s, v.Str, op, false) {
			b.SQL("TRUE")
			return nil
		}
	}
	if c.res.enterprise && matchString(scim.EnterpriseUserSchema, v.Str, op, false) {
		c.d.JSONNonEmptyObject(b, c.docChild(scim.EnterpriseUserSchema))
		return nil
	}
	b.SQL("FALSE")
	return nil
}

// --- rows of child tables ---

// inRows writes "<resource>.id IN (SELECT parent FROM rows WHERE team
// AND cond)", where cond (written by fn) is a condition on one row.
func (c *compiler) inRows(rs *rowSet, fn func() error) error {
	b := c.b
	b.SQL(c.res.alias + ".id IN (SELECT " + rs.parentCol + " FROM " + rs.from + " WHERE ")
	for i, col := range rs.teamCols {
		if i > 0 {
			b.SQL(" AND ")
		}
		b.SQL(col + " = ").Arg(c.teamID)
	}
	if rs.extra != "" {
		b.SQL(" AND " + rs.extra)
	}
	b.SQL(" AND (")
	if err := fn(); err != nil {
		return err
	}
	b.SQL("))")
	return nil
}

// compareRowSub writes "sub op v" on one row (v is not null, op not ne).
func (c *compiler) compareRowSub(rs *rowSet, sub *scim.Attribute, op filter.Op, v filter.Value) error {
	l, err := rs.sub(sub)
	if err != nil {
		return err
	}
	return c.compareLeaf(l, sub, op, v)
}

// rowElem writes the filter of a value path on one row, as filter.Match
// evaluates it on one element.
func (c *compiler) rowElem(rs *rowSet, parent *scim.Attribute, e filter.Expr) error {
	return c.elem(e, func(n *filter.Compare, sub *scim.Attribute) error {
		l, err := rs.sub(sub)
		if err != nil {
			return err
		}
		return c.compareLeaf(l, sub, n.Op, n.Value)
	}, func(sub *scim.Attribute) error {
		l, err := rs.sub(sub)
		if err != nil {
			return err
		}
		return c.presentLeaf(l, sub)
	}, parent)
}

// leafElem writes "attr[f]" for a single complex attribute held in leaves
// (meta): the one element always exists.
func (c *compiler) leafElem(t term, f filter.Expr) error {
	return c.elem(f, func(n *filter.Compare, sub *scim.Attribute) error {
		l, _ := c.res.leaf(t.ext, t.name, sub.Name)
		return c.compareLeaf(l, sub, n.Op, n.Value)
	}, func(sub *scim.Attribute) error {
		l, _ := c.res.leaf(t.ext, t.name, sub.Name)
		return c.presentLeaf(l, sub)
	}, t.attr)
}

// elem walks the logic of a value path's filter and calls cmp and pr for
// its terms, whose paths name sub-attributes of parent.
func (c *compiler) elem(e filter.Expr, cmp func(*filter.Compare, *scim.Attribute) error, pr func(*scim.Attribute) error, parent *scim.Attribute) error {
	b := c.b
	bin := func(l filter.Expr, op string, r filter.Expr) error {
		b.SQL("(")
		if err := c.elem(l, cmp, pr, parent); err != nil {
			return err
		}
		b.SQL(op)
		if err := c.elem(r, cmp, pr, parent); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	}
	switch n := e.(type) {
	case *filter.And:
		return bin(n.Left, " AND ", n.Right)
	case *filter.Or:
		return bin(n.Left, " OR ", n.Right)
	case *filter.Not:
		b.SQL("NOT (")
		if err := c.elem(n.X, cmp, pr, parent); err != nil {
			return err
		}
		b.SQL(")")
		return nil
	case *filter.Compare:
		sub := parent.Sub(n.Path.Name)
		if sub == nil || n.Path.URN != "" || n.Path.Sub != "" {
			return invalidFilter("unknown sub-attribute %q of %q", n.Path.String(), parent.Name)
		}
		return cmp(n, sub)
	case *filter.Present:
		sub := parent.Sub(n.Path.Name)
		if sub == nil || n.Path.URN != "" || n.Path.Sub != "" {
			return invalidFilter("unknown sub-attribute %q of %q", n.Path.String(), parent.Name)
		}
		return pr(sub)
	}
	return invalidFilter("value filters cannot be nested")
}

// --- the document ---

// docChild returns a writer of the JSON of a top-level key of the row's
// document.
func (c *compiler) docChild(key string) func(*Builder) {
	doc := c.res.alias + ".doc"
	return func(b *Builder) { c.d.JSONChild(b, func(b *Builder) { b.SQL(doc) }, key) }
}

// jsonTop returns a writer of the JSON of the term's top-level attribute.
func (c *compiler) jsonTop(t term) func(*Builder) {
	if t.ext == "" {
		return c.docChild(t.name)
	}
	ext := c.docChild(t.ext)
	return func(b *Builder) { c.d.JSONChild(b, ext, t.name) }
}

// child returns a writer of member key of the JSON written by x.
func (c *compiler) child(x func(*Builder), key string) func(*Builder) {
	return func(b *Builder) { c.d.JSONChild(b, x, key) }
}

// elemOf returns a writer of the JSON of the current row of alias.
func (c *compiler) elemOf(alias string) func(*Builder) {
	return func(b *Builder) { c.d.JSONElem(b, alias) }
}

// defaultText returns a writer of the served text of a sub-attribute that
// the SCIM layer always serves as a string ("" when the document has no
// string there), such as name.givenName.
func (c *compiler) defaultText(x func(*Builder)) func(*Builder) {
	return func(b *Builder) {
		b.SQL("COALESCE(")
		c.d.JSONText(b, x)
		b.SQL(", '')")
	}
}

// jsonCompare writes "t op v" (v not null, op not ne) for an attribute in
// the document: true when some value of the attribute satisfies it.
func (c *compiler) jsonCompare(t term, op filter.Op, v filter.Value) error {
	b := c.b
	top := c.jsonTop(t)
	if t.cmpSub == "" {
		return c.anyValue(top, t.cmp, op, v)
	}
	if c.res.hasDefault(t.ext, t.name, t.cmpSub) {
		return c.compareText(c.defaultText(c.child(top, t.cmpSub)), t.cmp, op, v)
	}
	o, x := c.alias("o"), c.alias("v")
	b.SQL("EXISTS (SELECT 1 FROM ")
	c.d.JSONEachObject(b, top, o)
	b.SQL(", ")
	c.d.JSONEachValue(b, c.child(c.elemOf(o), t.cmpSub), x)
	b.SQL(" WHERE ")
	c.d.JSONElemIs(b, o, JSONObject)
	b.SQL(" AND ")
	if err := c.typed(x, t.cmp, op, v); err != nil {
		return err
	}
	b.SQL(")")
	return nil
}

// anyValue writes "some value of the JSON x (flattened one level)
// satisfies a op v".
func (c *compiler) anyValue(x func(*Builder), a *scim.Attribute, op filter.Op, v filter.Value) error {
	b := c.b
	al := c.alias("v")
	b.SQL("EXISTS (SELECT 1 FROM ")
	c.d.JSONEachValue(b, x, al)
	b.SQL(" WHERE ")
	if err := c.typed(al, a, op, v); err != nil {
		return err
	}
	b.SQL(")")
	return nil
}

// typed writes "value op v" for the current JSON value of alias with the
// type of attribute a; a value of another JSON type matches nothing.
func (c *compiler) typed(alias string, a *scim.Attribute, op filter.Op, v filter.Value) error {
	b := c.b
	switch a.Type {
	case scim.TypeString, scim.TypeReference, scim.TypeBinary:
		c.d.JSONElemIs(b, alias, JSONString)
		b.SQL(" AND ")
		lit := v.Str
		x := func(b *Builder) { c.d.JSONElemText(b, alias) }
		if !a.CaseExact {
			lit = filter.FoldCase(lit)
			raw := x
			x = func(b *Builder) { c.d.Fold(b, raw) }
		}
		c.d.StringCompare(b, x, op, lit)
	case scim.TypeBoolean:
		if op != filter.OpEq {
			return invalidFilter("booleans support only eq and ne")
		}
		if v.Bool {
			c.d.JSONElemIs(b, alias, JSONTrue)
		} else {
			c.d.JSONElemIs(b, alias, JSONFalse)
		}
	case scim.TypeInteger, scim.TypeDecimal:
		sqlOp, ok := orderOps[op]
		if !ok {
			return invalidFilter("numbers support eq, ne, gt, ge, lt and le")
		}
		if math.IsNaN(v.Num) || math.IsInf(v.Num, 0) {
			b.SQL("FALSE")
			return nil
		}
		c.d.JSONElemIs(b, alias, JSONNumber)
		b.SQL(" AND ")
		c.d.JSONElemNumber(b, alias)
		b.SQL(" " + sqlOp + " ")
		if i, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
			b.Arg(i)
		} else {
			b.Arg(v.Num)
		}
	case scim.TypeDateTime:
		sqlOp, ok := orderOps[op]
		if !ok {
			return invalidFilter("dateTime attributes support eq, ne, gt, ge, lt and le")
		}
		lit, err := parseDateTime(v.Str)
		if err != nil {
			return err
		}
		c.d.JSONElemIs(b, alias, JSONString)
		b.SQL(" AND ")
		if !c.d.JSONElemTimeKey(b, alias) {
			return invalidFilter("this database cannot compare dateTime values inside documents")
		}
		b.SQL(" " + sqlOp + " ").Arg(TimeKey(lit))
	default:
		return invalidFilter("%q cannot be compared", a.Name)
	}
	return nil
}

// orderOps are the SQL operators of the ordering comparisons.
var orderOps = map[filter.Op]string{
	filter.OpEq: "=", filter.OpGt: ">", filter.OpGe: ">=", filter.OpLt: "<", filter.OpLe: "<=",
}

// compareText writes "x op v" for the SQL text x (never NULL) of a
// string attribute a.
func (c *compiler) compareText(x func(*Builder), a *scim.Attribute, op filter.Op, v filter.Value) error {
	if a.Type != scim.TypeString && a.Type != scim.TypeReference && a.Type != scim.TypeBinary {
		return invalidFilter("%q cannot be compared", a.Name)
	}
	lit := v.Str
	if !a.CaseExact {
		lit = filter.FoldCase(lit)
		raw := x
		x = func(b *Builder) { c.d.Fold(b, raw) }
	}
	c.b.SQL("(")
	c.d.StringCompare(c.b, x, op, lit)
	c.b.SQL(")")
	return nil
}

// jsonPresent writes "t pr" for an attribute in the document.
func (c *compiler) jsonPresent(t term) error {
	b := c.b
	top := c.jsonTop(t)
	if t.sub == nil {
		c.d.JSONPresent(b, top)
		return nil
	}
	if c.res.hasDefault(t.ext, t.name, t.sub.Name) {
		b.SQL("(")
		c.defaultText(c.child(top, t.sub.Name))(b)
		b.SQL(" <> '')")
		return nil
	}
	o := c.alias("o")
	b.SQL("EXISTS (SELECT 1 FROM ")
	c.d.JSONEachObject(b, top, o)
	b.SQL(" WHERE ")
	c.d.JSONElemIs(b, o, JSONObject)
	b.SQL(" AND ")
	c.d.JSONPresent(b, c.child(c.elemOf(o), t.sub.Name))
	b.SQL(")")
	return nil
}

// jsonValuePath writes "attr[f]" for a complex attribute in the document:
// some object element satisfies f. An attribute the SCIM layer always
// serves as an object (name) has exactly one element.
func (c *compiler) jsonValuePath(t term, f filter.Expr) error {
	b := c.b
	top := c.jsonTop(t)
	if c.res.alwaysObject(t.ext, t.name) {
		return c.jsonElem(t, top, f)
	}
	o := c.alias("o")
	b.SQL("EXISTS (SELECT 1 FROM ")
	c.d.JSONEachObject(b, top, o)
	b.SQL(" WHERE ")
	c.d.JSONElemIs(b, o, JSONObject)
	b.SQL(" AND ")
	if err := c.jsonElem(t, c.elemOf(o), f); err != nil {
		return err
	}
	b.SQL(")")
	return nil
}

// jsonElem writes a value path's filter on one element whose JSON el
// writes.
func (c *compiler) jsonElem(t term, el func(*Builder), f filter.Expr) error {
	b := c.b
	var cmp func(n *filter.Compare, sub *scim.Attribute) error
	cmp = func(n *filter.Compare, sub *scim.Attribute) error {
		x := c.child(el, sub.Name)
		deflt := c.res.hasDefault(t.ext, t.name, sub.Name)
		switch {
		case n.Value.Kind == filter.KindNull:
			if n.Op == filter.OpEq {
				b.SQL("NOT ")
			}
			return c.elemPresent(x, deflt)
		case n.Op == filter.OpNe:
			b.SQL("NOT (")
			eq := *n
			eq.Op = filter.OpEq
			if err := cmp(&eq, sub); err != nil {
				return err
			}
			b.SQL(")")
			return nil
		case deflt:
			return c.compareText(c.defaultText(x), sub, n.Op, n.Value)
		}
		return c.anyValue(x, sub, n.Op, n.Value)
	}
	return c.elem(f, cmp, func(sub *scim.Attribute) error {
		return c.elemPresent(c.child(el, sub.Name), c.res.hasDefault(t.ext, t.name, sub.Name))
	}, t.attr)
}

// elemPresent writes "pr" for the JSON x of a sub-attribute.
func (c *compiler) elemPresent(x func(*Builder), deflt bool) error {
	if deflt {
		c.b.SQL("(")
		c.defaultText(x)(c.b)
		c.b.SQL(" <> '')")
		return nil
	}
	c.d.JSONPresent(c.b, x)
	return nil
}

// parseDateTime parses an RFC 3339 literal as filter.Match does.
func parseDateTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalidFilter("%q is not an RFC 3339 date-time", s)
	}
	return t, nil
}

// errNotSortable is returned for a SortBy the store cannot order by.
func errNotSortable(path string) error {
	return invalid("invalidValue", "cannot sort by %q", path)
}
