package filter

import (
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2) with DefaultLimits.
//
// It accepts the grammar of RFC 7644 Figure 1 with errata 7322 (a value
// filter may contain parentheses and "not"), case-insensitive operators,
// keywords and literals ("USERNAME EQ", "True", "NULL"), and any amount of
// whitespace between tokens. Precedence is not > and > or; and and or are
// left-associative; "not" must be followed by a parenthesised filter.
// Value filters cannot be nested ("a[b[c pr]]"), and the attribute names
// inside them are sub-attribute names without a schema URN or a further
// ".sub". The non-standard "attr[filter].sub op value" that Entra ID and
// others send is read as "attr[filter and sub op value]".
//
// Every error is a *scim.Error with status 400 and scimType invalidFilter
// whose detail names the problem and its byte offset.
func Parse(s string) (Expr, error) {
	return ParseWithLimits(s, DefaultLimits())
}

// ParseWithLimits is Parse with explicit limits (zero fields mean the
// defaults). Input longer than l.MaxLength, nested deeper than l.MaxDepth
// or with more than l.MaxTerms comparisons is rejected with invalidFilter
// (RFC 7644 §3.12); the same limits hold for the canonical form, so that
// Parse(e.String()) accepts every e that ParseWithLimits returns.
func ParseWithLimits(s string, l Limits) (Expr, error) {
	l = l.withDefaults()
	if len(s) > l.MaxLength {
		return nil, invalidFilterf("filter is %d bytes long; the limit is %d", len(s), l.MaxLength)
	}
	p := parser{lx: lexer{src: s}, lim: l}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, invalidFilterf("empty filter")
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.trailing("filter")
	}
	if err := checkCanonical(e, nil, l, "filter"); err != nil {
		return nil, err
	}
	return e, nil
}

// checkCanonical applies the length and depth limits to the canonical form
// of e (when path is nil) or of *path.
func checkCanonical(e Expr, path *Path, l Limits, what string) error {
	var pr printer
	pr.count = true
	if path != nil {
		pr.path(*path)
	} else {
		pr.expr(e)
	}
	if pr.n > l.MaxLength {
		return invalidFilterf("the canonical form of the %s is %d bytes long; the limit is %d", what, pr.n, l.MaxLength)
	}
	if pr.maxDepth > l.MaxDepth {
		return invalidFilterf("%s nested too deeply: its canonical form has %d levels; the limit is %d", what, pr.maxDepth, l.MaxDepth)
	}
	return nil
}

// parser is a recursive-descent parser over the tokens of lexer. tok is
// the current token; the lexer is positioned just after it.
type parser struct {
	lx    lexer
	tok   token
	lim   Limits
	depth int
	terms int
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// word returns the text of the current token.
func (p *parser) word() string { return p.lx.src[p.tok.pos:p.tok.end] }

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.word(), kw)
}

// enter opens a nesting level at offset pos. It is called before the
// parser recurses, so the stack depth is bounded by MaxDepth.
func (p *parser) enter(pos int) error {
	if p.depth >= p.lim.MaxDepth {
		return invalidFilterf("filter nested too deeply at offset %d; the limit is %d levels of parentheses, \"not\" and value filters", pos, p.lim.MaxDepth)
	}
	p.depth++
	return nil
}

// trailing reports a token after a complete filter (or path).
func (p *parser) trailing(what string) error {
	switch p.tok.kind {
	case tokRParen:
		return invalidFilterf("unexpected \")\" at offset %d; there is no \"(\" to close", p.tok.pos)
	case tokRBrack:
		return invalidFilterf("unexpected \"]\" at offset %d; there is no \"[\" to close", p.tok.pos)
	}
	return unexpected(p.lx.src, p.tok, "\"and\", \"or\" or the end of the "+what)
}

// parseOr parses FILTER *("or" FILTER) with and-terms as operands.
func (p *parser) parseOr(inBr bool) (Expr, error) {
	left, err := p.parseAnd(inBr)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.parseAnd(inBr)
		if err != nil {
			return nil, err
		}
		left = &Or{Left: left, Right: right}
	}
	return left, nil
}

// parseAnd parses unary *("and" unary).
func (p *parser) parseAnd(inBr bool) (Expr, error) {
	left, err := p.parseUnary(inBr)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.parseUnary(inBr)
		if err != nil {
			return nil, err
		}
		left = &And{Left: left, Right: right}
	}
	return left, nil
}

const expectTerm = "an attribute name, \"(\" or \"not\""

