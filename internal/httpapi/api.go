package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

// The admin REST API (/api/v1) lives in the api*.go files: routing and
// errors here, authentication and CSRF in api_auth.go, the route table in
// api_routes.go (from which api_openapi.go generates the OpenAPI 3.1
// document), handlers by area in the other files, and the mapping to the
// wire types of package roster in api_wire.go. Handlers decode, call one
// use case of internal/admin, and encode; authorisation is decided by the
// use cases (core.Principal.Can), never here. Every error is
// {"error":{"code","message","requestId"}} written by adminAPI.writeError.

// APIPrefix is the path under which the admin REST API is served.
const APIPrefix = roster.APIPrefix

// apiJSON is the media type of every admin API response.
const apiJSON = "application/json; charset=utf-8"

// adminAPI is the /api/v1 handler: JSON REST over internal/admin (and
// internal/provision for groups), with its own routing so that unknown
// routes and wrong methods under /api/v1 get the API's error shape.
type adminAPI struct {
	adm     *admin.Service
	prov    *provision.Service
	baseURL string
	maxBody int64
	log     *slog.Logger
	mux     *http.ServeMux
	// patterns are the patterns registered on mux, for the OpenAPI test.
	patterns []string
	openapi  []byte
	// scim is the whole Roster handler (/scim/v2 and its middleware), which
	// the SCIM connection check calls in process (api_scim_check.go).
	scim http.Handler
}

// mountAPI mounts the admin API under /api/v1 on the SCIM handler's mux
// when cfg.Admin is set.
func (a *api) mountAPI(cfg Config) {
	if cfg.Admin == nil {
		return
	}
	h := newAdminAPI(cfg.Admin, a.prov, a.baseURL, a.maxBody, a.log)
	h.scim = a
	a.admin = h
	a.mux.Handle(APIPrefix+"/", h)
}

func newAdminAPI(adm *admin.Service, prov *provision.Service, baseURL string, maxBody int64, log *slog.Logger) *adminAPI {
	h := &adminAPI{adm: adm, prov: prov, baseURL: baseURL, maxBody: maxBody, log: log, mux: http.NewServeMux()}
	for _, rt := range h.routeTable() {
		h.register(rt)
	}
	doc, err := buildOpenAPI(h.routeTable())
	if err != nil { // a bug in the route table; the OpenAPI test catches it
		panic(err)
	}
	h.openapi = doc
	return h
}

// ServeHTTP routes an admin API request; unknown routes are 404 and known
// routes with another method 405 with Allow, both in the API's error
// shape. Panics become a logged 500.
func (h *adminAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer h.recoverPanic(w, r)
	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		if allow := h.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			h.writeError(w, r, statusErr(http.StatusMethodNotAllowed, roster.CodeMethod,
				"method %s is not allowed here; allowed: %s", r.Method, strings.Join(allow, ", ")))
			return
		}
		p := r.URL.Path
		h.writeError(w, r, core.NotFound("no admin API endpoint at %q; see %s/openapi.json", clipped(p), APIPrefix))
		return
	}
	if info := requestInfo(r); info != nil {
		info.route = pattern
	}
	h.mux.ServeHTTP(w, r)
}

func (h *adminAPI) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := h.mux.Handler(r2); p != "" {
			out = append(out, m)
		}
	}
	return out
}

func (h *adminAPI) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // a panic value, compared as net/http does
		panic(v)
	}
	h.log.LogAttrs(r.Context(), slog.LevelError, "panic in handler",
		slog.String("request_id", requestID(r)),
		slog.String("panic", fmt.Sprint(v)),
		slog.String("stack", string(debug.Stack())),
	)
	if sw, ok := w.(*statusWriter); !ok || !sw.wrote {
		h.writeError(w, r, errPanic)
	}
}

// statusError is an error with an explicit HTTP status, for the few
// transport errors (405, 415) that no core.Kind names.
type statusError struct {
	err    *core.Error
	status int
}

func (e *statusError) Error() string { return e.err.Message }

func (e *statusError) Unwrap() error { return e.err }

