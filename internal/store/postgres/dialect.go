package postgres

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store/sqlstore"
)

// dialect is PostgreSQL's sqlstore.Dialect.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

// Param implements sqlstore.Dialect.
func (dialect) Param(n int) string { return "$" + strconv.Itoa(n) }

// JSONParam implements sqlstore.Dialect: documents are jsonb.
func (dialect) JSONParam(n int) string { return "$" + strconv.Itoa(n) + "::jsonb" }

// Time implements sqlstore.Dialect: timestamptz.
func (dialect) Time(t time.Time) any { return t.UTC() }

// RowLock implements sqlstore.Dialect.
func (dialect) RowLock(exclusive bool) string {
	if exclusive {
		return " FOR UPDATE"
	}
	return " FOR SHARE"
}

// ModifyingCTEs reports that PostgreSQL runs INSERTs inside WITH
// (sqlstore then writes a change-feed entry in one statement).
func (dialect) ModifyingCTEs() bool { return true }

// SortText implements sqlstore.Dialect: the "C" collation orders by bytes.
func (dialect) SortText(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("(")
	x(b)
	b.SQL(`) COLLATE "C"`)
}

// MemberGroups implements sqlstore.Dialect: json_agg over the member's
// group_members rows (group_members_member index), in group id order
// (NULL when there are none), each group's name read by its primary key
// in a scalar subquery: as a join, the planner (estimating two groups per
// team) scanned all of the team's groups for each membership.
func (dialect) MemberGroups() string {
	return "(SELECT json_agg(json_build_array(gm.group_id," +
		" (SELECT g.display_name FROM groups g WHERE g.team_id = gm.team_id AND g.id = gm.group_id)) ORDER BY gm.group_id)::text" +
		" FROM group_members gm WHERE gm.team_id = m.team_id AND gm.member_id = m.id AND gm.member_type = 'User')"
}

// SQLSTATE codes Roster reacts to.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// indexNames maps constraint and index names that differ from sqlstore's
// names.
var indexNames = map[string]string{
	"members_id": sqlstore.IndexMembersPK,
	"groups_id":  sqlstore.IndexGroupsPK,
}

func pgError(err error) (*pgconn.PgError, bool) {
	var e *pgconn.PgError
	ok := errors.As(err, &e)
	return e, ok
}

// UniqueViolation implements sqlstore.Dialect.
func (dialect) UniqueViolation(err error) (string, bool) {
	e, ok := pgError(err)
	if !ok || e.Code != codeUniqueViolation {
		return "", false
	}
	if n, ok := indexNames[e.ConstraintName]; ok {
		return n, true
	}
	return e.ConstraintName, true
}

// ForeignKeyViolation implements sqlstore.Dialect.
func (dialect) ForeignKeyViolation(err error) bool {
	e, ok := pgError(err)
	return ok && e.Code == codeForeignKeyViolation
}

// InvalidValue implements sqlstore.Dialect: a data exception (SQLSTATE
// class 22), such as U+0000 or bytes that are not UTF-8 in text (22021).
func (dialect) InvalidValue(err error) bool {
	e, ok := pgError(err)
	return ok && strings.HasPrefix(e.Code, "22")
}

// retryable reports whether a transaction that failed with err may be run
// again: a serialization failure or a deadlock.
func retryable(err error) bool {
	e, ok := pgError(err)
	return ok && (e.Code == codeSerializationFailure || e.Code == codeDeadlockDetected)
}

