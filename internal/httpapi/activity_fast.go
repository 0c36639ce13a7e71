package httpapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"unicode/utf8"
)

// The fast path of redactJSON. Most bodies — every response Roster
// writes to a lookup, and most requests — hold nothing to redact, and an
// IdP's create holds only a password. For those, redactJSON's
// token-by-token re-encoding produces exactly the input without its
// insignificant white space (and with each password replaced), which
// json.Compact and one pass over its bytes (redactPlain) do without
// allocating per token.
//
// plainJSON only takes a body when that equivalence is certain, from its
// bytes alone:
//   - no escape but \" \\ \n \r \t \b \f, which the re-encoding writes back
//     as they are and which stand for no letter: a secret or a key name
//     cannot hide behind an escape ("pass\u0077ord", "rsk\u005f…"), and
//     every word of a decoded string is in the raw bytes;
//   - none of the token words redaction looks for, in any letter case:
//     "rsk_", "rpt_" (Roster keys and tokens) and "bearer" (bearer
//     credentials); "password" (a member name, or a PATCH path naming the
//     attribute, whose value redactJSON then hides) is redacted by
//     redactPlain;
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
// redaction, or whose only secrets are passwords (see above and
// redactPlain), and false when it cannot tell.
func plainJSON(data []byte, limit int) (string, bool) {
	password, ok := plainBytes(data)
	if !ok {
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
	if password {
		r := redactBufs.Get().(*[]byte)
		defer redactBufs.Put(r)
		if *r, ok = redactPlain((*r)[:0], out); !ok {
			return "", false
		}
		out = *r
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
// none of "rsk_", "rpt_", "bearer" in any letter case, and, when it is
// not ASCII, is valid UTF-8 without U+2028 or U+2029; password reports
// whether "password" appears, in any letter case (redactPlain's work).
func plainBytes(data []byte) (password, ok bool) {
	ascii := true
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c | 0x20 { // lower-cases ASCII letters
		case 'p':
			if hasFoldAt(data, i, "password") {
				password = true
			}
		case 'r':
			if hasFoldAt(data, i, "rsk_") || hasFoldAt(data, i, "rpt_") {
				return false, false
			}
		case 'b':
			if hasFoldAt(data, i, "bearer") {
				return false, false
			}
		case '|': // '\\' (0x5c) and '|' (0x7c)
			if c == '\\' {
				// Only the escapes the re-encoding writes back as they
				// are, which stand for no letter: \" \\ \n \r \t \b \f.
				if i+1 >= len(data) || !strings.ContainsRune(`"\\nrtbf`, rune(data[i+1])) {
					return false, false
				}
				i++
			}
		case '<', '>', '&':
			if c == '<' || c == '>' || c == '&' {
				return false, false
			}
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if ascii {
		return password, true
	}
	return password, utf8.Valid(data) && !bytes.Contains(data, []byte("\u2028")) && !bytes.Contains(data, []byte("\u2029")) &&
		!bytes.Contains(data, []byte("\u017f")) && !bytes.Contains(data, []byte("\u212a"))
}

// redactBufs holds the buffers redactPlain writes into.
var redactBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// redactPlain is redactPass over compact JSON that plainBytes took (so
// every string's bytes are exactly what the token path writes for it):
// it copies in to dst, replacing the value of every "password" member,
// and the "value" of every object whose "path" names the password, with
// "[redacted]". It counts objects as redactPass does (those inside a
// redacted value too), and returns false for a key or path with an
// escape, which the token path decodes first.
func redactPlain(dst, in []byte) ([]byte, bool) {
	var marks map[int]bool
	if bytes.Contains(bytes.ToLower(in), []byte(`"path"`)) {
		marks = map[int]bool{}
		if _, ok := scanPlain(nil, in, marks, false); !ok {
			return nil, false
		}
	}
	return scanPlain(dst, in, marks, true)
}

// plainFrame is one open container of scanPlain.
type plainFrame struct {
	obj, wantKey, pathKey bool
	ord                   int
}

// scanPlain walks compact, valid JSON. Without apply it marks the
// objects whose "path" member names the password; with apply it writes
// the redacted copy to dst.
func scanPlain(dst, in []byte, marks map[int]bool, apply bool) ([]byte, bool) {
	var stack []plainFrame
	objects := 0
	redactNext := false
	for i := 0; i < len(in); {
		c := in[i]
		var top *plainFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		switch c {
		case ',':
			if top != nil && top.obj {
				top.wantKey = true
			}
			dst = append(dst, c)
			i++
			continue
		case ':':
			dst = append(dst, c)
			i++
			continue
		case '}', ']':
			stack = stack[:len(stack)-1]
			dst = append(dst, c)
			i++
			continue
		}
		if c == '"' && top != nil && top.obj && top.wantKey {
			end := stringEnd(in, i)
			key := in[i+1 : end-1]
			if bytes.IndexByte(key, '\\') >= 0 {
				return nil, false
			}
			top.wantKey = false
			top.pathKey = bytes.EqualFold(key, []byte("path"))
			redactNext = bytes.EqualFold(key, []byte("password")) || (bytes.EqualFold(key, []byte("value")) && marks[top.ord])
			dst = append(dst, in[i:end]...)
			i = end
			continue
		}
		// A value: a string, number, literal, object or array.
		if redactNext && apply {
			redactNext = false
			var n int
			i, n = skipValue(in, i)
			objects += n // ordinals stay those of the first pass
			dst = append(dst, `"`+redactedValue+`"`...)
			continue
		}
		redactNext = false
		switch c {
		case '{':
			stack = append(stack, plainFrame{obj: true, wantKey: true, ord: objects})
			objects++
			dst = append(dst, c)
			i++
		case '[':
			stack = append(stack, plainFrame{})
			dst = append(dst, c)
			i++
		case '"':
			end := stringEnd(in, i)
			if !apply && top != nil && top.obj && top.pathKey {
				s := in[i+1 : end-1]
				if bytes.IndexByte(s, '\\') >= 0 {
					return nil, false
				}
				if isPasswordPath(string(s)) {
					marks[top.ord] = true
				}
			}
			dst = append(dst, in[i:end]...)
			i = end
		default: // a number or literal runs to the next delimiter
			j := i
			for j < len(in) && in[j] != ',' && in[j] != '}' && in[j] != ']' {
				j++
			}
			dst = append(dst, in[i:j]...)
			i = j
		}
	}
	return dst, true
}

// stringEnd returns the index just past the string that starts at in[i].
func stringEnd(in []byte, i int) int {
	for j := i + 1; j < len(in); j++ {
		switch in[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(in)
}

// skipValue returns the index just past the value at in[i] and the
// objects it holds.
func skipValue(in []byte, i int) (int, int) {
	if i < len(in) && in[i] != '{' && in[i] != '[' && in[i] != '"' {
		for i < len(in) && in[i] != ',' && in[i] != '}' && in[i] != ']' {
			i++ // a number or a literal
		}
		return i, 0
	}
	depth, objects := 0, 0
	for i < len(in) {
		switch c := in[i]; c {
		case '"':
			i = stringEnd(in, i)
			if depth == 0 {
				return i, objects
			}
			continue
		case '{', '[':
			if c == '{' {
				objects++
			}
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, objects
			}
		}
		i++
	}
	return i, objects
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
