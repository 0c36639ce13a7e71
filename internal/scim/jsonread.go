package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
)

// Limits that bound the work a request body can cause before it is
// rejected. They apply to resource bodies (Decode) and to PATCH, search and
// bulk bodies.
const (
	// MaxDecodeDepth is the deepest nesting of JSON objects and arrays
	// accepted in a request body; the top-level object is depth 1. A SCIM
	// resource needs at most 4 (resource, extension, multi-valued
	// attribute, value); PatchOp and BulkRequest bodies need 6.
	MaxDecodeDepth = 8
	// MaxDecodeValues is the largest number of JSON values (objects, arrays
	// and scalars, keys not counted) accepted in one request body: about
	// 30,000 Group members in a POST or PUT. Larger membership changes
	// belong in PATCH requests (RFC 7644 §3.5.2), which cost the size of
	// the change.
	MaxDecodeValues = 100_000
)

// object is a JSON object as read from a request: its members in the order
// they were sent, duplicates included, so that "the last one wins" is
// deterministic when keys differ only in case.
type object struct {
	keys []string
	vals []any
}

// jsonReader reads one JSON value with encoding/json's tokenizer (numbers
// as json.Number), building objects as *object, enforcing MaxDecodeDepth
// and MaxDecodeValues.
type jsonReader struct {
	dec    *json.Decoder
	values int
}

// readJSON parses body as exactly one JSON value. Errors are *Error 400
// invalidSyntax (malformed JSON) or invalidValue (limits). The fast
// reader (jsonparse.go) takes every body it is sure of; the rest is read
// by readJSONSlow, which decides and explains the error.
func readJSON(body []byte) (any, error) {
	if v, ok := parseRequestJSON(body); ok {
		return v, nil
	}
	return readJSONSlow(body)
}

// readJSONSlow is readJSON over encoding/json's tokenizer.
func readJSONSlow(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	r := &jsonReader{dec: dec}
	v, err := r.value(1)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, BadRequest(ErrInvalidSyntax, "request body has data after the JSON value")
	}
	return v, nil
}

func (r *jsonReader) value(depth int) (any, error) {
	tok, err := r.dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	r.values++
	if r.values > MaxDecodeValues {
		return nil, BadRequest(ErrInvalidValue, "request body has more than %d JSON values", MaxDecodeValues)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if depth > MaxDecodeDepth {
		return nil, BadRequest(ErrInvalidValue, "request body nests objects and arrays deeper than %d levels", MaxDecodeDepth)
	}
	switch d {
	case '{':
		o := &object{}
		for r.dec.More() {
			kt, err := r.dec.Token()
			if err != nil {
				return nil, syntaxError(err)
			}
			k, ok := kt.(string)
			if !ok { // unreachable: the tokenizer only yields string keys
				return nil, BadRequest(ErrInvalidSyntax, "request body has an object key that is not a string")
			}
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			o.keys = append(o.keys, k)
			o.vals = append(o.vals, v)
		}
		if _, err := r.dec.Token(); err != nil { // '}'
			return nil, syntaxError(err)
		}
		return o, nil
	case '[':
		a := []any{}
		for r.dec.More() {
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		if _, err := r.dec.Token(); err != nil { // ']'
			return nil, syntaxError(err)
		}
		return a, nil
	default: // unreachable: Token never starts a value with '}' or ']'
		return nil, BadRequest(ErrInvalidSyntax, "request body has an unexpected %q", string(d))
	}
}

// syntaxError turns a tokenizer error into a 400 invalidSyntax. The detail
// is built from the error's kind and offset only.
func syntaxError(err error) *Error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return BadRequest(ErrInvalidSyntax, "request body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest(ErrInvalidSyntax, "request body ends before its JSON value is complete")
	case errors.As(err, &se):
		return BadRequest(ErrInvalidSyntax, "request body is not valid JSON at byte %d: %s", se.Offset, se.Error())
	default:
		return BadRequest(ErrInvalidSyntax, "request body is not valid JSON")
	}
}

// members returns the members of a JSON object held as *object (in
// request order) or as map[string]any (keys sorted, so that the choice
// between keys differing only in case is deterministic). ok is false when
// v is not an object.
func members(v any) (keys []string, vals []any, ok bool) {
	switch o := v.(type) {
	case *object:
		return o.keys, o.vals, true
	case map[string]any:
		keys = make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		vals = make([]any, len(keys))
		for i, k := range keys {
			vals[i] = o[k]
		}
		return keys, vals, true
	}
	return nil, nil, false
}

// jsonKind names the JSON kind of a decoded value for error details.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int64, int32:
		return "a number"
	case *object, map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "an unsupported value"
}
