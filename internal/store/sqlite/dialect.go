package sqlite

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"

	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store/sqlstore"
)

// dialect is SQLite's sqlstore.Dialect.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

// Param implements sqlstore.Dialect: SQLite's numbered parameter "?n".
func (dialect) Param(n int) string { return "?" + strconv.Itoa(n) }

// JSONParam implements sqlstore.Dialect: documents are JSON text.
func (dialect) JSONParam(n int) string { return "?" + strconv.Itoa(n) }

// Time implements sqlstore.Dialect: fixed-width UTC text.
func (dialect) Time(t time.Time) any { return t.UTC().Format(sqlstore.SQLiteTimeLayout) }

// RowLock implements sqlstore.Dialect: a write transaction (BEGIN
// IMMEDIATE on the one writer connection) already excludes every other
// writer.
func (dialect) RowLock(bool) string { return "" }

// SortText implements sqlstore.Dialect: SQLite's default BINARY collation
// compares UTF-8 bytes.
func (dialect) SortText(b *sqlstore.Builder, x func(*sqlstore.Builder)) { x(b) }

// MemberGroups implements sqlstore.Dialect: json_group_array over the
// member's group_members rows joined to their groups by primary key, in
// group id order. The plan is fixed (INDEXED BY, and CROSS JOIN, which
// SQLite never reorders): left to itself the planner may walk every group
// of the team probing each for the member, a cost that grows with the
// team's groups.
func (dialect) MemberGroups() string {
	return "(SELECT json_group_array(json_array(g.id, g.display_name) ORDER BY g.id)" +
		" FROM group_members gm INDEXED BY group_members_member CROSS JOIN groups g INDEXED BY groups_id ON g.id = gm.group_id AND g.team_id = gm.team_id" +
		" WHERE gm.team_id = m.team_id AND gm.member_id = m.id AND gm.member_type = 'User')"
}

// uniqueIndexes maps the column lists that SQLite names in "UNIQUE
// constraint failed: ..." to the migrations' index names.
var uniqueIndexes = map[string]string{
	"teams.id":                                sqlstore.IndexTeamsPK,
	"teams.slug_key":                          sqlstore.IndexTeamsSlug,
	"accounts.id":                             sqlstore.IndexAccountsPK,
	"accounts.email_key":                      sqlstore.IndexAccountsEmail,
	"members.team_id, members.id":             sqlstore.IndexMembersPK,
	"members.id":                              sqlstore.IndexMembersPK,
	"members.team_id, members.user_name_key":  sqlstore.IndexMembersUserName,
	"members.account_id":                      sqlstore.IndexMembersAccount,
	"groups.team_id, groups.id":               sqlstore.IndexGroupsPK,
	"groups.id":                               sqlstore.IndexGroupsPK,
	"groups.team_id, groups.display_name_key": sqlstore.IndexGroupsDisplayName,
	"api_keys.id":                             sqlstore.IndexAPIKeysPK,
	"api_keys.prefix":                         sqlstore.IndexAPIKeysPrefix,
}

// UniqueViolation implements sqlstore.Dialect.
func (dialect) UniqueViolation(err error) (string, bool) {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.ExtendedCode() {
	case sqlite3.CONSTRAINT_UNIQUE, sqlite3.CONSTRAINT_PRIMARYKEY:
	default:
		return "", false
	}
	msg := e.Error()
	const marker = "constraint failed: "
	if i := strings.LastIndex(msg, marker); i >= 0 {
		return uniqueIndexes[strings.TrimSpace(msg[i+len(marker):])], true
	}
	return "", true
}

// ForeignKeyViolation implements sqlstore.Dialect.
func (dialect) ForeignKeyViolation(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && e.ExtendedCode() == sqlite3.CONSTRAINT_FOREIGNKEY
}

// InvalidValue implements sqlstore.Dialect: SQLite's text holds any bytes.
func (dialect) InvalidValue(error) bool { return false }

// Transient implements sqlstore.Dialect: a database still locked after
// the busy timeout.
func (dialect) Transient(err error) bool {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.BUSY || e.Code() == sqlite3.LOCKED
}

// Fold implements sqlstore.Dialect with the Go function roster_fold.
func (dialect) Fold(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("roster_fold(")
	x(b)
	b.SQL(")")
}

