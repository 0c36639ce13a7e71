package sqlstore

import (
	"context"
	"strconv"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// list runs a store.Query over a resource's rows of one team: the total
// (from the team's counter when there is no filter, so that it does not
// cost O(team); COUNT(*) of the compiled filter otherwise) and one page,
// handing each row to scan. When it needs both, it reads them in one
// snapshot.
//
// The page is ordered by the sort key with the id as tie-breaker (by id
// alone by default: ids are UUIDv7, creation order). Offset paging is
// LIMIT/OFFSET; keyset paging (After) is "id > After" on the primary key
// (team_id, id), so a page costs the same wherever it is.
//
// A filtered first page (Okta's and Entra ID's lookups, the pre-create
// check of an import) is read first with the page's statement alone: when
// the page comes back shorter than Count, the total is its length (one
// statement reads one snapshot), and the COUNT and the read-only
// transaction around both are not needed. A full page is dropped (reset
// empties what scan collected) and read again with the total in one
// snapshot, as any other page.
func (s *base) list(ctx context.Context, res *resource, teamID string, q store.Query, scan func(Rows) error, reset func()) (int, error) {
	switch {
	case q.Offset < 0:
		return 0, invalid("invalidValue", "the offset must not be negative")
	case q.Count < 0:
		return 0, invalid("invalidValue", "the count must not be negative")
	case q.After != "" && q.SortBy != "":
		return 0, invalid("invalidValue", "keyset paging (a cursor) needs the default order")
	}
	// Compile once up front, so that a bad filter or sort fails before
	// any statement runs.
	if _, err := s.itemsStatement(res, teamID, q); err != nil {
		return 0, err
	}
	needTotal, needItems := !q.SkipTotal, q.Count > 0
	total := -1
	run := func(qr Querier) error {
		if needTotal {
			n, err := s.count(ctx, qr, res, teamID, q)
			if err != nil {
				return err
			}
			total = n
		}
		if !needItems {
			return nil
		}
		b, err := s.itemsStatement(res, teamID, q)
		if err != nil {
			return err
		}
		rows, err := qr.QueryContext(ctx, b.String(), b.Args()...)
		if err != nil {
			return s.wrapErr("list", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return s.wrapErr("list", err)
			}
		}
		return s.wrapErr("list", rows.Err())
	}
	if needTotal && needItems && q.Filter != nil && q.Offset == 0 && q.After == "" {
		n := 0
		counted := scan
		scan = func(rows Rows) error { n++; return counted(rows) }
		needTotal = false
		if err := run(s.q); err != nil {
			return 0, err
		}
		if n < q.Count {
			return n, nil
		}
		reset()
		scan, needTotal = counted, true
	}
	var err error
	if needTotal && needItems {
		err = s.snapshot(ctx, run)
	} else {
		err = run(s.q)
	}
	if err != nil {
		return 0, err
	}
	return total, nil
}

// where writes the WHERE clause of a resource list: the team and the
// compiled filter.
func where(b *Builder, res *resource, teamID string, q store.Query) error {
	b.SQL(" WHERE " + res.alias + ".team_id = ").Arg(teamID)
	if q.Filter != nil {
		b.SQL(" AND (")
		if err := compileFilter(b, res, teamID, q.Filter); err != nil {
			return err
		}
		b.SQL(")")
	}
	return nil
}

// count returns the number of the team's resources matching q.Filter.
func (s *base) count(ctx context.Context, qr Querier, res *resource, teamID string, q store.Query) (int, error) {
	if q.Filter == nil {
		return s.teamCount(ctx, qr, teamID, res.counter)
	}
	b := NewBuilder(s.d).SQL("SELECT COUNT(*) FROM " + res.table + " " + res.alias)
	if err := where(b, res, teamID, q); err != nil {
		return 0, err
	}
	var n int
	if err := qr.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&n); err != nil {
		return 0, s.wrapErr("count", err)
	}
	return n, nil
}

