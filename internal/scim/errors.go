package scim

import (
	"errors"
	"fmt"
	"strconv"
)

// The scimType values of RFC 7644 §3.12, Table 9.
const (
	ErrInvalidFilter = "invalidFilter"
	ErrTooMany       = "tooMany"
	ErrUniqueness    = "uniqueness"
	ErrMutability    = "mutability"
	ErrInvalidSyntax = "invalidSyntax"
	ErrInvalidPath   = "invalidPath"
	ErrNoTarget      = "noTarget"
	ErrInvalidValue  = "invalidValue"
	ErrInvalidVers   = "invalidVers"
	ErrSensitive     = "sensitive"
)

// Error is a SCIM protocol error (RFC 7644 §3.12): an HTTP status, an
// optional scimType and a human-readable detail that is safe to show to the
// client. It never carries internal error text.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Type is the scimType, or "" when RFC 7644 defines none for the case.
	Type string
	// Detail is a message for the client's administrator.
	Detail string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("scim %d %s: %s", e.Status, e.Type, e.Detail)
	}
	return fmt.Sprintf("scim %d: %s", e.Status, e.Detail)
}

// Errorf returns an *Error with the given status, scimType and a detail
// built from format and args.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

// AsError reports whether err wraps an *Error and returns it.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// ErrorSchema is the schema URN of a SCIM error response (RFC 7644 §3.12).
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// ErrorResponse is the JSON body of a SCIM error (RFC 7644 §3.12). Status is
// a string on the wire, as the RFC's examples show.
type ErrorResponse struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// Response returns the wire form of e.
func (e *Error) Response() ErrorResponse {
	return ErrorResponse{
		Schemas:  []string{ErrorSchema},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.Type,
		Detail:   e.Detail,
	}
}

// BadRequest returns a 400 *Error with the given scimType.
func BadRequest(scimType, format string, args ...any) *Error {
	return Errorf(400, scimType, format, args...)
}
