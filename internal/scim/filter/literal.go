package filter

import (
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// validAttrName is the ATTRNAME rule of RFC 7643 §2.1, shared with
// scim.ParseAttrPath.
func validAttrName(s string) bool { return scim.ValidAttrName(s) }

// hasURNPrefix reports whether s starts with "urn:" in any letter case.
func hasURNPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "urn:")
}

// validURN checks the schema URN part of an attribute path: "urn:", then
// colon-separated non-empty segments of URN characters (RFC 8141 pchar
// without the percent-encoding and the delimiters the filter grammar
// uses).
func validURN(s string) bool {
	if !hasURNPrefix(s) || len(s) == 4 {
		return false
	}
	prev := byte(':')
	for i := 4; i < len(s); i++ {
		c := s[i]
		if c == ':' && prev == ':' {
			return false
		}
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !ok {
			switch c {
			case ':', '-', '.', '_', '~', '!', '$', '&', '\'', '*', '+', ',', ';', '=', '@', '/':
				ok = true
			}
		}
		if !ok {
			return false
		}
		prev = c
	}
	return prev != ':'
}

// isJSONNumber reports whether s matches the JSON number grammar
// (RFC 8259 §6): -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// isIntegerText reports whether a JSON number's text has no fraction and
// no exponent, so that it may be compared exactly as an int64.
func isIntegerText(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".eE")
}

// parseNumber returns the value of a JSON number's text, or false when it
// is out of the float64 range.
func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Overflow gives ±Inf with ErrRange; underflow is rounded to 0
		// without error.
		return 0, false
	}
	return f, true
}
