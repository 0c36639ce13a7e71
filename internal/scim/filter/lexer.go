package filter

import (
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of the filter language
// (RFC 7644 §3.4.2.2, Figure 1).
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokWord           // attribute path, operator, keyword, number, true, false or null
	tokString         // JSON string; token.str holds the decoded text
	tokLParen         // (
	tokRParen         // )
	tokLBrack         // [
	tokRBrack         // ]
)

// token is one lexical token. pos and end are byte offsets into the
// input; the token's text is src[pos:end].
type token struct {
	kind tokKind
	pos  int
	end  int
	str  string
}

// lexer splits a filter into tokens on demand. It never allocates except
// to decode a string literal that contains escapes. Any run of spaces,
// tabs, carriage returns and line feeds separates tokens; RFC 7644 writes
// a single SP, and clients differ, so Roster accepts any amount.
type lexer struct {
	src string
	pos int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isDelim reports whether c ends a word.
func isDelim(c byte) bool {
	switch c {
	case '(', ')', '[', ']', '"':
		return true
	}
	return isSpace(c)
}

// next returns the next token. A word is any run of bytes up to
// whitespace, a bracket, a parenthesis or a quote; the parser decides what
// it is, so that errors can name the whole offending word.
func (lx *lexer) next() (token, error) {
	for lx.pos < len(lx.src) && isSpace(lx.src[lx.pos]) {
		lx.pos++
	}
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	var k tokKind
	switch lx.src[start] {
	case '(':
		k = tokLParen
	case ')':
		k = tokRParen
	case '[':
		k = tokLBrack
	case ']':
		k = tokRBrack
	case '"':
		return lx.lexString()
	default:
		for lx.pos < len(lx.src) && !isDelim(lx.src[lx.pos]) {
			lx.pos++
		}
		return token{kind: tokWord, pos: start, end: lx.pos}, nil
	}
	lx.pos++
	return token{kind: k, pos: start, end: lx.pos}, nil
}

// lexString reads a JSON string (RFC 8259 §7) starting at lx.pos, which
// holds the opening quote. Escapes \" \\ \/ \b \f \n \r \t and \uXXXX
// (with surrogate pairs) are decoded. Unescaped control characters,
// invalid UTF-8, unknown escapes, lone surrogates and a missing closing
// quote are errors.
func (lx *lexer) lexString() (token, error) {
	src := lx.src
	start := lx.pos
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			lx.pos = i + 1
			return token{kind: tokString, pos: start, end: lx.pos, str: src[start+1 : i]}, nil
		case c == '\\':
			return lx.lexEscapedString(start, i)
		case c < 0x20:
			return token{}, controlCharError(c, i)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && size == 1 {
				return token{}, invalidFilterf("invalid UTF-8 in string at offset %d", i)
			}
			i += size
		}
	}
	return token{}, invalidFilterf("unterminated string starting at offset %d", start)
}

// lexEscapedString continues lexString from the first backslash at i,
// building the decoded value.
func (lx *lexer) lexEscapedString(start, i int) (token, error) {
	src := lx.src
	var b strings.Builder
	b.Grow(i - start)
	b.WriteString(src[start+1 : i])
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			lx.pos = i + 1
			return token{kind: tokString, pos: start, end: lx.pos, str: b.String()}, nil
		case c == '\\':
			if i+1 >= len(src) {
				return token{}, invalidFilterf("unterminated string starting at offset %d", start)
			}
			switch e := src[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, n, err := decodeUnicodeEscape(src, i)
				if err != nil {
					return token{}, err
				}
				b.WriteRune(r)
				i += n
				continue
			default:
				return token{}, invalidFilterf("invalid escape %q in string at offset %d", src[i:i+2], i)
			}
			i += 2
		case c < 0x20:
			return token{}, controlCharError(c, i)
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && size == 1 {
				return token{}, invalidFilterf("invalid UTF-8 in string at offset %d", i)
			}
			b.WriteString(src[i : i+size])
			i += size
		}
	}
	return token{}, invalidFilterf("unterminated string starting at offset %d", start)
}

// decodeUnicodeEscape decodes "\uXXXX" at src[i:], and a following low
// surrogate escape when the first is a high surrogate. It returns the rune
// and the number of bytes consumed.
func decodeUnicodeEscape(src string, i int) (rune, int, error) {
	r, ok := hex4(src, i+2)
	if !ok {
		return 0, 0, invalidFilterf("invalid \\u escape in string at offset %d; expected four hex digits", i)
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, invalidFilterf("invalid \\u escape in string at offset %d: lone low surrogate", i)
	case r >= 0xD800 && r <= 0xDBFF:
		if i+12 > len(src) || src[i+6] != '\\' || src[i+7] != 'u' {
			return 0, 0, invalidFilterf("invalid \\u escape in string at offset %d: high surrogate without a low surrogate", i)
		}
		lo, ok := hex4(src, i+8)
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0, invalidFilterf("invalid \\u escape in string at offset %d: high surrogate without a low surrogate", i)
		}
		return 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00), 12, nil
	}
	return r, 6, nil
}

// hex4 decodes four hex digits at src[i:].
func hex4(src string, i int) (rune, bool) {
	if i+4 > len(src) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(src[i : i+4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

func controlCharError(c byte, i int) error {
	return invalidFilterf("control character U+%04X in string at offset %d; JSON strings must escape it", c, i)
}
