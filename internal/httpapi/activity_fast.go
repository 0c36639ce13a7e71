package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fast path of redactJSON. Most bodies — every response Roster
// writes to a lookup, and most requests but a create's — hold nothing to
// redact. For those, redactJSON's token-by-token re-encoding produces
// exactly the input without its insignificant white space, which
// json.Compact does in one pass of the scanner without allocating per
// token.
//
// plainJSON only takes a body when that equivalence is certain, from its
// bytes alone:
//   - no escape but \" \\ \n \r \t \b \f, which the re-encoding writes back
//     as they are and which stand for no letter: a secret or a key name
//     cannot hide behind an escape ("pass\u0077ord", "rsk\u005f…"), and
//     every word of a decoded string is in the raw bytes;
//   - none of the words redaction looks for, in any letter case:
//     "password" (a member name, or a PATCH path naming the attribute,
//     whose value redactJSON then hides), "rsk_", "rpt_" (Roster keys and
//     tokens) and "bearer" (bearer credentials);
//   - none of the characters the re-encoding escapes ('<', '>', '&',
//     U+2028, U+2029) and valid UTF-8 (the re-encoding replaces invalid
//     bytes), so that both paths store the same text;
//   - neither of the two non-ASCII letters that Unicode case folding
//     equates with ASCII ones (U+017F, long s; U+212A, Kelvin sign), which
//     the slow path's case-insensitive comparisons treat as 's' and 'k'.
//
// Anything else, and text that is not one complete JSON value, takes the
// slow path, which decides and reports as before.

// compactPool holds the buffers plainJSON compacts into.
var compactPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// plainJSON returns redactJSON's result for a complete body that needs no
// redaction (see above), and false when it cannot tell.
func plainJSON(data []byte, limit int) (string, bool) {
	if !plainBytes(data) {
		return "", false
	}
	b := compactPool.Get().(*bytes.Buffer)
	defer func() {
		if b.Cap() <= 64<<10 {
			b.Reset()
			compactPool.Put(b)
		}
	}()
	b.Reset()
	if json.Compact(b, data) != nil {
		return "", false // not JSON, or not exactly one value: the slow path says where
	}
	out := b.Bytes()
	if len(out) == 0 {
		return "", false
	}
	if limit >= 0 && len(out) > limit {
		cut := out[:limit]
		for len(cut) > 0 && !utf8.Valid(cut) {
			cut = cut[:len(cut)-1]
		}
		return string(cut) + "…[truncated]", true
	}
	return string(out), true
}

// plainBytes reports whether data has no escape but the seven above, no '<', '>' or '&',
// none of "password", "rsk_", "rpt_", "bearer" in any letter case, and,
// when it is not ASCII, is valid UTF-8 without U+2028 or U+2029.
func plainBytes(data []byte) bool {
	ascii := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c | 0x20 { // lower-cases ASCII letters
		case 'p':
			if hasFoldAt(data, i, "password") {
				return false
			}
		case 'r':
			if hasFoldAt(data, i, "rsk_") || hasFoldAt(data, i, "rpt_") {
				return false
			}
		case 'b':
			if hasFoldAt(data, i, "bearer") {
				return false
			}
		case '|': // '\\' (0x5c) and '|' (0x7c)
			if c == '\\' {
				// Only the escapes the re-encoding writes back as they
				// are, which stand for no letter: \" \\ \n \r \t \b \f.
				if i+1 >= len(data) || !strings.ContainsRune(`"\\nrtbf`, rune(data[i+1])) {
					return false
				}
				i++
			}
		case '<', '>', '&':
			if c == '<' || c == '>' || c == '&' {
				return false
			}
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if ascii {
		return true
	}
	return utf8.Valid(data) && !bytes.Contains(data, []byte("\u2028")) && !bytes.Contains(data, []byte("\u2029")) &&
		!bytes.Contains(data, []byte("\u017f")) && !bytes.Contains(data, []byte("\u212a"))
}

// hasFoldAt reports whether data[i:] starts with word (lower-case ASCII
// letters and '_'), ASCII letters compared in any case.
func hasFoldAt(data []byte, i int, word string) bool {
	if len(data)-i < len(word) {
		return false
	}
	for j := 0; j < len(word); j++ {
		c, w := data[i+j], word[j]
		if c != w && (w < 'a' || w > 'z' || c != w-('a'-'A')) {
			return false
		}
	}
	return true
}
