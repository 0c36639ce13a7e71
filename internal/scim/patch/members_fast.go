package patch

import (
	"encoding/json"
	"unicode/utf8"
)

// The typed fast path of SplitMembers. Okta and Entra ID send member
// changes as an array of small flat objects:
//
//	{"op":"add","path":"members","value":[{"value":"00u1","display":"Ann"}, ...]}
//	{"op":"Remove","path":"members","value":[{"value":"00u1"}]}
//
// The generic path decodes such a value into []any of map[string]any,
// scans and coerces it against the schema (scim.CoerceValue), and then
// converts every map back into a Member: about 16 allocations per member.
// scanMembers reads the same array straight into []Member in one pass.
//
// It accepts only the shape whose generic result it knows for certain:
// an array of objects whose keys are exactly "value", "display", "type"
// or "$ref" (lower case, each at most once), whose values are all
// strings, and whose "value" is non-empty. For that shape the generic
// path keeps every string as it is (all four sub-attributes of the Group
// schema's members are immutable strings or references; none is
// readOnly, none has a type to coerce), drops empty optional strings
// (which Member leaves "" anyway) and fails nothing. Anything else — other
// keys or spellings, nulls, numbers, a nested value, an empty "value", a
// duplicate key, malformed JSON — returns ok false, and SplitMembers takes
// the generic path, which decides (and reports errors) as before. The
// differential tests and FuzzSplitMembers check that both paths give the
// same result.

// scanMembers decodes raw as a fast-path member array (see above).
func scanMembers(raw []byte) (ms []Member, ok bool) {
	// Strings without escapes are sliced from one copy of raw, so the
	// members cost one allocation, not one per string.
	sc := memberScanner{b: raw, s: string(raw)}
	sc.ws()
	if !sc.eat('[') {
		return nil, false
	}
	// A cheap upper bound on the members: one per '{'.
	n := 0
	for _, c := range raw {
		if c == '{' {
			n++
		}
	}
	ms = make([]Member, 0, n)
	sc.ws()
	if sc.eat(']') {
		return ms, sc.end()
	}
	for {
		m, ok := sc.member()
		if !ok {
			return nil, false
		}
		ms = append(ms, m)
		sc.ws()
		if sc.eat(']') {
			return ms, sc.end()
		}
		if !sc.eat(',') {
			return nil, false
		}
		sc.ws()
	}
}

// memberScanner is a cursor over the bytes of a member array.
type memberScanner struct {
	b []byte
	s string // b as a string
	i int
}

// ws skips JSON whitespace.
func (s *memberScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// eat consumes c if it is next.
func (s *memberScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *memberScanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

// member reads one object {"value": "...", ...}.
func (s *memberScanner) member() (Member, bool) {
	var m Member
	if !s.eat('{') {
		return m, false
	}
	var seen [4]bool
	s.ws()
	if s.eat('}') {
		return m, false // {} is dropped by the generic path: let it decide
	}
	for {
		key, ok := s.rawString()
		if !ok {
			return m, false
		}
		s.ws()
		if !s.eat(':') {
			return m, false
		}
		s.ws()
		val, ok := s.str()
		if !ok {
			return m, false
		}
		var slot int
		switch string(key) { // no allocation: compared in place
		case "value":
			slot, m.Value = 0, val
		case "display":
			slot, m.Display = 1, val
		case "type":
			slot, m.Type = 2, val
		case "$ref":
			slot, m.Ref = 3, val
		default:
			return m, false
		}
		if seen[slot] {
			return m, false
		}
		seen[slot] = true
		s.ws()
		if s.eat('}') {
			break
		}
		if !s.eat(',') {
			return m, false
		}
		s.ws()
	}
	return m, m.Value != ""
}

// rawString reads a string token without escapes and returns its bytes
// (for keys, which the fast path compares literally).
func (s *memberScanner) rawString() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
		s.i++
	}
	return nil, false
}

// str reads a string value as encoding/json decodes it. A valid UTF-8
// string without escapes is a substring of the copy of raw; one with
// escapes or
// invalid UTF-8 is handed to encoding/json, so the result is the same as
// the generic path's (which replaces invalid UTF-8 with U+FFFD).
func (s *memberScanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	plain := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			tok := s.b[start : s.i-1]
			if plain && utf8.Valid(tok) {
				return s.s[start : s.i-1], true
			}
			var out string
			if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			plain = false
			s.i++ // skip the escaped byte (a quote or a backslash included)
		case c < 0x20:
			return "", false // invalid JSON: the generic path reports it
		}
		s.i++
	}
	return "", false
}
