package scim

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The scimType values that RFC 9865 §5 adds to RFC 7644 §3.12 for cursor
// pagination.
const (
	// ErrInvalidCursor: the cursor is not valid for this query (400).
	ErrInvalidCursor = "invalidCursor"
	// ErrExpiredCursor: the cursor has expired (400).
	ErrExpiredCursor = "expiredCursor"
	// ErrInvalidCount: count is not valid, e.g. changed between pages (400).
	ErrInvalidCount = "invalidCount"
)

// Sort orders of RFC 7644 §3.4.2.3.
const (
	SortAscending  = "ascending"
	SortDescending = "descending"
)

// SearchRequest holds the query parameters of a GET on a resource endpoint
// (RFC 7644 §3.4.2) or the body of POST /.search (RFC 7644 §3.4.3), plus
// RFC 9865's "cursor". Read it with DecodeSearchRequest or
// SearchRequestFromQuery; both apply the RFC's interpretations: a
// startIndex below 1 is 1, a negative count is 0 (RFC 7644 §3.4.2.4), and
// sortOrder is lower-cased.
type SearchRequest struct {
	Schemas            []string `json:"schemas,omitempty"`
	Attributes         []string `json:"attributes,omitempty"`
	ExcludedAttributes []string `json:"excludedAttributes,omitempty"`
	Filter             string   `json:"filter,omitempty"`
	SortBy             string   `json:"sortBy,omitempty"`
	// SortOrder is "ascending", "descending" or "" (not given).
	SortOrder string `json:"sortOrder,omitempty"`
	// StartIndex is nil when not given (index pagination from 1, or cursor
	// pagination per RFC 9865).
	StartIndex *int `json:"startIndex,omitempty"`
	// Count is nil when not given (the server's default page size); 0
	// asks for totalResults only.
	Count *int `json:"count,omitempty"`
	// Cursor is RFC 9865's cursor; nil when not given, "" asks for the
	// first page of a cursor-paginated result.
	Cursor *string `json:"cursor,omitempty"`
}

// DecodeSearchRequest reads a POST /.search body (RFC 7644 §3.4.3).
// Parameter names are case-insensitive; startIndex and count may be JSON
// numbers or numeric strings; attributes and excludedAttributes may be
// arrays of names or comma-separated strings. "schemas" is not enforced.
// Errors are *Error 400: invalidSyntax for a body that is not a JSON
// object, invalidValue for a parameter of the wrong type.
func DecodeSearchRequest(body []byte) (SearchRequest, error) {
	root, err := readJSON(body)
	if err != nil {
		return SearchRequest{}, asSyntax(err)
	}
	keys, vals, ok := members(root)
	if !ok {
		return SearchRequest{}, BadRequest(ErrInvalidSyntax, "search request body must be a JSON object, not %s", jsonKind(root))
	}
	var sr SearchRequest
	for i, k := range keys {
		v := vals[i]
		if v == nil {
			continue
		}
		if strings.EqualFold(k, "schemas") {
			sr.Schemas = stringList(v)
			continue
		}
		if err := sr.set(k, v); err != nil {
			return SearchRequest{}, err
		}
	}
	return sr, nil
}

// SearchRequestFromQuery reads the query parameters of a GET on a resource
// endpoint (RFC 7644 §3.4.2; pass a url.Values). Parameter names are
// matched case-insensitively; the first value of each is used. Errors are
// *Error 400 invalidValue.
func SearchRequestFromQuery(query map[string][]string) (SearchRequest, error) {
	var sr SearchRequest
	for k, vs := range query {
		if len(vs) == 0 {
			continue
		}
		if err := sr.set(k, vs[0]); err != nil {
			return SearchRequest{}, err
		}
	}
	return sr, nil
}

// set assigns one parameter; v is a string (query) or a JSON value (body).
func (sr *SearchRequest) set(k string, v any) error {
	switch strings.ToLower(k) {
	case "attributes":
		l, err := nameList(k, v)
		sr.Attributes = l
		return err
	case "excludedattributes":
		l, err := nameList(k, v)
		sr.ExcludedAttributes = l
		return err
	case "filter":
		return stringParam(k, v, &sr.Filter)
	case "sortby":
		return stringParam(k, v, &sr.SortBy)
	case "sortorder":
		var s string
		if err := stringParam(k, v, &s); err != nil {
			return err
		}
		switch {
		case s == "":
		case strings.EqualFold(s, SortAscending):
			sr.SortOrder = SortAscending
		case strings.EqualFold(s, SortDescending):
			sr.SortOrder = SortDescending
		default:
			return BadRequest(ErrInvalidValue, "sortOrder must be \"ascending\" or \"descending\", not %q", s)
		}
	case "startindex":
		n, err := intParam(k, v)
		if err != nil {
			return err
		}
		n = max(n, 1)
		sr.StartIndex = &n
	case "count":
		n, err := intParam(k, v)
		if err != nil {
			return err
		}
		n = max(n, 0)
		sr.Count = &n
	case "cursor":
		var s string
		if err := stringParam(k, v, &s); err != nil {
			return err
		}
		sr.Cursor = &s
	}
	return nil
}

func stringParam(k string, v any, dst *string) error {
	s, ok := v.(string)
	if !ok {
		return BadRequest(ErrInvalidValue, "%s must be a string, not %s", k, jsonKind(v))
	}
	*dst = s
	return nil
}

func nameList(k string, v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return ParseAttrList(t), nil
	case []any:
		var out []string
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, BadRequest(ErrInvalidValue, "%s must be a list of attribute names", k)
			}
			out = append(out, ParseAttrList(s)...)
		}
		return out, nil
	}
	return nil, BadRequest(ErrInvalidValue, "%s must be a list of attribute names, not %s", k, jsonKind(v))
}

// intParam reads an integer given as a JSON number or a numeric string;
// it must be whole. Values beyond the int32 range are clamped to it.
func intParam(k string, v any) (int, error) {
	var text string
	switch t := v.(type) {
	case json.Number:
		text = string(t)
	case string:
		text = strings.TrimSpace(t)
	default:
		return 0, BadRequest(ErrInvalidValue, "%s must be an integer, not %s", k, jsonKind(v))
	}
	f, err := strconv.ParseFloat(text, 64)
	if !isJSONNumber(text) || (err != nil && !isRangeErr(err)) || f != math.Trunc(f) {
		return 0, BadRequest(ErrInvalidValue, "%s must be an integer, not %q", k, text)
	}
	return int(max(min(f, math.MaxInt32), math.MinInt32)), nil
}

// isJSONNumber reports whether s has the number syntax of RFC 8259 §6.
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}
