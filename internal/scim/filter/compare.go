package filter

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/scim"
)

// FoldCase returns s in the form that Match compares values of attributes
// with caseExact=false (RFC 7644 §3.4.2.2): strings.ToLower, that is
// Unicode simple lower-case mapping rune by rune. A store that compiles
// filters to SQL must compare the same folded forms (for example a column
// computed with FoldCase, or lower() restricted to the same mapping).
func FoldCase(s string) string { return strings.ToLower(s) }

// Problems with a comparison, shared by Check (which reports them) and
// Match (which treats the comparison as false).
const (
	probOp         = "is not a comparison operator"
	probNull       = "null can only be compared with eq or ne"
	probString     = "the attribute is a string; compare it with a JSON string"
	probBinary     = "binary attributes support only eq, ne and pr (RFC 7644 §3.4.2.2)"
	probBinaryVal  = "the attribute is binary; compare it with a JSON string (base64)"
	probBool       = "boolean attributes support only eq, ne and pr (RFC 7644 §3.4.2.2)"
	probBoolVal    = "the attribute is a boolean; compare it with true or false"
	probDateOp     = "dateTime attributes support eq, ne, gt, ge, lt, le and pr, not co, sw or ew"
	probDateVal    = "the attribute is a dateTime; compare it with an RFC 3339 string such as \"2011-05-13T04:42:34Z\""
	probNumOp      = "numeric attributes support eq, ne, gt, ge, lt, le and pr, not co, sw or ew"
	probNumVal     = "the attribute is numeric; compare it with a number"
	probComplex    = "a complex attribute without a \"value\" sub-attribute can only be tested with pr or a value filter; compare one of its sub-attributes"
	probUnknownTyp = "the attribute's type cannot be compared"
)

// compareProblem returns why "attr op v" is not a valid comparison for an
// attribute of type typ, or "" when it is. RFC 7644 §3.4.2.2: gt, ge, lt
// and le on boolean and binary attributes "SHALL cause a failed response
// ... invalidFilter"; Roster also rejects co, sw and ew on every non-string
// type, and literals whose JSON type does not fit the attribute.
func compareProblem(typ scim.Type, op Op, v Value) string {
	var ordering, substring bool
	switch op {
	case OpEq, OpNe:
	case OpGt, OpGe, OpLt, OpLe:
		ordering = true
	case OpCo, OpSw, OpEw:
		substring = true
	default:
		return probOp
	}
	if v.Kind == KindNull {
		if ordering || substring {
			return probNull
		}
		return ""
	}
	switch typ {
	case scim.TypeString, scim.TypeReference:
		if v.Kind != KindString {
			return probString
		}
	case scim.TypeBinary:
		if ordering || substring {
			return probBinary
		}
		if v.Kind != KindString {
			return probBinaryVal
		}
	case scim.TypeBoolean:
		if ordering || substring {
			return probBool
		}
		if v.Kind != KindBool {
			return probBoolVal
		}
	case scim.TypeDateTime:
		if substring {
			return probDateOp
		}
		if v.Kind != KindString {
			return probDateVal
		}
		if _, ok := parseDateTime(v.Str); !ok {
			return probDateVal
		}
	case scim.TypeInteger, scim.TypeDecimal:
		if substring {
			return probNumOp
		}
		if v.Kind != KindNumber {
			return probNumVal
		}
	case scim.TypeComplex:
		return probComplex
	default:
		return probUnknownTyp
	}
	return ""
}

// parseDateTime parses an RFC 3339 date-time (RFC 7643 §2.3.5), with or
// without fractional seconds.
func parseDateTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// operand is a comparison literal prepared for one attribute type, so
// that each value of a multi-valued attribute costs no re-parsing.
type operand struct {
	op   Op // never OpNe: Match evaluates ne as not eq
	typ  scim.Type
	fold bool
	s    string
	t    time.Time
	i    int64
	f    float64
	int  bool
	b    bool
}

