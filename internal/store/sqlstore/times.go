package sqlstore

import (
	"fmt"
	"time"
)

// StoredTime returns t as the store keeps it: in UTC, truncated to
// microseconds (PostgreSQL's precision; SQLite keeps the same so that both
// backends return equal times).
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// SQLiteTimeLayout is the text form of timestamps in SQLite: fixed width
// and in UTC, so that text order is time order for years 1 to 9999.
const SQLiteTimeLayout = "2006-01-02T15:04:05.000000Z"

// timeArg returns the value to bind for a timestamp column.
func (s *base) timeArg(t time.Time) any { return s.d.Time(StoredTime(t)) }

// nullTimeArg returns the value to bind for a nullable timestamp column.
func (s *base) nullTimeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.timeArg(*t)
}

// timeScan scans a timestamp column (time.Time from PostgreSQL, text from
// SQLite) into a time.Time in UTC. With null set, a NULL leaves *nullDst
// nil.
type timeScan struct {
	dst     *time.Time
	nullDst **time.Time
}

// Scan implements sql.Scanner.
func (ts timeScan) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if ts.nullDst != nil {
			*ts.nullDst = nil
			return nil
		}
		return fmt.Errorf("sqlstore: NULL in a NOT NULL timestamp")
	case time.Time:
		t = v
	case string:
		p, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fmt.Errorf("sqlstore: stored time %q: %w", v, err)
		}
		t = p
	case []byte:
		p, err := time.Parse(time.RFC3339Nano, string(v))
		if err != nil {
			return fmt.Errorf("sqlstore: stored time %q: %w", v, err)
		}
		t = p
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	t = t.UTC()
	if ts.nullDst != nil {
		*ts.nullDst = &t
		return nil
	}
	*ts.dst = t
	return nil
}

// scanTime scans a NOT NULL timestamp into dst.
func scanTime(dst *time.Time) timeScan { return timeScan{dst: dst} }

// scanNullTime scans a nullable timestamp into dst.
func scanNullTime(dst **time.Time) timeScan { return timeScan{nullDst: dst} }

// TimeKey returns a text key of an instant whose byte order is time order
// for every instant time.Parse(time.RFC3339Nano, ...) can produce (years
// 0000 to 9999 with any offset). SQLite's roster_time function returns it
// for a stored RFC 3339 string, so filters on dateTime attributes inside
// documents compare instants, as filter.Match does.
func TimeKey(t time.Time) string {
	// Seconds since 0000-01-01T00:00:00Z minus two days of offset slack.
	const shift = 62167219200 + 2*86400
	return fmt.Sprintf("%013d.%09d", t.Unix()+shift, t.Nanosecond())
}
