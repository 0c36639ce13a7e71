package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"check"},
		{"check", "--base", "http://127.0.0.1:1/scim/v2", "--idp", "ping"},
		{"check", "--base", "not a url"},
		{"check", "--base", "http://x/scim/v2", "stray"},
	} {
		_, _, err := runCLI(t, args...)
		var u usageError
		if !errors.As(err, &u) || exitCode(err) != 2 {
			t.Errorf("roster %v: err = %v, want a usage error", args, err)
		}
	}
}

// TestCheckPlainTextServer: a server answering plain-text errors fails the
// check with exit status 1 and an explanation on stdout.
func TestCheckPlainTextServer(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "Unauthorized")
	}))
	defer ts.Close()
	for _, idp := range []string{"okta", "entra", "onelogin", "generic"} {
		out, _, err := runCLI(t, "check", "--base", ts.URL+"/scim/v2", "--token", "secret-key", "--idp", idp)
		if err == nil || exitCode(err) != 1 {
			t.Errorf("%s: err = %v, want exit status 1", idp, err)
		}
		for _, want := range []string{"[FAIL]", "401", "not a SCIM error", "verdict: FAILED"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", idp, want, out)
			}
		}
		if strings.Contains(out, "secret-key") {
			t.Errorf("%s: the key is printed", idp)
		}
	}
}

// TestCheckOK: a server answering like an empty SCIM service passes (exit
// status 0).
func TestCheckOK(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") {
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],"patch":{"supported":true}}`)
			return
		}
		_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":0,"startIndex":1,"Resources":[]}`)
	}))
	defer ts.Close()
	for _, idp := range []string{"okta", "entra", "onelogin", "generic"} {
		out, _, err := runCLI(t, "check", "--base", ts.URL+"/scim/v2", "--token", "k", "--idp", idp)
		if err != nil || !strings.Contains(out, "verdict: OK") {
			t.Errorf("%s: err = %v\n%s", idp, err, out)
		}
	}
}
