package sqlstore

import (
	"encoding/json"
	"fmt"
)

// Page sizes of the admin lists (store.AuditQuery, store.ActivityQuery and
// Changes): 0 or less means DefaultAdminLimit, more than MaxAdminLimit is
// capped.
const (
	DefaultAdminLimit = 100
	MaxAdminLimit     = 1000
)

// adminLimit returns the page size for a requested limit n.
func adminLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultAdminLimit
	case n > MaxAdminLimit:
		return MaxAdminLimit
	}
	return n
}

// encodeObject encodes a small JSON-able map (an audit summary, a change's
// data) as JSON text; nil is written as an empty object. Numbers come back
// from decodeObject as float64, as encoding/json decodes them.
func encodeObject(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", invalid("invalidValue", "the value cannot be stored as JSON: %v", err)
	}
	return string(b), nil
}

// objectScan scans a JSON object column (text from SQLite, jsonb from
// PostgreSQL) into a map.
type objectScan struct{ dst *map[string]any }

// Scan implements sql.Scanner.
func (o objectScan) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*o.dst = nil
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a JSON object", src)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("sqlstore: stored JSON object: %w", err)
	}
	*o.dst = m
	return nil
}
