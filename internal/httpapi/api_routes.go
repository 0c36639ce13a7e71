package httpapi

import (
	"net/http"
	"strconv"

	"github.com/rosterhq/roster/internal/core"
)

// apiHandler handles one admin API route; c is nil on authNone routes. An
// error it returns is written by adminAPI.writeError.
type apiHandler func(w http.ResponseWriter, r *http.Request, c *caller) error

// apiRoute is one row of the route table: what registers the handler and
// what documents it in the OpenAPI document.
type apiRoute struct {
	Method string
	// Path is relative to /api/v1, with {name} parameters (the syntax of
	// both net/http patterns and OpenAPI path templates).
	Path        string
	OpID        string
	Tag         string
	Summary     string
	Description string
	Auth        authMode
	Query       []apiParam
	// Body is a zero value of the request body type, nil for none;
	// OptionalBody allows an empty body.
	Body         any
	OptionalBody bool
	// Resp is a zero value of the response type; nil with Status 204 means
	// no body. RawTypes lists media types of a non-JSON answer (exports).
	Resp       any
	RawTypes   []string
	Status     int
	SetsCookie bool
	h          apiHandler
}

// register adds a route to the mux.
func (h *adminAPI) register(rt apiRoute) {
	pattern := rt.Method + " " + APIPrefix + rt.Path
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var c *caller
		var err error
		if rt.Auth == authRequired {
			c, err = h.authenticate(r)
		} else if unsafe(r.Method) {
			err = h.checkOrigin(r)
		}
		if err == nil {
			err = rt.h(w, r, c)
		}
		if err != nil {
			h.writeError(w, r, err)
		}
	})
}

// Common query parameters.
var (
	qCursor = apiParam{Name: "cursor", Type: "string", Description: "the nextCursor of the previous page"}
	qLimit  = apiParam{Name: "limit", Type: "integer", Description: "page size, 1-1000 (default 100)"}
)

// routeTable is every route of /api/v1.
func (h *adminAPI) routeTable() []apiRoute {
	rs := []apiRoute{
		{Method: "GET", Path: "/openapi.json", OpID: "getOpenAPI", Tag: "meta", Auth: authNone,
			Summary: "This OpenAPI 3.1 document", Resp: map[string]any{}, h: h.getOpenAPI},
	}
	rs = append(rs, h.accountRoutes()...)
	rs = append(rs, h.teamRoutes()...)
	rs = append(rs, h.scimRoutes()...)
	rs = append(rs, h.inviteRoutes()...)
	rs = append(rs, h.domainRoutes()...)
	rs = append(rs, h.auditRoutes()...)
	rs = append(rs, h.groupRoutes()...)
	rs = append(rs, h.dataRoutes()...)
	rs = append(rs, h.sessionUIRoutes()...)
	rs = append(rs, h.scimCheckRoutes()...)
	return rs
}

// getOpenAPI serves the OpenAPI document.
func (h *adminAPI) getOpenAPI(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	hd := w.Header()
	hd.Set("Content-Type", apiJSON)
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(h.openapi)
	return nil
}

// queryLimit reads the limit parameter: 1-1000, default def.
func queryLimit(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, core.Errorf(core.KindInvalid, "invalidLimit", "limit must be an integer from 1 to 1000, not %q", clipped(v))
	}
	return n, nil
}

// team resolves the {team} path parameter as the caller sees it: another
// team's id or slug is 404.
func (h *adminAPI) team(r *http.Request, c *caller) (core.Team, error) {
	return h.adm.TeamFor(r.Context(), c.p, r.PathValue("team"))
}

// created writes a 201 JSON answer.
func created(w http.ResponseWriter, v any) error {
	writeAPI(w, http.StatusCreated, v)
	return nil
}

// ok writes a 200 JSON answer.
func ok(w http.ResponseWriter, v any) error {
	writeAPI(w, http.StatusOK, v)
	return nil
}

// noContent writes a 204.
func noContent(w http.ResponseWriter) error {
	writeNoContent(w)
	return nil
}