// itemsStatement builds the SELECT of one page.
func (s *base) itemsStatement(res *resource, teamID string, q store.Query) (*Builder, error) {
	b := NewBuilder(s.d).SQL("SELECT " + res.cols(s.d) + " FROM " + res.table + " " + res.alias)
	if err := where(b, res, teamID, q); err != nil {
		return nil, err
	}
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	if q.After != "" {
		if q.Descending {
			b.SQL(" AND " + res.alias + ".id < ").Arg(q.After)
		} else {
			b.SQL(" AND " + res.alias + ".id > ").Arg(q.After)
		}
	}
	b.SQL(" ORDER BY ")
	if q.SortBy != "" {
		key, nullable, err := s.sortKey(res, teamID, q.SortBy)
		if err != nil {
			return nil, err
		}
		if key != nil {
			if nullable {
				b.SQL("(")
				key(b)
				b.SQL(" IS NULL)" + dir + ", ")
			}
			key(b)
			b.SQL(dir + ", ")
		}
	}
	// LIMIT is an integer literal, not a parameter: SQLite re-prepares a
	// statement whose bound LIMIT changes (it can affect the plan), which
	// cost 20% of a lookup's CPU. q.Count is a validated int, so nothing
	// from a client reaches the SQL text.
	b.SQL(res.alias + ".id" + dir + " LIMIT " + strconv.Itoa(q.Count))
	if q.Offset > 0 && q.After == "" {
		b.SQL(" OFFSET ").Arg(q.Offset)
	}
	return b, nil
}

// sortKey returns a writer of the SQL sort key of the attribute path
// sortBy (RFC 7644 §3.4.2.3) and whether it can be NULL (absent values
// sort last ascending, first descending: descending is the exact
// reverse). A nil writer means the key is the same for every row.
// caseExact=false strings sort by their folded form in code-point order.
// Multi-valued attributes sort by their primary value, else their first.
func (s *base) sortKey(res *resource, teamID, sortBy string) (func(*Builder), bool, error) {
	p, err := scim.ParseAttrPath(sortBy)
	if err != nil {
		return nil, false, errNotSortable(sortBy)
	}
	t, err := resolveTerm(res.rt(), p)
	if err != nil || t.cmp == nil || t.attr == schemasAttr {
		return nil, false, errNotSortable(sortBy)
	}
	isText := t.cmp.Type == scim.TypeString || t.cmp.Type == scim.TypeReference || t.cmp.Type == scim.TypeBinary
	text := func(x func(*Builder), folded bool) func(*Builder) {
		if !isText {
			return x
		}
		if !t.cmp.CaseExact && !folded {
			raw := x
			x = func(b *Builder) { s.d.Fold(b, raw) }
		}
		inner := x
		return func(b *Builder) { s.d.SortText(b, inner) }
	}
	if l, ok := res.leaf(t.ext, t.name, t.cmpSub); ok {
		switch l.kind {
		case leafConst:
			return nil, false, nil
		case leafUnsupported:
			return nil, false, errNotSortable(sortBy)
		}
		return text(func(b *Builder) { b.SQL(l.expr) }, l.folded), l.nullable, nil
	}
	if rs := res.rowSet(t.ext, t.name); rs != nil {
		l, err := rs.sub(t.cmp)
		if err != nil || l.kind != leafColumn {
			return nil, false, errNotSortable(sortBy)
		}
		return func(b *Builder) {
			b.SQL("(SELECT ")
			text(func(b *Builder) { b.SQL(l.expr) }, l.folded)(b)
			b.SQL(" FROM " + rs.from + " WHERE ")
			for _, col := range rs.teamCols {
				b.SQL(col + " = ").Arg(teamID).SQL(" AND ")
			}
			if rs.extra != "" {
				b.SQL(rs.extra + " AND ")
			}
			b.SQL(rs.parentCol + " = " + res.alias + ".id ORDER BY " + rs.order + " LIMIT 1)")
		}, true, nil
	}
	if t.attr.MultiValued || !isText || res.isLeafComplex(t.ext, t.name) {
		return nil, false, errNotSortable(sortBy)
	}
	c := &compiler{d: s.d, res: res}
	x := c.jsonTop(t)
	if t.cmpSub != "" {
		x = c.child(x, t.cmpSub)
	}
	val := func(b *Builder) { s.d.JSONText(b, x) }
	if res.hasDefault(t.ext, t.name, t.cmpSub) {
		val = c.defaultText(x)
	}
	return text(val, false), true, nil
}

// ListSQL returns the statement (and its arguments) with which Members
// (resource "User") or Groups ("Group") would read one page of q, so that
// tests and operators can EXPLAIN it.
func (s *Store) ListSQL(resourceType, teamID string, q store.Query) (string, []any, error) {
	res := usersList()
	if resourceType == "Group" {
		res = groupsList()
	}
	b, err := s.itemsStatement(res, teamID, q)
	if err != nil {
		return "", nil, err
	}
	return b.String(), b.Args(), nil
}
