package scim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// CoerceValue checks a client-supplied value against attr and returns it
// as the canonical Go value for attr (see the package doc): string for
// string, reference, binary and dateTime; bool; int64; float64;
// map[string]any for a complex value; []any for a multi-valued attribute.
//
// v is a value as produced by encoding/json with UseNumber (json.Number
// for numbers, map[string]any, []any); canonical values (int64, float64,
// int) are accepted too, so CoerceValue is idempotent. The rules:
//
//   - null, an empty array and a complex value with no known sub-attribute
//     are unassigned (RFC 7643 §2.5): the result is nil, nil;
//   - a multi-valued attribute takes an array; a single non-array value is
//     read as a one-element array; null elements are dropped;
//   - a complex value drops unknown sub-attributes and spells the known
//     ones as the schema does (names are case-insensitive, RFC 7643 §2.1);
//     when two keys name the same sub-attribute, the one sorting last wins;
//   - more than one value with "primary": true is invalidValue (RFC 7643
//     §2.4);
//   - a boolean attribute takes true/false, and with q.StringBooleans also
//     "true"/"false" in any letter case (Entra ID, OneLogin);
//   - with q.BareValueForComplex a string, number or boolean given for a
//     complex attribute that has a "value" sub-attribute is read as
//     {"value": v} (Entra ID sends the enterprise manager as a bare id);
//   - an integer must be whole and fit in int64; a decimal must be finite;
//     binary must be base64 (RFC 7643 §2.3.6); dateTime must be an
//     xsd:dateTime (RFC 7643 §2.3.5) and is kept as sent.
//
// CoerceValue applies types only: it does not look at mutability or
// returned. The caller drops readOnly input and writeOnly/returned-never
// values (password) as RFC 7643 §7 and Roster require; StripReadOnly does
// it for sub-attributes. Type errors are *Error 400 invalidValue naming the
// attribute (RFC 7644 §3.12).
func CoerceValue(attr *Attribute, v any, q Quirks) (any, error) {
	c := coercer{q: q}
	return c.attr(attr, attr.Name, v)
}