// statusErr returns an error answered with status, code and a message.
func statusErr(status int, code, format string, args ...any) error {
	return &statusError{err: core.Errorf(core.KindInvalid, code, format, args...), status: status}
}

// defaultCodes is the code of an error whose use case gave none.
var defaultCodes = map[int]string{
	http.StatusBadRequest:            roster.CodeInvalid,
	http.StatusUnauthorized:          roster.CodeUnauthenticated,
	http.StatusForbidden:             roster.CodeForbidden,
	http.StatusNotFound:              roster.CodeNotFound,
	http.StatusMethodNotAllowed:      roster.CodeMethod,
	http.StatusConflict:              roster.CodeConflict,
	http.StatusRequestEntityTooLarge: roster.CodeTooLarge,
	http.StatusUnsupportedMediaType:  roster.CodeUnsupportedType,
	http.StatusTooManyRequests:       roster.CodeRateLimited,
	http.StatusServiceUnavailable:    roster.CodeUnavailable,
	http.StatusInternalServerError:   roster.CodeInternal,
}

// apiClassify maps an error to a status, code and client-safe message.
func apiClassify(err error) (status int, code, msg string, internal bool) {
	var se *statusError
	if errors.As(err, &se) {
		return se.status, se.err.Code, se.err.Message, false
	}
	var scimErr *scim.Error
	if errors.As(err, &scimErr) {
		status, _, msg, internal = classify(err)
		code = scimErr.Type
		return status, code, msg, internal
	}
	status, _, msg, internal = classify(err)
	var ce *core.Error
	if errors.As(err, &ce) && !internal {
		code = ce.Code
	}
	return status, code, msg, internal
}

// writeError writes err as the admin API's one error shape,
// {"error":{"code":...,"message":...,"requestId":...}}. Internal errors are
// logged with the request id and their text is never sent.
func (h *adminAPI) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg, internal := apiClassify(err)
	if internal {
		h.log.LogAttrs(r.Context(), slog.LevelError, "internal error",
			slog.String("request_id", requestID(r)),
			slog.String("route", routeOf(r)),
			slog.Int("status", status),
			slog.String("err", err.Error()),
		)
		if status == http.StatusInternalServerError || msg == "" {
			msg = "internal server error; quote request id " + requestID(r) + " to the operator"
		}
		code = ""
	}
	if code == "" {
		code = defaultCodes[status]
		if code == "" {
			code = "http" + strconv.Itoa(status)
		}
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	hd := w.Header()
	switch status {
	case http.StatusUnauthorized:
		hd.Set("WWW-Authenticate", `Bearer realm="roster"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		hd.Set("Retry-After", "1")
	}
	writeAPI(w, status, roster.ErrorBody{Error: roster.Error{Code: code, Message: msg, RequestID: requestID(r)}})
}

// writeAPI writes v as JSON with the API's content type.
func writeAPI(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal server error"}}` + "\n")
	}
	hd := w.Header()
	hd.Set("Content-Type", apiJSON)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeNoContent answers 204.
func writeNoContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// decode reads a JSON request body into v: at most maxBody bytes, JSON (or
// no content type), one object, no unknown fields. An empty body decodes
// as {} when allowEmpty.
func (h *adminAPI) decode(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	if ct := r.Header.Get("Content-Type"); strings.TrimSpace(ct) != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return statusErr(http.StatusUnsupportedMediaType, roster.CodeUnsupportedType,
				"request bodies must be application/json, not %q", clipped(ct))
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return core.Errorf(core.KindTooLarge, roster.CodeTooLarge, "the request body is larger than %d bytes", mbe.Limit)
		}
		return core.Errorf(core.KindInvalid, "invalidJSON", "the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return core.Errorf(core.KindInvalid, "invalidJSON", "a JSON request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return core.Errorf(core.KindInvalid, "invalidJSON", "the request body is not valid JSON for this endpoint: %s", jsonProblem(err))
	}
	if dec.More() {
		return core.Errorf(core.KindInvalid, "invalidJSON", "the request body must hold one JSON object")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s", clipped(te.Field), te.Type.String())
		}
		return "the body must be a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + clipped(strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return "malformed JSON"
}

// origin returns scheme://host of a URL, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