// Transient implements sqlstore.Dialect: serialization failures and
// deadlocks that outlived InTx's retries, lost connections (class 08),
// too many connections (53300) and a server shutting down (class 57P).
func (dialect) Transient(err error) bool {
	if e, ok := pgError(err); ok {
		return retryable(err) || strings.HasPrefix(e.Code, "08") || e.Code == "53300" || strings.HasPrefix(e.Code, "57P")
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// Fold implements sqlstore.Dialect with lower(), which folds Unicode
// letters under a UTF-8 database (see the package doc of sqlstore for the
// rare letters where it differs from Go).
func (dialect) Fold(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("lower(")
	x(b)
	b.SQL(")")
}

// likePattern escapes LIKE's wildcards and the escape character itself.
func likePattern(prefix, lit, suffix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return prefix + r.Replace(lit) + suffix
}

// StringCompare implements sqlstore.Dialect: co, sw and ew are LIKE with
// the wildcards of the literal escaped (a prefix LIKE on a "C" column is
// an index range); ordering compares in the "C" collation.
func (dialect) StringCompare(b *sqlstore.Builder, x func(*sqlstore.Builder), op filter.Op, lit string) {
	like := func(pattern string) {
		x(b)
		b.SQL(" LIKE ").Arg(pattern).SQL(` ESCAPE '\'`)
	}
	switch op {
	case filter.OpEq:
		x(b)
		b.SQL(" = ").Arg(lit)
	case filter.OpCo:
		like(likePattern("%", lit, "%"))
	case filter.OpSw:
		like(likePattern("", lit, "%"))
	case filter.OpEw:
		like(likePattern("%", lit, ""))
	case filter.OpGt, filter.OpGe, filter.OpLt, filter.OpLe:
		b.SQL("(")
		x(b)
		b.SQL(`) COLLATE "C" ` + map[filter.Op]string{filter.OpGt: ">", filter.OpGe: ">=", filter.OpLt: "<", filter.OpLe: "<="}[op] + " ").Arg(lit)
	default:
		b.SQL("FALSE")
	}
}

// JSONChild implements sqlstore.Dialect.
func (dialect) JSONChild(b *sqlstore.Builder, x func(*sqlstore.Builder), key string) {
	b.SQL("(")
	x(b)
	b.SQL(" -> ").Arg(key).SQL("::text)")
}

// JSONText implements sqlstore.Dialect.
func (dialect) JSONText(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("(CASE WHEN jsonb_typeof(")
	x(b)
	b.SQL(") = 'string' THEN ")
	x(b)
	b.SQL(" #>> '{}' END)")
}

// JSONNonEmptyObject implements sqlstore.Dialect.
func (dialect) JSONNonEmptyObject(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("COALESCE(jsonb_typeof(")
	x(b)
	b.SQL(") = 'object' AND ")
	x(b)
	b.SQL(" <> '{}'::jsonb, FALSE)")
}

// JSONEachValue implements sqlstore.Dialect.
func (dialect) JSONEachValue(b *sqlstore.Builder, x func(*sqlstore.Builder), alias string) {
	b.SQL("jsonb_array_elements(CASE WHEN jsonb_typeof(")
	x(b)
	b.SQL(") = 'array' THEN ")
	x(b)
	b.SQL(" WHEN jsonb_typeof(")
	x(b)
	b.SQL(") IN ('string', 'number', 'boolean') THEN jsonb_build_array(")
	x(b)
	b.SQL(") END) AS " + alias + "(j)")
}

// JSONEachObject implements sqlstore.Dialect.
func (dialect) JSONEachObject(b *sqlstore.Builder, x func(*sqlstore.Builder), alias string) {
	b.SQL("jsonb_array_elements(CASE jsonb_typeof(")
	x(b)
	b.SQL(") WHEN 'object' THEN jsonb_build_array(")
	x(b)
	b.SQL(") WHEN 'array' THEN ")
	x(b)
	b.SQL(" END) AS " + alias + "(j)")
}

// JSONElem implements sqlstore.Dialect.
func (dialect) JSONElem(b *sqlstore.Builder, alias string) { b.SQL(alias + ".j") }

// JSONElemIs implements sqlstore.Dialect.
func (dialect) JSONElemIs(b *sqlstore.Builder, alias string, k sqlstore.JSONKind) {
	switch k {
	case sqlstore.JSONString:
		b.SQL("jsonb_typeof(" + alias + ".j) = 'string'")
	case sqlstore.JSONNumber:
		b.SQL("jsonb_typeof(" + alias + ".j) = 'number'")
	case sqlstore.JSONTrue:
		b.SQL(alias + ".j = 'true'::jsonb")
	case sqlstore.JSONFalse:
		b.SQL(alias + ".j = 'false'::jsonb")
	case sqlstore.JSONObject:
		b.SQL("jsonb_typeof(" + alias + ".j) = 'object'")
	default:
		b.SQL("FALSE")
	}
}

// JSONElemText implements sqlstore.Dialect.
func (dialect) JSONElemText(b *sqlstore.Builder, alias string) { b.SQL("(" + alias + ".j #>> '{}')") }

// JSONElemNumber implements sqlstore.Dialect. The CASE keeps the cast
// from ever seeing a non-number.
func (dialect) JSONElemNumber(b *sqlstore.Builder, alias string) {
	b.SQL("(CASE WHEN jsonb_typeof(" + alias + ".j) = 'number' THEN (" + alias + ".j #>> '{}')::numeric END)")
}

// JSONElemTimeKey implements sqlstore.Dialect: PostgreSQL cannot parse an
// arbitrary string as RFC 3339 without risking an error, so dateTime
// attributes inside documents are not filterable (no schema attribute of
// Roster's is one: meta's times are columns).
func (dialect) JSONElemTimeKey(*sqlstore.Builder, string) bool { return false }

// presentDepth bounds the nesting JSONPresent looks into. Attribute
// values of Roster's schemas nest at most three levels (a multi-valued
// complex attribute: array, object, scalar).
const presentDepth = 6

// JSONPresent implements sqlstore.Dialect without jsonpath (which
// CockroachDB and older YugabyteDB lack): x is present when it is a
// number, a boolean or a non-empty string, or an array or object with a
// present member, looked for with one subquery per level.
func (d dialect) JSONPresent(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	d.present(b, x, 0)
}

func (d dialect) present(b *sqlstore.Builder, x func(*sqlstore.Builder), depth int) {
	b.SQL("COALESCE(jsonb_typeof(")
	x(b)
	b.SQL(") IN ('number', 'boolean') OR (jsonb_typeof(")
	x(b)
	b.SQL(") = 'string' AND ")
	x(b)
	b.SQL(` <> '""'::jsonb)`)
	if depth < presentDepth {
		alias := "jp" + strconv.Itoa(depth)
		b.SQL(" OR EXISTS (SELECT 1 FROM (SELECT e AS j FROM jsonb_array_elements(CASE WHEN jsonb_typeof(")
		x(b)
		b.SQL(") = 'array' THEN ")
		x(b)
		b.SQL(" END) AS e UNION ALL SELECT kv.v FROM jsonb_each(CASE WHEN jsonb_typeof(")
		x(b)
		b.SQL(") = 'object' THEN ")
		x(b)
		b.SQL(" END) AS kv(k, v)) AS " + alias + " WHERE ")
		d.present(b, func(b *sqlstore.Builder) { b.SQL(alias + ".j") }, depth+1)
		b.SQL(")")
	}
	b.SQL(", FALSE)")
}
