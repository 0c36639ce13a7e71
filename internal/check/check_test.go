package check_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/check"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// roster is a running Roster on a backend with one team and its key.
type roster struct {
	url string
	e   *provisiontest.Env
}

func startRoster(t *testing.T, b provisiontest.Backend) roster {
	t.Helper()
	st := b.Open(t)
	e := provisiontest.New(t, st)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	ts := httptest.NewServer(httpapi.New(svc, httpapi.Config{Logger: logger}))
	t.Cleanup(ts.Close)
	return roster{url: ts.URL, e: e}
}

func run(t *testing.T, opts check.Options) (*check.Report, string) {
	t.Helper()
	rep, err := check.Run(context.Background(), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var out bytes.Buffer
	rep.Write(&out)
	return rep, out.String()
}

// TestAgainstRoster: every IdP's check, read-only and with --write,
// passes against Roster and leaves no test data behind.
func TestAgainstRoster(t *testing.T) {
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			r := startRoster(t, b)
			for _, idp := range check.IdPs {
				for _, write := range []bool{false, true} {
					rep, out := run(t, check.Options{Base: r.url + "/scim/v2", Token: r.e.Key, IdP: idp, Write: write})
					if !rep.OK() || !strings.Contains(out, "verdict: OK") {
						t.Errorf("%s write=%v failed:\n%s", idp, write, out)
					}
					if write && !strings.Contains(out, "[PASS] remove the test user") {
						t.Errorf("%s: no cleanup step:\n%s", idp, out)
					}
					if strings.Contains(out, r.e.Key) {
						t.Errorf("%s: the report shows the key", idp)
					}
				}
			}
			// Entra's Tenant URL with the aadOptscim062020 flag works.
			if rep, out := run(t, check.Options{Base: r.url + "/scim/v2?aadOptscim062020", Token: r.e.Key, IdP: check.IdPEntra, Write: true}); !rep.OK() || !strings.Contains(out, "/scim/v2/Users?filter=userName+eq+") || !strings.Contains(out, "&aadOptscim062020") {
				t.Errorf("tenant URL with the flag:\n%s", out)
			}
			// Nothing is left behind: the team has no users or groups.
			rep, out := run(t, check.Options{Base: r.url + "/scim/v2", Token: r.e.Key, IdP: check.IdPOkta})
			if !rep.OK() || !strings.Contains(out, "the list is empty") {
				t.Errorf("test data left behind:\n%s", out)
			}
			res := get(t, r.url+"/scim/v2/Groups", r.e.Key)
			if !strings.Contains(res, `"totalResults":0`) {
				t.Errorf("groups left behind: %s", res)
			}
		})
	}
}

func get(t *testing.T, url, key string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// TestRosterFailureModes: each broken setup fails with its explanation.
func TestRosterFailureModes(t *testing.T) {
	b := provisiontest.Backends(t)[0]
	r := startRoster(t, b)
	offTeam, offKey := r.e.NewTeam(false)
	_ = offTeam
	cases := []struct {
		name, base, token string
		want              []string
	}{
		{"wrong path", r.url, r.e.Key, []string{"base URL is wrong", "/scim/v2", "no SCIM endpoint"}},
		{"wrong path below", r.url + "/scim/v2/Users", r.e.Key, []string{"base URL is wrong"}},
		{"no key", r.url + "/scim/v2", "", []string{"401", "the request has no API key", "paste the API key"}},
		{"mistyped key", r.url + "/scim/v2", r.e.Key[:len(r.e.Key)-3], []string{"401", "mistyped or truncated"}},
		{"revoked key", r.url + "/scim/v2", r.e.RevokedKey(r.e.Team.ID), []string{"401", "has been revoked", "generate a new SCIM key"}},
		{"expired key", r.url + "/scim/v2", r.e.ExpiredKey(r.e.Team.ID), []string{"401", "has expired", "longer expiry"}},
		{"SCIM off", r.url + "/scim/v2", offKey, []string{"403", "switched off", "turns SCIM on"}},
		{"nothing listening", "http://127.0.0.1:1/scim/v2", r.e.Key, []string{"nothing answers", "roster serve"}},
	}
	for _, c := range cases {
		for _, idp := range check.IdPs {
			rep, out := run(t, check.Options{Base: c.base, Token: c.token, IdP: idp, Write: true})
			if rep.OK() {
				t.Errorf("%s/%s: passed:\n%s", c.name, idp, out)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s/%s: report lacks %q:\n%s", c.name, idp, w, out)
				}
			}
			if !strings.Contains(out, "[SKIP] write round trip") {
				t.Errorf("%s/%s: writes were attempted after a failed connection test:\n%s", c.name, idp, out)
			}
		}
	}
}

// fake is a non-Roster server answering every request with one response.
func fake(t *testing.T, status int, ctype, body string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/scim/v2"
}

const list0 = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":0,"startIndex":1,"Resources":[]}`

