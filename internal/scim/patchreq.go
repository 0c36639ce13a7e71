package scim

import (
	"encoding/json"
	"strings"
)

// PatchRequest is the body of a PATCH request (RFC 7644 §3.5.2).
type PatchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []PatchOperation `json:"Operations"`
}

// PatchOperation is one operation of a PatchRequest (RFC 7644 §3.5.2). Op
// is kept as sent ("add", "Replace": case is the PATCH engine's concern,
// see Quirks.CaseInsensitiveOps). Path is "" when absent or null. Value is
// the JSON value, nil when absent ("null" when sent as null); decode it
// with UseNumber and CoerceValue. DecodePatchRequest re-encodes it
// compactly with object keys in byte order (of keys repeated exactly, the
// last wins).
type PatchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// DecodePatchRequest reads a PATCH body (RFC 7644 §3.5.2). It checks the
// message structure only: one JSON object within MaxDecodeDepth and
// MaxDecodeValues, an "Operations" array (any letter case; a single
// operation object is accepted as a one-element array) with 1 to maxOps
// operations (maxOps <= 0: no bound), each an object with a non-empty
// string "op", an optional string "path" and an optional "value". The
// "schemas" attribute is read forgivingly: RFC 7644 requires the PatchOp
// URN, but a missing or different list is accepted. Every error is *Error
// 400 invalidSyntax whose detail names the operation, except an operation
// value over MaxResourceAttributes (invalidValue) or MaxMultiValuedItems
// (tooMany).
func DecodePatchRequest(body []byte, maxOps int) (PatchRequest, error) {
	root, err := readJSON(body)
	if err != nil {
		return PatchRequest{}, asSyntax(err)
	}
	keys, vals, ok := members(root)
	if !ok {
		return PatchRequest{}, BadRequest(ErrInvalidSyntax, "PATCH body must be a JSON object with \"schemas\" and \"Operations\", not %s", jsonKind(root))
	}
	var req PatchRequest
	var ops any
	hasOps := false
	for i, k := range keys {
		switch {
		case strings.EqualFold(k, "schemas"):
			req.Schemas = stringList(vals[i])
		case strings.EqualFold(k, "Operations"):
			ops, hasOps = vals[i], true
		}
	}
	if !hasOps || ops == nil {
		return PatchRequest{}, BadRequest(ErrInvalidSyntax, "PATCH body has no \"Operations\" array (RFC 7644 §3.5.2)")
	}
	list, ok := ops.([]any)
	if !ok {
		if _, isObj := ops.(*object); !isObj {
			return PatchRequest{}, BadRequest(ErrInvalidSyntax, "\"Operations\" must be an array of operations, not %s", jsonKind(ops))
		}
		list = []any{ops}
	}
	if len(list) == 0 {
		return PatchRequest{}, BadRequest(ErrInvalidSyntax, "\"Operations\" is empty; a PATCH request needs at least one operation")
	}
	if maxOps > 0 && len(list) > maxOps {
		return PatchRequest{}, BadRequest(ErrInvalidSyntax, "PATCH request has %d operations; at most %d are accepted in one request", len(list), maxOps)
	}
	req.Operations = make([]PatchOperation, 0, len(list))
	for n, item := range list {
		op, err := patchOperation(n+1, item)
		if err != nil {
			return PatchRequest{}, err
		}
		req.Operations = append(req.Operations, op)
	}
	return req, nil
}

func patchOperation(n int, item any) (PatchOperation, error) {
	keys, vals, ok := members(item)
	if !ok {
		return PatchOperation{}, BadRequest(ErrInvalidSyntax, "operation %d must be an object with \"op\", not %s", n, jsonKind(item))
	}
	var op PatchOperation
	var value any
	for i, k := range keys {
		switch {
		case strings.EqualFold(k, "op"):
			s, ok := vals[i].(string)
			if !ok {
				return PatchOperation{}, BadRequest(ErrInvalidSyntax, "operation %d: \"op\" must be a string (\"add\", \"remove\" or \"replace\"), not %s", n, jsonKind(vals[i]))
			}
			op.Op = s
		case strings.EqualFold(k, "path"):
			switch p := vals[i].(type) {
			case nil:
				op.Path = ""
			case string:
				op.Path = p
			default:
				return PatchOperation{}, BadRequest(ErrInvalidSyntax, "operation %d: \"path\" must be a string, not %s", n, jsonKind(vals[i]))
			}
		case strings.EqualFold(k, "value"):
			value = vals[i]
			raw, err := json.Marshal(toPlain(vals[i]))
			if err != nil { // unreachable: plain values always marshal
				return PatchOperation{}, BadRequest(ErrInvalidSyntax, "operation %d: \"value\" cannot be read", n)
			}
			op.Value = raw
		}
	}
	if strings.TrimSpace(op.Op) == "" {
		return PatchOperation{}, BadRequest(ErrInvalidSyntax, "operation %d has no \"op\" (\"add\", \"remove\" or \"replace\")", n)
	}
	if err := checkPatchValue(op.Path, value); err != nil {
		return PatchOperation{}, err
	}
	return op, nil
}

// toPlain converts a value read by readJSON to encoding/json's plain form
// (map[string]any; json.Number kept). For keys repeated in an object the
// last one wins.
func toPlain(v any) any {
	switch t := v.(type) {
	case *object:
		m := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			m[k] = toPlain(t.vals[i])
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = toPlain(e)
		}
		return out
	}
	return v
}

// stringList reads a JSON string or array of strings, skipping anything
// else.
func stringList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// asSyntax reports limit errors of readJSON as invalidSyntax, the one
// scimType of message-structure errors.
func asSyntax(err error) error {
	if e, ok := AsError(err); ok && e.Type != ErrInvalidSyntax {
		return BadRequest(ErrInvalidSyntax, "%s", e.Detail)
	}
	return err
}