// StringCompare implements sqlstore.Dialect. LIKE is not used: SQLite's
// LIKE ignores ASCII case, which is wrong for caseExact attributes;
// instr and substr compare exactly and need no escaping.
func (dialect) StringCompare(b *sqlstore.Builder, x func(*sqlstore.Builder), op filter.Op, lit string) {
	switch op {
	case filter.OpEq:
		x(b)
		b.SQL(" = ").Arg(lit)
	case filter.OpCo:
		b.SQL("instr(")
		x(b)
		b.SQL(", ").Arg(lit).SQL(") > 0")
	case filter.OpSw:
		b.SQL("substr(")
		x(b)
		b.SQL(", 1, length(").Arg(lit).SQL(")) = ").Arg(lit)
	case filter.OpEw:
		if lit == "" {
			b.SQL("TRUE")
			return
		}
		b.SQL("substr(")
		x(b)
		b.SQL(", -length(").Arg(lit).SQL(")) = ").Arg(lit)
	case filter.OpGt, filter.OpGe, filter.OpLt, filter.OpLe:
		x(b)
		b.SQL(" " + map[filter.Op]string{filter.OpGt: ">", filter.OpGe: ">=", filter.OpLt: "<", filter.OpLe: "<="}[op] + " ").Arg(lit)
	default:
		b.SQL("FALSE")
	}
}

// jsonPath returns the SQLite JSON path of an object member.
func jsonPath(key string) string {
	return `$."` + strings.ReplaceAll(key, `"`, `\"`) + `"`
}

// JSONChild implements sqlstore.Dialect with SQLite's -> operator, which
// yields JSON text (NULL when there is no such member).
func (dialect) JSONChild(b *sqlstore.Builder, x func(*sqlstore.Builder), key string) {
	b.SQL("(")
	x(b)
	b.SQL(" -> ").Arg(jsonPath(key)).SQL(")")
}

// JSONText implements sqlstore.Dialect.
func (dialect) JSONText(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("(CASE WHEN json_type(")
	x(b)
	b.SQL(") = 'text' THEN ")
	x(b)
	b.SQL(" ->> '$' END)")
}

// JSONNonEmptyObject implements sqlstore.Dialect.
func (dialect) JSONNonEmptyObject(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("(json_type(")
	x(b)
	b.SQL(") = 'object' AND EXISTS (SELECT 1 FROM json_each(")
	x(b)
	b.SQL(")))")
}

// JSONEachValue implements sqlstore.Dialect with json_each, which yields
// the items of an array and a scalar itself.
func (dialect) JSONEachValue(b *sqlstore.Builder, x func(*sqlstore.Builder), alias string) {
	b.SQL("json_each(CASE WHEN json_type(")
	x(b)
	b.SQL(") = 'object' THEN NULL ELSE ")
	x(b)
	b.SQL(" END) AS " + alias)
}

// JSONEachObject implements sqlstore.Dialect.
func (dialect) JSONEachObject(b *sqlstore.Builder, x func(*sqlstore.Builder), alias string) {
	b.SQL("json_each(CASE json_type(")
	x(b)
	b.SQL(") WHEN 'object' THEN json_array(json(")
	x(b)
	b.SQL(")) WHEN 'array' THEN ")
	x(b)
	b.SQL(" END) AS " + alias)
}

// JSONElem implements sqlstore.Dialect: json_each's value of an object or
// array is its JSON text.
func (dialect) JSONElem(b *sqlstore.Builder, alias string) { b.SQL(alias + ".value") }

// JSONElemIs implements sqlstore.Dialect.
func (dialect) JSONElemIs(b *sqlstore.Builder, alias string, k sqlstore.JSONKind) {
	switch k {
	case sqlstore.JSONString:
		b.SQL(alias + ".type = 'text'")
	case sqlstore.JSONNumber:
		b.SQL(alias + ".type IN ('integer', 'real')")
	case sqlstore.JSONTrue:
		b.SQL(alias + ".type = 'true'")
	case sqlstore.JSONFalse:
		b.SQL(alias + ".type = 'false'")
	case sqlstore.JSONObject:
		b.SQL(alias + ".type = 'object'")
	default:
		b.SQL("FALSE")
	}
}

// JSONElemText implements sqlstore.Dialect.
func (dialect) JSONElemText(b *sqlstore.Builder, alias string) { b.SQL(alias + ".atom") }

// JSONElemNumber implements sqlstore.Dialect.
func (dialect) JSONElemNumber(b *sqlstore.Builder, alias string) { b.SQL(alias + ".atom") }

// JSONElemTimeKey implements sqlstore.Dialect with the Go function
// roster_time.
func (dialect) JSONElemTimeKey(b *sqlstore.Builder, alias string) bool {
	b.SQL("roster_time(" + alias + ".atom)")
	return true
}

// JSONPresent implements sqlstore.Dialect: json_tree visits the value and
// everything inside it.
func (dialect) JSONPresent(b *sqlstore.Builder, x func(*sqlstore.Builder)) {
	b.SQL("EXISTS (SELECT 1 FROM json_tree(")
	x(b)
	b.SQL(") AS jp WHERE jp.type IN ('true', 'false', 'integer', 'real') OR (jp.type = 'text' AND jp.atom <> ''))")
}
