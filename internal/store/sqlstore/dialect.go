package sqlstore

import (
	"time"

	"github.com/rosterhq/roster/internal/scim/filter"
)

// Dialect is everything that differs between the SQL databases Roster
// supports. Each backend implements it with explicit code; nothing in
// this package rewrites SQL text.
//
// Methods that write SQL take the Builder and append to it; an
// expression argument is a function that appends that expression, so
// that its bound arguments stay in placeholder order.
type Dialect interface {
	// Param returns the placeholder of the n-th (1-based) bound argument:
	// "?n" for SQLite, "$n" for PostgreSQL.
	Param(n int) string
	// JSONParam returns the placeholder of the n-th argument when it is a
	// document bound as JSON text ("?n"; "$n::jsonb").
	JSONParam(n int) string
	// Time returns the value to bind for a timestamp column. The time is
	// already in UTC and truncated to microseconds.
	Time(t time.Time) any
	// RowLock returns the clause that locks the rows a SELECT reads until
	// the end of the transaction — exclusively (FOR UPDATE) or shared (FOR
	// SHARE) — with a leading space, or "" where a write transaction
	// already excludes every other writer (SQLite).
	RowLock(exclusive bool) string
	// SortText writes the text expression x in the collation that orders
	// by UTF-8 bytes (code points), as filter.Match orders strings.
	SortText(b *Builder, x func(*Builder))
	// MemberGroups returns a scalar subquery (trusted SQL) over the member
	// row aliased m: the groups of m's team that m belongs to directly, as
	// JSON text of [id, displayName] pairs ordered by group id, or NULL or
	// "[]" when there are none. Every member read selects it, so that a
	// user's groups come in the statement that reads the user.
	MemberGroups() string

	// UniqueViolation reports whether err is a unique or primary-key
	// violation and, when known, the name of the violated index as the
	// migrations spell it (for example "members_user_name").
	UniqueViolation(err error) (index string, ok bool)
	// ForeignKeyViolation reports whether err is a foreign-key violation.
	ForeignKeyViolation(err error) bool
	// InvalidValue reports whether err is the database refusing a value
	// it cannot hold (PostgreSQL's text cannot hold U+0000 or bytes that
	// are not UTF-8); it becomes KindInvalid, as no stored row could have
	// matched it.
	InvalidValue(err error) bool
	// Transient reports whether err is a condition worth retrying later
	// (a busy database, a lost connection, a serialization failure that
	// outlived InTx's retries); it becomes KindUnavailable.
	Transient(err error) bool

	// Fold writes the SQL form of filter.FoldCase applied to the text
	// expression x.
	Fold(b *Builder, x func(*Builder))
	// StringCompare writes "x op lit" for text, with filter.Match's
	// meaning: eq, co, sw and ew are equality, substring, prefix and
	// suffix; gt, ge, lt and le compare UTF-8 bytes (code points). op is
	// never ne. lit is already folded when x is.
	StringCompare(b *Builder, x func(*Builder), op filter.Op, lit string)

	// JSONChild writes the JSON value of member key of the JSON object
	// expression x (NULL when x is not an object or has no such member).
	JSONChild(b *Builder, x func(*Builder), key string)
	// JSONText writes the SQL text of the JSON expression x when it is a
	// JSON string, and NULL otherwise.
	JSONText(b *Builder, x func(*Builder))
	// JSONNonEmptyObject writes a condition that the JSON expression x is
	// an object with at least one member (false for SQL NULL).
	JSONNonEmptyObject(b *Builder, x func(*Builder))
	// JSONEachValue writes a FROM item named alias that yields, for the
	// JSON expression x, the items of an array, or x itself when it is a
	// string, number or boolean, and nothing for an object, null or SQL
	// NULL (filter.Match's "flattened one level").
	JSONEachValue(b *Builder, x func(*Builder), alias string)
	// JSONEachObject writes a FROM item named alias that yields x itself
	// when it is an object, or the items of x when it is an array (the
	// caller keeps only objects with JSONIsObject).
	JSONEachObject(b *Builder, x func(*Builder), alias string)
	// JSONElem writes the JSON value of the current row of a FROM item
	// named alias made by JSONEachValue or JSONEachObject.
	JSONElem(b *Builder, alias string)
	// JSONElemIs writes a condition that the current row of alias is a
	// JSON value of kind k.
	JSONElemIs(b *Builder, alias string, k JSONKind)
	// JSONElemText writes the SQL text of the current row of alias, a
	// JSON string.
	JSONElemText(b *Builder, alias string)
	// JSONElemNumber writes the SQL number of the current row of alias, a
	// JSON number.
	JSONElemNumber(b *Builder, alias string)
	// JSONElemTimeKey writes a sortable text key of the instant that the
	// current row of alias, a JSON string, names as an RFC 3339
	// date-time, or NULL when it does not parse; ok is false when the
	// dialect cannot (the filter is then rejected as invalidFilter).
	JSONElemTimeKey(b *Builder, alias string) (ok bool)
	// JSONPresent writes a condition that is true when the JSON value x
	// is present in the sense of filter.Match's "pr": some string in it is
	// non-empty, or it holds a number or a boolean. It is false for SQL
	// NULL.
	JSONPresent(b *Builder, x func(*Builder))
}

// JSONKind is a kind of JSON value.
type JSONKind int

// The JSON kinds a filter tests for.
const (
	JSONString JSONKind = iota
	JSONNumber
	JSONTrue
	JSONFalse
	JSONObject
)
