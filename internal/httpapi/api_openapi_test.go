package httpapi_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/provision/provisiontest"
)

// Every operation the served OpenAPI document lists is routed by the
// running server (a request reaches its handler: never the router's 404
// or 405), and a path it does not list is not.
func TestAPIOpenAPIServedAndRouted(t *testing.T) {
	e := startAPI(t, provisiontest.Backends(t)[0])
	r := e.raw("GET", "/api/v1/openapi.json", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json: %v %s", err, doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{[a-z]+\}`)
	routed := func(method, path string) bool {
		r := e.raw(method, path, "", nil)
		var b struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(r.body, &b)
		miss := r.status == 405 || (r.status == 404 && strings.HasPrefix(b.Error.Message, "no admin API endpoint"))
		return !miss
	}
	n := 0
	for p, ops := range doc.Paths {
		for m := range ops {
			path := "/api/v1" + param.ReplaceAllString(p, "x")
			if !routed(strings.ToUpper(m), path) {
				t.Errorf("%s %s is documented but not routed", strings.ToUpper(m), p)
			}
			n++
		}
	}
	if n < 40 {
		t.Fatalf("only %d documented operations", n)
	}
	for _, miss := range [][2]string{{"GET", "/api/v1/nope"}, {"PUT", "/api/v1/me"}, {"GET", "/api/v1/teams/x/nope"}} {
		if routed(miss[0], miss[1]) {
			t.Errorf("%s %s is routed but not documented", miss[0], miss[1])
		}
	}
}

// Transport errors under /api/v1 have the API's one error shape.
func TestAPITransportErrors(t *testing.T) {
	e := startAPI(t, provisiontest.Backends(t)[0])
	wantAPIError(t, e.raw("GET", "/api/v1/nope", "", nil), 404, "notFound", "unknown route")
	r := e.raw("PUT", "/api/v1/me", "", nil)
	wantAPIError(t, r, 405, "methodNotAllowed", "wrong method")
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	wantAPIError(t, e.raw("POST", "/api/v1/session", `{"email":`, nil), 400, "invalidJSON", "truncated JSON")
	wantAPIError(t, e.raw("POST", "/api/v1/session", `{"email":"a@b.c","password":"x","admin":true}`, nil), 400, "invalidJSON", "unknown field")
	wantAPIError(t, e.raw("POST", "/api/v1/session", `{"email":1}`, nil), 400, "invalidJSON", "wrong type")
	wantAPIError(t, e.raw("POST", "/api/v1/session", `{} {}`, nil), 400, "invalidJSON", "two objects")
	wantAPIError(t, e.raw("POST", "/api/v1/session", "", nil), 400, "invalidJSON", "no body")
	wantAPIError(t, e.raw("POST", "/api/v1/session", `{}`, map[string]string{"Content-Type": "text/plain"}), 415, "unsupportedMediaType", "text body")
	big := `{"email":"` + strings.Repeat("a", 2<<20) + `"}`
	wantAPIError(t, e.raw("POST", "/api/v1/session", big, nil), 413, "tooLarge", "huge body")
	wantAPIError(t, e.raw("GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer rsk_whatever"}), 401, "", "a SCIM key on the admin API")
	if s := e.logs.String(); strings.Contains(s, "aaaaaaaaaaaaaaaa") {
		t.Errorf("a request body reached the log")
	}
}