// parseUnary parses "(" FILTER ")", "not" "(" FILTER ")", a value path or
// an attribute expression.
func (p *parser) parseUnary(inBr bool) (Expr, error) {
	switch p.tok.kind {
	case tokLParen:
		return p.parseGroup(inBr)
	case tokWord:
		if w := p.word(); strings.EqualFold(w, "and") || strings.EqualFold(w, "or") {
			// An attribute may be named "and" or "or"; the keyword here is
			// an error unless a comparison operator follows.
			if !p.opFollows() {
				return nil, unexpected(p.lx.src, p.tok, expectTerm)
			}
		}
		if strings.EqualFold(p.word(), "not") {
			isNot, err := p.notFollows()
			if err != nil {
				return nil, err
			}
			if isNot {
				if err := p.advance(); err != nil { // now at "("
					return nil, err
				}
				x, err := p.parseGroup(inBr)
				if err != nil {
					return nil, err
				}
				return &Not{X: x}, nil
			}
		}
		return p.parseAttrExp(inBr)
	}
	return nil, unexpected(p.lx.src, p.tok, expectTerm)
}

// notFollows decides whether the current word "not" is the operator (it
// is followed by "(") or an attribute named "not" (it is followed by a
// comparison operator). Anything else is an error: RFC 7644 requires
// parentheses after "not".
func (p *parser) notFollows() (bool, error) {
	save := p.lx.pos
	next, err := p.lx.next()
	p.lx.pos = save
	if err != nil {
		return false, err
	}
	if next.kind == tokLParen {
		return true, nil
	}
	if next.kind == tokWord {
		if _, ok := lookupOp(p.lx.src[next.pos:next.end]); ok {
			return false, nil
		}
	}
	return false, invalidFilterf("\"not\" at offset %d must be followed by \"(\"; found %s at offset %d", p.tok.pos, describe(p.lx.src, next), next.pos)
}

// opFollows reports whether the token after the current one is a
// comparison operator word.
func (p *parser) opFollows() bool {
	save := p.lx.pos
	next, err := p.lx.next()
	p.lx.pos = save
	if err != nil || next.kind != tokWord {
		return false
	}
	_, ok := lookupOp(p.lx.src[next.pos:next.end])
	return ok
}

// parseGroup parses "(" FILTER ")" with the current token at "(". Each
// group, including the one after "not", is one nesting level.
func (p *parser) parseGroup(inBr bool) (Expr, error) {
	open := p.tok.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.parseOr(inBr)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, unexpected(p.lx.src, p.tok, "\"and\", \"or\" or \")\" to close the \"(\" at offset "+strconv.Itoa(open))
	}
	p.depth--
	return x, p.advance()
}

// parseAttrExp parses attrPath "pr", attrPath compareOp compValue, or a
// value path attrPath "[" valFilter "]" (with the non-standard
// "." subAttr compareOp compValue suffix).
func (p *parser) parseAttrExp(inBr bool) (Expr, error) {
	start := p.tok.pos
	path, err := parseAttrPath(p.word(), start, inBr)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokLBrack {
		return p.parseOpValue(path)
	}
	if inBr {
		return nil, invalidFilterf("unexpected \"[\" at offset %d; value filters cannot be nested", p.tok.pos)
	}
	filter, err := p.parseValFilter(path)
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokWord && p.lx.src[p.tok.pos] == '.' {
		// Entra ID: emails[type eq "work"].value eq "x".
		sub, err := parseSubAttr(p.word(), p.tok.pos)
		if err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		cmp, err := p.parseOpValue(scim.AttrPath{Name: sub})
		if err != nil {
			return nil, err
		}
		filter = &And{Left: filter, Right: cmp}
	}
	return &ValuePath{Attr: path, Filter: filter}, nil
}