// TestOtherServers: broken answers of other servers are explained.
func TestOtherServers(t *testing.T) {
	cases := []struct {
		name string
		base string
		want []string
	}{
		{"plain-text 401", fake(t, 401, "text/plain", "Unauthorized"), []string{"401", "not a SCIM error"}},
		{"plain-text 500", fake(t, 500, "text/plain", "oops"), []string{"server failed", "not a SCIM error"}},
		{"HTML 404", fake(t, 404, "text/html", "<html>Not Found</html>"), []string{"base URL is wrong", "not a SCIM error"}},
		{"empty 200", fake(t, 200, "application/scim+json", ""), []string{"body is empty"}},
		{"plain-text 200", fake(t, 200, "text/plain", "ok"), []string{"not application/scim+json"}},
		{"string counters", fake(t, 200, "application/scim+json", strings.Replace(list0, `"totalResults":0`, `"totalResults":"0"`, 1)), []string{"not a JSON number", "string counters"}},
		{"no Resources", fake(t, 200, "application/scim+json", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":0,"startIndex":1}`), []string{"\"Resources\" is missing"}},
		{"no schemas", fake(t, 200, "application/json", `{"totalResults":0,"Resources":[]}`), []string{"ListResponse"}},
		{"not JSON", fake(t, 200, "application/json", `[1,2`), []string{"not a JSON object"}},
		{"redirect", fake(t, 301, "", ""), []string{"redirects"}},
	}
	for _, c := range cases {
		for _, idp := range check.IdPs {
			rep, out := run(t, check.Options{Base: c.base, Token: "k", IdP: idp})
			if rep.OK() {
				t.Errorf("%s/%s passed:\n%s", c.name, idp, out)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s/%s: report lacks %q:\n%s", c.name, idp, w, out)
				}
			}
		}
	}
	// A filter the server ignores is caught: it returns users for a probe
	// that cannot match.
	ignoring := fake(t, 200, "application/scim+json", strings.Replace(strings.Replace(list0, `"totalResults":0,"itemsPerPage":0`, `"totalResults":1,"itemsPerPage":1`, 1),
		`"Resources":[]`, `"Resources":[{"id":"1","userName":"a@b.c","active":true}]`, 1))
	rep, out := run(t, check.Options{Base: ignoring, Token: "k", IdP: check.IdPEntra})
	if rep.OK() || !strings.Contains(out, "ignores the filter") {
		t.Errorf("ignored filter not caught:\n%s", out)
	}
}

// TestTLS: an untrusted certificate is a TLS problem.
func TestTLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, list0)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake
	ts.StartTLS()
	defer ts.Close()
	rep, out := run(t, check.Options{Base: ts.URL + "/scim/v2", Token: "k", IdP: check.IdPOkta})
	if rep.OK() || !strings.Contains(out, "TLS problem") || !strings.Contains(out, "certificate") {
		t.Errorf("TLS failure not explained:\n%s", out)
	}
	// Plain HTTP on an https:// URL.
	plain := httptest.NewServer(http.NotFoundHandler())
	defer plain.Close()
	rep, out = run(t, check.Options{Base: strings.Replace(plain.URL, "http://", "https://", 1) + "/scim/v2", Token: "k"})
	if rep.OK() || !strings.Contains(out, "TLS problem") {
		t.Errorf("plain HTTP on https not explained:\n%s", out)
	}
}

// TestDeleteRefused: a server that refuses DELETE /Users gets the test
// user deactivated instead.
func TestDeleteRefused(t *testing.T) {
	var seen []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(body))
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Method == http.MethodGet && (r.URL.Path == "/scim/v2/Users" || r.URL.Path == "/scim/v2/Groups"):
			_, _ = io.WriteString(w, list0)
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/scim/v2/Users/"):
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"405","detail":"users are never deleted"}`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && r.URL.Path == "/scim/v2/Users":
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(bytes.Replace(body, []byte(`{`), []byte(`{"id":"u1",`), 1))
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"g1","displayName":"x","members":[]}`)
		case strings.HasPrefix(r.URL.Path, "/scim/v2/Groups/"):
			if r.Method == http.MethodGet {
				members := `[{"value":"u1"}]`
				if strings.Contains(strings.Join(seen, "\n"), `"op":"remove"`) {
					members = `[]`
				}
				_, _ = fmt.Fprintf(w, `{"id":"g1","members":%s}`, members)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default: // user PATCH/PUT/GET: echo a user consistent with the last change
			active := !strings.Contains(string(body), `false`)
			_, _ = fmt.Fprintf(w, `{"id":"u1","userName":"x","active":%v,"name":{"givenName":"Rostered"}}`, active)
		}
	}))
	defer ts.Close()
	rep, out := run(t, check.Options{Base: ts.URL + "/scim/v2", Token: "k", Write: true})
	if !rep.OK() || !strings.Contains(out, "[WARN] remove the test user") || !strings.Contains(out, "[PASS] deactivate the test user instead") {
		t.Errorf("refused DELETE not handled:\n%s", out)
	}
	last := seen[len(seen)-1]
	if !strings.HasPrefix(last, "PATCH /scim/v2/Users/u1") || !strings.Contains(last, `"active"`) {
		t.Errorf("last request %q, want the deactivation", last)
	}
}

// TestBadOptions: options errors are errors, not reports.
func TestBadOptions(t *testing.T) {
	for _, o := range []check.Options{
		{Base: "http://x/scim/v2", IdP: "ping"},
		{Base: "roster.example.com/scim/v2"},
		{Base: "ftp://x/scim/v2"},
	} {
		if _, err := check.Run(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
