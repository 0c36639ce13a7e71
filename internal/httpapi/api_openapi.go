package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	roster "github.com/rosterhq/roster"
)

// The OpenAPI 3.1 document of /api/v1 is generated from the route table
// (api_routes.go) and the wire types of package roster, so it cannot
// drift from what is served: paths and methods come from the same table
// that registers the handlers, and schemas are derived by reflection from
// the types the handlers encode and decode. The test in
// api_openapi_test.go checks the served document against the router.

// apiParam is a query parameter of a route.
type apiParam struct {
	Name        string
	Type        string // "string", "integer" or "boolean"
	Format      string // "date-time", ...
	Description string
	Enum        []string
}

// pathParamRE finds the {name} segments of a path template.
var pathParamRE = regexp.MustCompile(`\{([A-Za-z0-9_]+)\}`)

// pathParamDocs describes the path parameters.
var pathParamDocs = map[string]string{
	"team":       "the team's id or slug",
	"member":     "the member's id (the SCIM User id)",
	"invitation": "the invitation's id",
	"key":        "the key's id",
	"token":      "the personal token's id",
	"domain":     "the domain name, such as example.com",
	"group":      "the group's id (the SCIM Group id)",
}

// buildOpenAPI returns the OpenAPI 3.1 document of the routes.
func buildOpenAPI(routes []apiRoute) ([]byte, error) {
	schemas := map[string]any{}
	sg := &schemaGen{defs: schemas}
	errRef := sg.ref(reflect.TypeFor[roster.ErrorBody]())
	paths := map[string]map[string]any{}
	seenOp := map[string]bool{}
	for _, rt := range routes {
		if rt.OpID == "" || seenOp[rt.OpID] {
			return nil, fmt.Errorf("httpapi: route %s %s: missing or duplicate operationId %q", rt.Method, rt.Path, rt.OpID)
		}
		seenOp[rt.OpID] = true
		op := map[string]any{
			"operationId": rt.OpID,
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
		}
		if rt.Description != "" {
			op["description"] = rt.Description
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path, -1) {
			desc, ok := pathParamDocs[m[1]]
			if !ok {
				return nil, fmt.Errorf("httpapi: route %s %s: undocumented path parameter %q", rt.Method, rt.Path, m[1])
			}
			params = append(params, map[string]any{
				"name": m[1], "in": "path", "required": true, "description": desc,
				"schema": map[string]any{"type": "string"},
			})
		}
		for _, q := range rt.Query {
			s := map[string]any{"type": q.Type}
			if q.Format != "" {
				s["format"] = q.Format
			}
			if len(q.Enum) > 0 {
				s["enum"] = q.Enum
			}
			params = append(params, map[string]any{
				"name": q.Name, "in": "query", "required": false, "description": q.Description, "schema": s,
			})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Body != nil {
			op["requestBody"] = map[string]any{
				"required": !rt.OptionalBody,
				"content": map[string]any{
					"application/json": map[string]any{"schema": sg.ref(reflect.TypeOf(rt.Body))},
				},
			}
		}
		status := rt.Status
		if status == 0 {
			status = http.StatusOK
		}
		ok := map[string]any{"description": http.StatusText(status)}
		switch {
		case len(rt.RawTypes) > 0:
			content := map[string]any{}
			for _, mt := range rt.RawTypes {
				content[mt] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			ok["content"] = content
		case rt.Resp != nil:
			ok["content"] = map[string]any{
				"application/json": map[string]any{"schema": sg.ref(reflect.TypeOf(rt.Resp))},
			}
		}
		if rt.SetsCookie {
			ok["headers"] = map[string]any{
				"Set-Cookie": map[string]any{
					"description": "the " + roster.SessionCookie + " session cookie (HttpOnly, SameSite=Lax, Secure over TLS)",
					"schema":      map[string]any{"type": "string"},
				},
			}
		}
		op["responses"] = map[string]any{
			fmt.Sprint(status): ok,
			"default": map[string]any{
				"description": "an error: one JSON shape with a stable code and a human message",
				"content":     map[string]any{"application/json": map[string]any{"schema": errRef}},
			},
		}
		if rt.Auth == authNone {
			op["security"] = []any{}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		m := strings.ToLower(rt.Method)
		if _, dup := paths[rt.Path][m]; dup {
			return nil, fmt.Errorf("httpapi: route %s %s registered twice", rt.Method, rt.Path)
		}
		paths[rt.Path][m] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Roster admin API",
			"version": "1",
			"description": "The admin REST API of Roster: setup, sessions, personal tokens, teams, members, " +
				"invitations, SCIM settings and keys, verified domains, groups, the audit log and the change feed. " +
				"Authenticate with a personal API token (Authorization: Bearer rpt_...) or with the " +
				roster.SessionCookie + " session cookie; cookie-authenticated POST, PUT, PATCH and DELETE requests " +
				"must carry the session's CSRF token in the " + roster.CSRFHeader + " header and, when they send " +
				"an Origin header, this server's origin. Every error is {\"error\":{\"code\",\"message\",\"requestId\"}}.",
		},
		"servers": []any{map[string]any{"url": APIPrefix}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"token": map[string]any{
					"type": "http", "scheme": "bearer", "bearerFormat": "rpt_...",
					"description": "a personal API token",
				},
				"session": map[string]any{
					"type": "apiKey", "in": "cookie", "name": roster.SessionCookie,
					"description": "a browser session made by POST /session or POST /setup",
				},
			},
		},
		"security": []any{map[string]any{"token": []string{}}, map[string]any{"session": []string{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// schemaGen derives JSON Schemas (2020-12, as OpenAPI 3.1 uses) from Go
// types, naming each struct in components.schemas.
type schemaGen struct{ defs map[string]any }

var timeType = reflect.TypeFor[time.Time]()

// ref returns the schema of t: a $ref for named structs.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		s := g.ref(t.Elem())
		if ty, ok := s["type"].(string); ok {
			s["type"] = []string{ty, "null"}
			return s
		}
		return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	panic(fmt.Sprintf("httpapi: no schema for type %s", t))
}

// object returns the schema of a struct from its json tags.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.ref(f.Type)
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}
