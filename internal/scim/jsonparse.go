package scim

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The fast JSON reader. Request bodies and stored documents are parsed
// here in one pass over the bytes, without encoding/json's token
// interface (which allocates for every token). It accepts exactly the
// JSON that encoding/json accepts and gives the same values (invalid
// UTF-8 and unpaired surrogate escapes become U+FFFD, as there); when it
// meets anything else — a syntax error, a limit — it gives up, and the
// caller runs encoding/json, which decides and words the error. A
// differential fuzz test compares the two.

// jsonParser holds one parse.
type jsonParser struct {
	s   []byte
	i   int
	buf []byte // scratch for strings with escapes
	// ordered builds objects as *object (members in request order,
	// duplicates kept) instead of map[string]any.
	ordered bool
	// canonical turns numbers into int64 or float64 (ParseDocument);
	// otherwise they stay json.Number.
	canonical bool
	// maxDepth bounds the nesting of objects and arrays (the top level
	// is depth 1); maxValues bounds the values, 0 for no bound.
	maxDepth, maxValues int
	values              int
}

// parseRequestJSON parses body as readJSON does (objects as *object,
// numbers as json.Number, MaxDecodeDepth and MaxDecodeValues); ok is
// false when readJSON must decide.
func parseRequestJSON(body []byte) (any, bool) {
	p := jsonParser{s: body, ordered: true, maxDepth: MaxDecodeDepth, maxValues: MaxDecodeValues}
	return p.parse()
}

// ParseJSON parses one JSON value written by AppendJSON or any JSON
// writer: objects become map[string]any (a repeated key keeps its last
// value), arrays []any, and numbers int64 when they are integers that fit,
// float64 otherwise (a number too large for float64 stays its text). ok
// is false for anything that is not one JSON value (and for JSON nested
// more than 10,000 levels), so that the caller can report the error with
// encoding/json. It is what stored documents are read with.
func ParseJSON(text []byte) (v any, ok bool) {
	p := jsonParser{s: text, canonical: true, maxDepth: 10000}
	return p.parse()
}

func (p *jsonParser) parse() (any, bool) {
	p.space()
	v, ok := p.value(1)
	if !ok {
		return nil, false
	}
	p.space()
	if p.i != len(p.s) {
		return nil, false
	}
	return v, true
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, bool) {
	p.values++
	if p.maxValues > 0 && p.values > p.maxValues {
		return nil, false
	}
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; c {
	case '{':
		if depth > p.maxDepth {
			return nil, false
		}
		return p.object(depth)
	case '[':
		if depth > p.maxDepth {
			return nil, false
		}
		return p.array(depth)
	case '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return s, true
	case 't':
		return true, p.literal("true")
	case 'f':
		return false, p.literal("false")
	case 'n':
		return nil, p.literal("null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return p.number()
		}
		return nil, false
	}
}

func (p *jsonParser) literal(word string) bool {
	if len(p.s)-p.i < len(word) || string(p.s[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *jsonParser) number() (any, bool) {
	start := p.i
	end, ok := scanNumber(p.s, p.i)
	if !ok {
		return nil, false
	}
	p.i = end
	text := string(p.s[start:end])
	if !p.canonical {
		return json.Number(text), true
	}
	return numberValue(text), true
}

// numberValue is how a stored document's number is read: int64 when the
// text is an integer that fits, float64 otherwise, and the text itself
// when neither parses (beyond float64's range).
func numberValue(text string) any {
	if !strings.ContainsAny(text, ".eE") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return text
	}
	return f
}

// CanonicalNumbers replaces, in place, the json.Number values in v (as
// encoding/json's UseNumber decoding leaves them, in maps and arrays at
// any depth) by the values ParseJSON gives the same numbers, and returns
// v. A reader that falls back to encoding/json uses it so that both paths
// give the same document.
func CanonicalNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return numberValue(string(x))
	case map[string]any:
		for k, el := range x {
			x[k] = CanonicalNumbers(el)
		}
	case []any:
		for i, el := range x {
			x[i] = CanonicalNumbers(el)
		}
	}
	return v
}

func (p *jsonParser) object(depth int) (any, bool) {
	p.i++ // '{'
	var o *object
	var m map[string]any
	if p.ordered {
		o = &object{}
	} else {
		m = make(map[string]any, 8)
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		if p.ordered {
			return o, true
		}
		return m, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		if p.ordered {
			o.keys = append(o.keys, k)
			o.vals = append(o.vals, v)
		} else {
			m[k] = v
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			if p.ordered {
				return o, true
			}
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (any, bool) {
	p.i++ // '['
	a := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads the string that starts at p.s[p.i] ('"'), decoding escapes
// and replacing invalid UTF-8 as encoding/json does.
func (p *jsonParser) str() (string, bool) {
	p.i++ // '"'
	start := p.i
	ascii := true
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			raw := p.s[start:p.i]
			p.i++
			if ascii || utf8.Valid(raw) {
				return string(raw), true
			}
			return string(fixUTF8(nil, raw)), true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// escaped finishes a string that has an escape at p.s[p.i].
func (p *jsonParser) escaped(start int) (string, bool) {
	b := fixUTF8(p.buf[:0], p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b
			return string(b), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", false
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(p.s, p.i)
				if !ok {
					return "", false
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					// A valid pair is one rune; anything else is U+FFFD,
					// as encoding/json decodes it.
					r2, ok2 := rune(-1), false
					if p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
						r2, ok2 = hex4(p.s, p.i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						p.i += 6
						r = dec
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", false
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.s[p.i:])
			b = utf8.AppendRune(b, r)
			p.i += size
		}
	}
	return "", false
}

// hex4 reads four hex digits at s[i].
func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// fixUTF8 appends raw to dst with each invalid UTF-8 byte replaced by
// U+FFFD.
func fixUTF8(dst, raw []byte) []byte {
	if utf8.Valid(raw) {
		return append(dst, raw...)
	}
	for len(raw) > 0 {
		r, size := utf8.DecodeRune(raw)
		dst = utf8.AppendRune(dst, r)
		raw = raw[size:]
	}
	return dst
}
