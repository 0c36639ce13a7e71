package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/scim"
)

// String returns the canonical form of the filter (see Expr).
func (e *And) String() string { return exprString(e) }

// String returns the canonical form of the filter (see Expr).
func (e *Or) String() string { return exprString(e) }

// String returns the canonical form of the filter: always "not (...)".
func (e *Not) String() string { return exprString(e) }

// String returns the canonical form "path op value" (RFC 7644
// §3.4.2.2): the path as the client spelled it, the operator in lower
// case, strings as JSON, numbers as written, true/false/null in lower
// case.
func (e *Compare) String() string { return exprString(e) }

// String returns the canonical form "path pr".
func (e *Present) String() string { return exprString(e) }

// String returns the canonical form "attr[filter]".
func (e *ValuePath) String() string { return exprString(e) }

// String returns the value as a filter literal (RFC 7644 §3.4.2.2,
// "compValue"): a JSON string, the number as written, or true, false or
// null in lower case.
func (v Value) String() string {
	var p printer
	p.count = true
	p.value(v)
	p.sb.Grow(p.n)
	p.count = false
	p.value(v)
	return p.sb.String()
}

// String returns the path in the form of RFC 7644 §3.5.2 ("PATH"):
// "members", "name.givenName", `members[value eq "2819c223"]`,
// `emails[type eq "work"].value`. ParsePath(p.String()) equals p for
// every p that ParsePath returns.
func (p Path) String() string {
	var pr printer
	pr.count = true
	pr.path(p)
	pr.sb.Grow(pr.n)
	pr.count = false
	pr.path(p)
	return pr.sb.String()
}

// exprString prints e in two passes: one to measure, one to write into a
// buffer of the right size.
func exprString(e Expr) string {
	var p printer
	p.count = true
	p.expr(e)
	p.sb.Grow(p.n)
	p.count = false
	p.expr(e)
	return p.sb.String()
}

// printer writes the canonical form of a filter. With count set it only
// measures: n is the length and maxDepth the deepest nesting of
// parentheses, "not (" and brackets, exactly as a parser of the output
// counts them (see Limits).
//
// Parentheses are minimal for precedence not > and > or with
// left-associative and/or: a right operand of the same operator keeps its
// parentheses, so that the tree shape survives a round trip.
type printer struct {
	sb       strings.Builder
	count    bool
	n        int
	depth    int
	maxDepth int
}

func (p *printer) str(s string) {
	if p.count {
		p.n += len(s)
		return
	}
	p.sb.WriteString(s)
}

func (p *printer) byte(c byte) {
	if p.count {
		p.n++
		return
	}
	p.sb.WriteByte(c)
}

func (p *printer) open(c byte) {
	p.byte(c)
	p.depth++
	if p.depth > p.maxDepth {
		p.maxDepth = p.depth
	}
}

func (p *printer) close(c byte) {
	p.byte(c)
	p.depth--
}

// operand prints e, in parentheses when paren is set.
func (p *printer) operand(e Expr, paren bool) {
	if !paren {
		p.expr(e)
		return
	}
	p.open('(')
	p.expr(e)
	p.close(')')
}

func (p *printer) expr(e Expr) {
	switch n := e.(type) {
	case *Or:
		if n == nil {
			break
		}
		p.operand(n.Left, false)
		p.str(" or ")
		_, rightOr := n.Right.(*Or)
		p.operand(n.Right, rightOr)
		return
	case *And:
		if n == nil {
			break
		}
		_, leftOr := n.Left.(*Or)
		p.operand(n.Left, leftOr)
		p.str(" and ")
		switch n.Right.(type) {
		case *Or, *And:
			p.operand(n.Right, true)
		default:
			p.operand(n.Right, false)
		}
		return
	case *Not:
		if n == nil {
			break
		}
		p.str("not ")
		p.operand(n.X, true)
		return
	case *Compare:
		if n == nil {
			break
		}
		p.attrPath(n.Path)
		p.byte(' ')
		for i := 0; i < len(n.Op); i++ {
			p.byte(lower(n.Op[i]))
		}
		p.byte(' ')
		p.value(n.Value)
		return
	case *Present:
		if n == nil {
			break
		}
		p.attrPath(n.Path)
		p.str(" pr")
		return
	case *ValuePath:
		if n == nil {
			break
		}
		p.attrPath(n.Attr)
		p.open('[')
		p.expr(n.Filter)
		p.close(']')
		return
	}
	// A nil or foreign node: not parseable, but String never panics.
	p.str("<nil>")
}

func (p *printer) attrPath(a scim.AttrPath) {
	if a.URN != "" {
		p.str(a.URN)
		p.byte(':')
	}
	p.str(a.Name)
	if a.Sub != "" {
		p.byte('.')
		p.str(a.Sub)
	}
}

func (p *printer) path(pa Path) {
	p.attrPath(pa.Attr)
	if pa.Filter != nil {
		p.open('[')
		p.expr(pa.Filter)
		p.close(']')
	}
	if pa.Sub != "" {
		p.byte('.')
		p.str(pa.Sub)
	}
}

func (p *printer) value(v Value) {
	switch v.Kind {
	case KindString:
		p.quote(v.Str)
	case KindNumber:
		if v.Str != "" {
			p.str(v.Str)
		} else {
			p.str(strconv.FormatFloat(v.Num, 'g', -1, 64))
		}
	case KindBool:
		if v.Bool {
			p.str("true")
		} else {
			p.str("false")
		}
	default:
		p.str("null")
	}
}

// quote writes s as a JSON string (RFC 8259 §7): '"', '\', the control
// characters and DEL are escaped, everything else is written as is. Invalid UTF-8
// (which Parse never produces) is written as \ufffd.
func (p *printer) quote(s string) {
	p.byte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		p.str(s[start:i])
		switch c {
		case '"':
			p.str(`\"`)
		case '\\':
			p.str(`\\`)
		case '\b':
			p.str(`\b`)
		case '\f':
			p.str(`\f`)
		case '\n':
			p.str(`\n`)
		case '\r':
			p.str(`\r`)
		case '\t':
			p.str(`\t`)
		default:
			if c >= utf8.RuneSelf {
				p.str(`\ufffd`)
			} else {
				const hex = "0123456789abcdef"
				p.str(`\u00`)
				p.byte(hex[c>>4])
				p.byte(hex[c&0xf])
			}
		}
		i++
		start = i
	}
	p.str(s[start:])
	p.byte('"')
}
