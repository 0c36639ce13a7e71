package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The admin page gets /admin and everything under it; a browser's GET /
// is sent there; every other request reaches the Roster handler as sent.
func TestWithAdminUI(t *testing.T) {
	tag := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Handler", name) })
	}
	h := withAdminUI(tag("api"), tag("ui"))
	cases := []struct {
		method, path, handler, location string
	}{
		{"GET", "/admin", "ui", ""},
		{"GET", "/admin/", "ui", ""},
		{"POST", "/admin/t/acme/scim/keys", "ui", ""},
		{"GET", "/", "", "/admin/"},
		{"HEAD", "/", "", "/admin/"},
		{"POST", "/", "api", ""},
		{"GET", "/administrator", "api", ""},
		{"GET", "/scim/v2/Users", "api", ""},
		{"GET", "/scim/v2//Users", "api", ""},
		{"GET", "/api/v1/me", "api", ""},
		{"GET", "/healthz", "api", ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if got := rec.Header().Get("X-Handler"); got != c.handler || rec.Header().Get("Location") != c.location {
			t.Errorf("%s %s: handler %q location %q, want %q %q", c.method, c.path, got, rec.Header().Get("Location"), c.handler, c.location)
		}
	}
}
