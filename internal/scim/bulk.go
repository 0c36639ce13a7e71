package scim

import (
	"encoding/json"
	"strings"
)

// BulkRequest is the body of POST /Bulk (RFC 7644 §3.7).
type BulkRequest struct {
	Schemas []string `json:"schemas"`
	// FailOnErrors is the number of errors after which the service
	// provider stops processing; nil when not given (process all).
	FailOnErrors *int            `json:"failOnErrors,omitempty"`
	Operations   []BulkOperation `json:"Operations"`
}

// BulkOperation is one operation of a BulkRequest or BulkResponse (RFC
// 7644 §3.7). Request operations use Method, BulkID, Version, Path and
// Data; response operations use Method, BulkID, Version, Location,
// Response and Status.
type BulkOperation struct {
	// Method is "POST", "PUT", "PATCH" or "DELETE".
	Method string `json:"method"`
	// BulkID is the client's transient identifier; REQUIRED with POST. A
	// later operation refers to the created resource as "bulkId:<BulkID>".
	BulkID string `json:"bulkId,omitempty"`
	// Version is the resource version (ETag) for If-Match semantics.
	Version string `json:"version,omitempty"`
	// Path is the resource path relative to the base URL, e.g. "/Users" or
	// "/Groups/{id}".
	Path string `json:"path,omitempty"`
	// Data is the resource (POST, PUT) or PatchOp body (PATCH).
	Data json.RawMessage `json:"data,omitempty"`
	// Location is the URI of the resource the operation targeted.
	Location string `json:"location,omitempty"`
	// Response is the body of the operation's response, typically a SCIM
	// error (ErrorResponse) when it failed.
	Response json.RawMessage `json:"response,omitempty"`
	// Status is the HTTP status code of the operation, as a string.
	Status string `json:"status,omitempty"`
}

// BulkResponse is the body of a /Bulk response (RFC 7644 §3.7).
type BulkResponse struct {
	Schemas    []string        `json:"schemas"`
	Operations []BulkOperation `json:"Operations"`
}

// NewBulkResponse returns a BulkResponse with its schema URN and the given
// operations (never a null array).
func NewBulkResponse(ops []BulkOperation) BulkResponse {
	if ops == nil {
		ops = []BulkOperation{}
	}
	return BulkResponse{Schemas: []string{BulkResponseSchema}, Operations: ops}
}

// DecodeBulkRequest reads a POST /Bulk body (RFC 7644 §3.7): one JSON
// object within MaxDecodeDepth and MaxDecodeValues with a non-empty
// "Operations" array (names case-insensitive). Each operation needs a
// method (POST, PUT, PATCH or DELETE, any case; returned upper-case) and a
// path; POST needs a bulkId; POST, PUT and PATCH need data. More than
// maxOps operations (maxOps > 0) is *Error 413 (RFC 7644 §3.7.4); other
// errors are *Error 400 invalidSyntax (or invalidValue for a
// failOnErrors that is not an integer).
func DecodeBulkRequest(body []byte, maxOps int) (BulkRequest, error) {
	root, err := readJSON(body)
	if err != nil {
		return BulkRequest{}, asSyntax(err)
	}
	keys, vals, ok := members(root)
	if !ok {
		return BulkRequest{}, BadRequest(ErrInvalidSyntax, "bulk request body must be a JSON object, not %s", jsonKind(root))
	}
	var req BulkRequest
	var list []any
	hasOps := false
	for i, k := range keys {
		switch {
		case strings.EqualFold(k, "schemas"):
			req.Schemas = stringList(vals[i])
		case strings.EqualFold(k, "failOnErrors"):
			if vals[i] == nil {
				continue
			}
			n, err := intParam("failOnErrors", vals[i])
			if err != nil {
				return BulkRequest{}, err
			}
			req.FailOnErrors = &n
		case strings.EqualFold(k, "Operations"):
			l, ok := vals[i].([]any)
			if !ok {
				return BulkRequest{}, BadRequest(ErrInvalidSyntax, "\"Operations\" must be an array, not %s", jsonKind(vals[i]))
			}
			list, hasOps = l, true
		}
	}
	if !hasOps || len(list) == 0 {
		return BulkRequest{}, BadRequest(ErrInvalidSyntax, "bulk request has no operations (RFC 7644 §3.7)")
	}
	if maxOps > 0 && len(list) > maxOps {
		return BulkRequest{}, Errorf(413, "", "bulk request has %d operations; maxOperations is %d", len(list), maxOps)
	}
	req.Operations = make([]BulkOperation, 0, len(list))
	for n, item := range list {
		op, err := bulkOperation(n+1, item)
		if err != nil {
			return BulkRequest{}, err
		}
		req.Operations = append(req.Operations, op)
	}
	return req, nil
}

func bulkOperation(n int, item any) (BulkOperation, error) {
	keys, vals, ok := members(item)
	if !ok {
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d must be an object, not %s", n, jsonKind(item))
	}
	var op BulkOperation
	for i, k := range keys {
		v := vals[i]
		str := func(dst *string) error {
			switch s := v.(type) {
			case nil:
				return nil
			case string:
				*dst = s
				return nil
			}
			return BadRequest(ErrInvalidSyntax, "bulk operation %d: %q must be a string, not %s", n, k, jsonKind(v))
		}
		var err error
		switch strings.ToLower(k) {
		case "method":
			err = str(&op.Method)
			op.Method = strings.ToUpper(op.Method)
		case "bulkid":
			err = str(&op.BulkID)
		case "version":
			err = str(&op.Version)
		case "path":
			err = str(&op.Path)
		case "data":
			if v != nil {
				raw, merr := json.Marshal(toPlain(v))
				if merr != nil { // unreachable
					return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d: data cannot be read", n)
				}
				op.Data = raw
			}
		}
		if err != nil {
			return BulkOperation{}, err
		}
	}
	switch op.Method {
	case "POST", "PUT", "PATCH", "DELETE":
	case "":
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d has no \"method\"", n)
	default:
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d: method %q is not POST, PUT, PATCH or DELETE", n, op.Method)
	}
	if op.Path == "" {
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d has no \"path\"", n)
	}
	if op.Method == "POST" && op.BulkID == "" {
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d: POST requires a \"bulkId\" (RFC 7644 §3.7)", n)
	}
	if op.Method != "DELETE" && op.Data == nil {
		return BulkOperation{}, BadRequest(ErrInvalidSyntax, "bulk operation %d: %s requires \"data\"", n, op.Method)
	}
	return op, nil
}