// prepare readies the literal v for comparisons with op on values of
// type typ. It returns false when v cannot be compared (compareProblem
// has ruled that out already).
func (o *operand) prepare(typ scim.Type, caseExact bool, op Op, v Value) bool {
	o.op, o.typ = op, typ
	switch typ {
	case scim.TypeString, scim.TypeReference, scim.TypeBinary:
		o.fold = !caseExact
		o.s = v.Str
		if o.fold && op != OpEq {
			o.s = FoldCase(v.Str) // eq folds both sides rune by rune
		}
	case scim.TypeDateTime:
		t, ok := parseDateTime(v.Str)
		if !ok {
			return false
		}
		o.t = t
	case scim.TypeInteger, scim.TypeDecimal:
		o.f = v.Num
		if isIntegerText(v.Str) {
			if i, err := strconv.ParseInt(v.Str, 10, 64); err == nil {
				o.i, o.int = i, true
			}
		}
		if math.IsNaN(o.f) || math.IsInf(o.f, 0) {
			return false
		}
	case scim.TypeBoolean:
		o.b = v.Bool
	default:
		return false
	}
	return true
}

// match compares one value of the attribute with the literal. A value of
// the wrong Go type matches nothing.
func (o *operand) match(v any) bool {
	switch o.typ {
	case scim.TypeString, scim.TypeReference, scim.TypeBinary:
		s, ok := v.(string)
		if !ok {
			return false
		}
		return o.matchString(s)
	case scim.TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, ok := parseDateTime(s)
		if !ok {
			return false
		}
		return o.ordered(t.Compare(o.t))
	case scim.TypeInteger, scim.TypeDecimal:
		c, ok := o.compareNumber(v)
		return ok && o.ordered(c)
	case scim.TypeBoolean:
		b, ok := v.(bool)
		return ok && o.op == OpEq && b == o.b
	}
	return false
}

func (o *operand) matchString(s string) bool {
	if o.fold {
		if o.op == OpEq {
			return foldEqual(s, o.s)
		}
		s = FoldCase(s)
	}
	switch o.op {
	case OpEq:
		return s == o.s
	case OpCo:
		return strings.Contains(s, o.s)
	case OpSw:
		return strings.HasPrefix(s, o.s)
	case OpEw:
		return strings.HasSuffix(s, o.s)
	}
	return o.ordered(strings.Compare(s, o.s))
}

// ordered applies an eq or ordering operator to the result c of comparing
// the attribute's value with the literal.
func (o *operand) ordered(c int) bool {
	switch o.op {
	case OpEq:
		return c == 0
	case OpGt:
		return c > 0
	case OpGe:
		return c >= 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	}
	return false
}

// compareNumber compares a numeric document value with the literal. It
// returns false for a non-numeric value or NaN.
func (o *operand) compareNumber(v any) (int, bool) {
	var i int64
	var f float64
	isInt := true
	switch x := v.(type) {
	case int64:
		i = x
	case int:
		i = int64(x)
	case int32:
		i = int64(x)
	case int16:
		i = int64(x)
	case int8:
		i = int64(x)
	case uint32:
		i = int64(x)
	case uint16:
		i = int64(x)
	case uint8:
		i = int64(x)
	case uint:
		if uint64(x) > math.MaxInt64 {
			f, isInt = float64(x), false
		} else {
			i = int64(x)
		}
	case uint64:
		if x > math.MaxInt64 {
			f, isInt = float64(x), false
		} else {
			i = int64(x)
		}
	case float64:
		f, isInt = x, false
	case float32:
		f, isInt = float64(x), false
	case json.Number:
		if n, err := x.Int64(); err == nil {
			i = n
		} else if n, err := x.Float64(); err == nil {
			f, isInt = n, false
		} else {
			return 0, false
		}
	default:
		return 0, false
	}
	if isInt && o.int {
		switch {
		case i < o.i:
			return -1, true
		case i > o.i:
			return 1, true
		}
		return 0, true
	}
	if isInt {
		f = float64(i)
	}
	switch {
	case math.IsNaN(f):
		return 0, false
	case f < o.f:
		return -1, true
	case f > o.f:
		return 1, true
	}
	return 0, true
}

// foldEqual reports whether FoldCase(a) == FoldCase(b) without
// allocating.
func foldEqual(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		c, d := a[i], b[i]
		if c >= utf8.RuneSelf || d >= utf8.RuneSelf {
			// Non-ASCII from here on: compare rune by rune.
			return foldEqualRunes(a[i:], b[i:])
		}
		if lower(c) != lower(d) {
			return false
		}
	}
	return len(a) == len(b)
}

func foldEqualRunes(a, b string) bool {
	for a != "" && b != "" {
		r, n := utf8.DecodeRuneInString(a)
		q, m := utf8.DecodeRuneInString(b)
		if unicode.ToLower(r) != unicode.ToLower(q) {
			return false
		}
		a, b = a[n:], b[m:]
	}
	return a == "" && b == ""
}