// StripReadOnly returns v, a canonical value of attr, without the
// sub-attributes a client cannot set: readOnly ones (RFC 7643 §7; e.g. the
// enterprise manager's displayName) and writeOnly or returned-never ones.
// It returns nil when nothing is left. v is not modified.
func StripReadOnly(attr *Attribute, v any) any {
	if !attr.IsComplex() || v == nil {
		return v
	}
	strip := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, sv := range m {
			if sub := attr.Sub(k); sub != nil && !clientSettable(sub) {
				continue
			}
			out[k] = sv
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	switch t := v.(type) {
	case map[string]any:
		if m := strip(t); m != nil {
			return m
		}
		return nil
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				if m = strip(m); m != nil {
					out = append(out, m)
				}
				continue
			}
			out = append(out, e)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// clientSettable reports whether a client's value for a is kept: not
// readOnly (RFC 7643 §7: ignored on input), not writeOnly and not
// returned=never (Roster never keeps a password).
func clientSettable(a *Attribute) bool {
	return a.Mutability != ReadOnly && a.Mutability != WriteOnly && a.Returned != ReturnedNever
}

// coercer carries the options of one coercion.
type coercer struct {
	q Quirks
	// strip drops sub-attributes that are not clientSettable (Decode).
	strip bool
}

func (c *coercer) attr(a *Attribute, path string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued {
		if _, isArray := v.([]any); isArray {
			return nil, BadRequest(ErrInvalidValue, "attribute %q takes a single value, not an array", path)
		}
		return c.single(a, path, v)
	}
	items, isArray := v.([]any)
	if !isArray {
		items = []any{v}
	}
	out := make([]any, 0, len(items))
	primaries := 0
	for _, it := range items {
		if it == nil {
			continue
		}
		cv, err := c.single(a, path, it)
		if err != nil {
			return nil, err
		}
		if cv == nil {
			continue
		}
		if m, ok := cv.(map[string]any); ok && m["primary"] == true {
			primaries++
		}
		out = append(out, cv)
	}
	if primaries > 1 {
		return nil, BadRequest(ErrInvalidValue, "attribute %q has %d values with \"primary\": true; at most one is allowed (RFC 7643 §2.4)", path, primaries)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (c *coercer) single(a *Attribute, path string, v any) (any, error) {
	if a.Type == TypeComplex {
		return c.complex(a, path, v)
	}
	return c.simple(a.Type, path, v)
}

func (c *coercer) complex(a *Attribute, path string, v any) (any, error) {
	keys, vals, ok := members(v)
	if !ok {
		if _, isArray := v.([]any); !isArray && c.q.BareValueForComplex && a.Sub("value") != nil {
			keys, vals = []string{"value"}, []any{v}
		} else {
			return nil, BadRequest(ErrInvalidValue, "attribute %q must be an object, not %s", path, jsonKind(v))
		}
	}
	out := make(map[string]any, len(keys))
	for i, k := range keys {
		sub := a.Sub(k)
		if sub == nil || (c.strip && !clientSettable(sub)) {
			continue
		}
		if sub.Type == TypeComplex { // not allowed by RFC 7643 §2.3.8; never in Roster's schemas
			continue
		}
		cv, err := c.attr(sub, path+"."+sub.Name, vals[i])
		if err != nil {
			return nil, err
		}
		if cv == nil {
			delete(out, sub.Name)
			continue
		}
		out[sub.Name] = cv
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (c *coercer) simple(t Type, path string, v any) (any, error) {
	bad := func(want string) error {
		return BadRequest(ErrInvalidValue, "attribute %q must be %s, not %s", path, want, jsonKind(v))
	}
	switch t {
	case TypeString, TypeReference:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, bad("a string")
	case TypeBinary:
		s, ok := v.(string)
		if !ok {
			return nil, bad("a base64 string")
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			if _, err := base64.RawStdEncoding.DecodeString(s); err != nil {
				return nil, BadRequest(ErrInvalidValue, "attribute %q must be base64-encoded binary (RFC 7643 §2.3.6)", path)
			}
		}
		return s, nil
	case TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return nil, bad("a dateTime string")
		}
		if !validDateTime(s) {
			return nil, BadRequest(ErrInvalidValue, "attribute %q must be an xsd:dateTime such as 2008-01-23T04:56:22Z (RFC 7643 §2.3.5)", path)
		}
		return s, nil
	case TypeBoolean:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			if c.q.StringBooleans {
				switch {
				case strings.EqualFold(b, "true"):
					return true, nil
				case strings.EqualFold(b, "false"):
					return false, nil
				}
			}
		}
		return nil, bad("true or false")
	case TypeInteger:
		f, ok := number(v)
		if !ok {
			return nil, bad("an integer")
		}
		if n, isInt := v.(int64); isInt {
			return n, nil
		}
		if s, isNum := v.(json.Number); isNum {
			if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
				return n, nil
			}
		}
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return nil, BadRequest(ErrInvalidValue, "attribute %q must be a whole number that fits in 64 bits", path)
		}
		return int64(f), nil
	case TypeDecimal:
		f, ok := number(v)
		if !ok {
			return nil, bad("a number")
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, BadRequest(ErrInvalidValue, "attribute %q is out of range", path)
		}
		return f, nil
	}
	return nil, BadRequest(ErrInvalidValue, "attribute %q has an unsupported type %q", path, t)
}

// number returns the float64 value of a JSON number in any of the forms
// CoerceValue accepts.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil && !isRangeErr(err) {
			return 0, false
		}
		return f, true // ±Inf on overflow: rejected by the caller
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

func isRangeErr(err error) bool { return errors.Is(err, strconv.ErrRange) }

// validDateTime accepts xsd:dateTime values: RFC 3339 date-times with or
// without fractional seconds, and without a time zone (XML Schema allows
// it; RFC 7643 §2.3.5 recommends UTC).
func validDateTime(s string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
