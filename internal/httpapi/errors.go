package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// This file is the only place that turns errors into responses. Use cases
// return *scim.Error (a status and scimType of RFC 7644 §3.12) or
// *core.Error (a Kind that picks the status, a Code that is the scimType
// when it is one, a Message safe to show). Anything else is an internal
// error: it is logged with the request id, and the client gets a generic
// 500 that quotes the id — never the error's text.

// scimTypes are the scimType values of RFC 7644 §3.12 Table 9 and RFC
// 9865 §3 that a response may carry.
var scimTypes = map[string]bool{
	scim.ErrInvalidFilter: true, scim.ErrTooMany: true, scim.ErrUniqueness: true,
	scim.ErrMutability: true, scim.ErrInvalidSyntax: true, scim.ErrInvalidPath: true,
	scim.ErrNoTarget: true, scim.ErrInvalidValue: true, scim.ErrInvalidVers: true,
	scim.ErrSensitive: true, scim.ErrInvalidCursor: true, scim.ErrExpiredCursor: true,
	scim.ErrInvalidCount: true,
}

// kindStatus maps core error kinds to HTTP statuses.
var kindStatus = map[core.Kind]int{
	core.KindInvalid:         http.StatusBadRequest,
	core.KindUnauthenticated: http.StatusUnauthorized,
	core.KindForbidden:       http.StatusForbidden,
	core.KindNotFound:        http.StatusNotFound,
	core.KindConflict:        http.StatusConflict,
	core.KindPrecondition:    http.StatusPreconditionFailed,
	core.KindTooLarge:        http.StatusRequestEntityTooLarge,
	core.KindRateLimited:     http.StatusTooManyRequests,
	core.KindUnavailable:     http.StatusServiceUnavailable,
}

// errPanic stands for a recovered panic (its value is logged, not shown).
var errPanic = errors.New("httpapi: panic in handler")

// classify maps an error to a status, scimType and client-safe detail;
// internal is true when the error must be logged and its text hidden.
func classify(err error) (status int, scimType, detail string, internal bool) {
	var se *scim.Error
	var ce *core.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se):
		status, scimType, detail = se.Status, se.Type, se.Detail
		if status < 400 || status > 599 {
			return http.StatusInternalServerError, "", "", true
		}
		if status >= 500 {
			internal = true
		}
		return status, scimType, detail, internal
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "", fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit), false
	case errors.As(err, &ce):
		status, ok := kindStatus[ce.Kind]
		if !ok {
			return http.StatusInternalServerError, "", "", true
		}
		if scimTypes[ce.Code] {
			scimType = ce.Code
		} else if status == http.StatusBadRequest {
			scimType = scim.ErrInvalidValue
		}
		return status, scimType, ce.Message, status >= 500
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "", "the request took too long; retry", false
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "", "the request was cancelled", false
	}
	return http.StatusInternalServerError, "", "", true
}

// errorBody returns the status and SCIM error body of err for the request
// r, logging internal errors with the request id.
func (a *api) errorBody(r *http.Request, err error) (int, scim.ErrorResponse) {
	status, scimType, detail, internal := classify(err)
	if internal {
		a.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestID(r)),
			slog.String("route", routeOf(r)),
			slog.Int("status", status),
			slog.String("err", err.Error()),
		)
		if status == http.StatusInternalServerError || detail == "" {
			detail = "internal server error; quote request id " + requestID(r) + " to the operator"
		}
	}
	return status, (&scim.Error{Status: status, Type: scimType, Detail: detail}).Response()
}

// writeError writes err as a SCIM error response (RFC 7644 §3.12), with
// WWW-Authenticate on 401 (RFC 6750 §3) and Retry-After on 429 and 503.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := a.errorBody(r, err)
	h := w.Header()
	h.Del("ETag")
	h.Del("Location")
	switch status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="roster"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		h.Set("Retry-After", "1")
	}
	writeJSON(w, status, body)
}

// bulkErrorResponse returns the status and JSON body of a failed Bulk
// operation (RFC 7644 §3.7.3: the operation's "response").
func (a *api) bulkErrorResponse(r *http.Request, err error) (string, json.RawMessage) {
	status, body := a.errorBody(r, err)
	raw, mErr := json.Marshal(body)
	if mErr != nil { // unreachable: an ErrorResponse always marshals
		raw = nil
	}
	return strconv.Itoa(status), raw
}

// routeOf returns the request's route pattern, for logs.
func routeOf(r *http.Request) string {
	if info := requestInfo(r); info != nil && info.route != "" {
		return info.route
	}
	return "unmatched"
}

// errNoRoute is the 404 of a path with no endpoint.
func errNoRoute(r *http.Request) error {
	p := r.URL.Path
	if len(p) > 100 {
		p = p[:100] + "…"
	}
	return core.NotFound("no SCIM endpoint at %q; the SCIM base URL is %s", p, SCIMPrefix)
}

// errMethod is the 405 of a path whose endpoint takes other methods.
func errMethod(r *http.Request, allow []string) error {
	return scim.Errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", "))
}

// errUnsupportedMedia is the 415 of a body that is not JSON.
func errUnsupportedMedia(ct string) error {
	if len(ct) > 100 {
		ct = ct[:100] + "…"
	}
	return scim.Errorf(http.StatusUnsupportedMediaType, "", "request bodies must be application/scim+json or application/json, not %q", ct)
}

// errUnavailable is a 503 whose cause is logged.
func errUnavailable(cause error) error {
	return &core.Error{Kind: core.KindUnavailable, Message: "the service is not ready; retry", Err: cause}
}
