// Package roster is the Go SDK of Roster for host applications: the wire
// types of the admin REST API (/api/v1) and of the change feed, and a small
// client for both.
//
// A host application usually authenticates with a personal API token
// ("rpt_...", created by a team administrator) and follows its team's
// change feed:
//
//	c, err := roster.NewClient("https://roster.example.com", roster.WithToken(token))
//	...
//	page, err := c.Events(ctx, "acme", cursor, 100)
//	for _, ev := range page.Events { ... }
//	cursor = page.NextCursor // store it with the effects of the events
//
// Every error the API returns is an *Error carrying the HTTP status, a
// stable machine-readable Code and a human Message.
//
// The package uses the standard library only and never imports Roster's
// internal packages, so host applications can depend on it cheaply.
package roster

import (
	"errors"
	"fmt"
)

// APIPrefix is the path prefix of the admin REST API.
const APIPrefix = "/api/v1"

// SessionCookie is the name of the cookie that carries a browser session.
const SessionCookie = "roster_session"

// CSRFHeader is the request header that must carry the session's CSRF token
// on every cookie-authenticated POST, PUT, PATCH and DELETE.
const CSRFHeader = "X-CSRF-Token"

// Error codes the API returns in Error.Code. Use cases may return more
// specific codes (for example "lastSuperAdmin" or "scimManaged"); the
// generic ones below are always one of these when nothing more specific
// applies.
const (
	CodeInvalid         = "invalid"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "notFound"
	CodeConflict        = "conflict"
	CodeMethod          = "methodNotAllowed"
	CodeTooLarge        = "tooLarge"
	CodeUnsupportedType = "unsupportedMediaType"
	CodeRateLimited     = "rateLimited"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
	CodeCSRF            = "csrf"
)

// ErrorBody is the JSON body of every error response:
// {"error":{"code":"forbidden","message":"...","requestId":"..."}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is an error answered by the API. Status is the HTTP status (it is
// not part of the JSON body); Code is stable and machine-readable; Message
// is for people; RequestID quotes the request to the operator.
type Error struct {
	Status    int    `json:"-"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestId,omitempty"`
}

// Error implements error.
func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("roster: %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("roster: %s: %s", e.Code, e.Message)
}

// ErrorCode returns the Code of the *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ErrorStatus returns the HTTP status of the *Error in err's chain, or 0.
func ErrorStatus(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