// parseValFilter parses "[" valFilter "]" after path, with the current
// token at "[", and returns the inner filter.
func (p *parser) parseValFilter(path scim.AttrPath) (Expr, error) {
	open := p.tok.pos
	if path.Sub != "" {
		return nil, invalidFilterf("unexpected \"[\" at offset %d; a value filter must follow an attribute, not the sub-attribute %q", open, path.String())
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	filter, err := p.parseOr(true)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRBrack {
		return nil, unexpected(p.lx.src, p.tok, "\"and\", \"or\" or \"]\" to close the \"[\" at offset "+strconv.Itoa(open))
	}
	p.depth--
	return filter, p.advance()
}

// parseSubAttr reads ".name" (the word w at offset pos) after a value
// filter.
func parseSubAttr(w string, pos int) (string, error) {
	sub := w[1:]
	if !validAttrName(sub) {
		return "", invalidFilterf("invalid sub-attribute %q at offset %d after a value filter; expected \".\" and a sub-attribute name", w, pos)
	}
	return sub, nil
}

// opPr marks "pr" in lookupOp's result; the AST represents it as
// *Present, never as an Op.
const opPr Op = "pr"

const expectOp = "a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr)"

// parseOpValue parses compareOp compValue, or "pr", after path.
func (p *parser) parseOpValue(path scim.AttrPath) (Expr, error) {
	if p.tok.kind != tokWord {
		return nil, unexpected(p.lx.src, p.tok, expectOp)
	}
	op, ok := lookupOp(p.word())
	if !ok {
		return nil, unexpected(p.lx.src, p.tok, expectOp)
	}
	opPos := p.tok.pos
	p.terms++
	if p.terms > p.lim.MaxTerms {
		return nil, invalidFilterf("too many comparisons: the one at offset %d is number %d; the limit is %d", opPos, p.terms, p.lim.MaxTerms)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if op == opPr {
		if p.tok.kind == tokString || p.tok.kind == tokWord && isLiteralWord(p.word()) {
			return nil, invalidFilterf("unexpected %s at offset %d; \"pr\" at offset %d takes no value", describe(p.lx.src, p.tok), p.tok.pos, opPos)
		}
		return &Present{Path: path}, nil
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v}, nil
}

const expectValue = "a value (a JSON string, a number, true, false or null)"

// parseValue parses compValue = false / null / true / number / string
// (RFC 7644 §3.4.2.2). true, false and null are accepted in any case.
func (p *parser) parseValue() (Value, error) {
	var v Value
	switch p.tok.kind {
	case tokString:
		v = Value{Kind: KindString, Str: p.tok.str}
	case tokWord:
		w := p.word()
		switch {
		case strings.EqualFold(w, "true"):
			v = Value{Kind: KindBool, Bool: true}
		case strings.EqualFold(w, "false"):
			v = Value{Kind: KindBool}
		case strings.EqualFold(w, "null"):
			v = Value{Kind: KindNull}
		case isJSONNumber(w):
			f, ok := parseNumber(w)
			if !ok {
				return Value{}, invalidFilterf("number %q at offset %d is out of range", w, p.tok.pos)
			}
			v = Value{Kind: KindNumber, Str: w, Num: f}
		case w[0] == '-' || w[0] >= '0' && w[0] <= '9':
			return Value{}, invalidFilterf("invalid number %q at offset %d; numbers follow the JSON grammar (RFC 8259 §6)", w, p.tok.pos)
		default:
			return Value{}, unexpected(p.lx.src, p.tok, expectValue)
		}
	default:
		return Value{}, unexpected(p.lx.src, p.tok, expectValue)
	}
	return v, p.advance()
}

// isLiteralWord reports whether w would be read as a value.
func isLiteralWord(w string) bool {
	return strings.EqualFold(w, "true") || strings.EqualFold(w, "false") ||
		strings.EqualFold(w, "null") || isJSONNumber(w)
}

// lookupOp maps an operator word, in any case, to its Op; "pr" maps to
// "pr".
func lookupOp(w string) (Op, bool) {
	if len(w) != 2 {
		return "", false
	}
	switch uint16(lower(w[0]))<<8 | uint16(lower(w[1])) {
	case 'e'<<8 | 'q':
		return OpEq, true
	case 'n'<<8 | 'e':
		return OpNe, true
	case 'c'<<8 | 'o':
		return OpCo, true
	case 's'<<8 | 'w':
		return OpSw, true
	case 'e'<<8 | 'w':
		return OpEw, true
	case 'g'<<8 | 't':
		return OpGt, true
	case 'g'<<8 | 'e':
		return OpGe, true
	case 'l'<<8 | 't':
		return OpLt, true
	case 'l'<<8 | 'e':
		return OpLe, true
	case 'p'<<8 | 'r':
		return opPr, true
	}
	return "", false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// parseAttrPath parses attrPath = [URI ":"] ATTRNAME *1subAttr
// (RFC 7644 §3.10) from the word w at offset pos. A URN-qualified path is
// split at its last ':' (URNs contain ':' and '.', as in "2.0"). Inside a
// value filter (inBr) only a bare sub-attribute name is allowed.
func parseAttrPath(w string, pos int, inBr bool) (scim.AttrPath, error) {
	var ap scim.AttrPath
	rest, restPos := w, pos
	if hasURNPrefix(w) {
		if inBr {
			return ap, invalidFilterf("unexpected %q at offset %d; inside a value filter, name a sub-attribute without a schema URN", w, pos)
		}
		i := strings.LastIndexByte(w, ':')
		if !validURN(w[:i]) {
			return ap, invalidFilterf("invalid schema URN %q at offset %d", w[:i], pos)
		}
		ap.URN = w[:i]
		rest, restPos = w[i+1:], pos+i+1
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if !validAttrName(name) {
		if name == "" && ap.URN != "" {
			return ap, invalidFilterf("missing attribute name after schema URN %q at offset %d", ap.URN, restPos)
		}
		return ap, invalidFilterf("invalid attribute name %q at offset %d", name, restPos)
	}
	if hasSub {
		if inBr {
			return ap, invalidFilterf("unexpected %q at offset %d; inside a value filter, name a sub-attribute without a further \".\"", w, pos)
		}
		if !validAttrName(sub) {
			return ap, invalidFilterf("invalid sub-attribute name %q at offset %d", sub, restPos+len(name)+1)
		}
	}
	ap.Name, ap.Sub = name, sub
	return ap, nil
}
