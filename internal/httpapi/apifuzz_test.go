package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// apiFuzzEnv is one fuzz worker's admin API: a SQLite store with a team
// whose Super Admin has a session and a personal token, a SCIM key, a
// group, an invitation, a domain and a second member.
type apiFuzzEnv struct {
	h       http.Handler
	token   string
	cookie  string
	csrf    string
	fill    *strings.Replacer
	routes  []apiFuzzRoute
	fp      string
	email   string // the owner's current email, for signing in again
	repairs int
	dead    bool
}

// apiFuzzRoute is one route of the OpenAPI document.
type apiFuzzRoute struct{ method, path string }

const (
	apiFuzzOrigin   = "http://roster.test"
	apiFuzzPassword = "Fuzz-Owner-Password-1"
)

func newAPIFuzzEnv(t testing.TB) *apiFuzzEnv {
	t.Helper()
	st := provisiontest.OpenSQLite(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The resolver is a closed port: domain verification fails fast.
	adm := admin.New(st, admin.WithPasswordCost(1, 64), admin.WithLogger(logger), admin.WithResolver("127.0.0.1:9"))
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	t.Cleanup(func() { _ = prov.Close(context.Background()) })
	fe := &apiFuzzEnv{h: httpapi.New(prov, httpapi.Config{Admin: adm, Logger: logger, BaseURL: apiFuzzOrigin,
		RateLimit: httpapi.RateLimit{Disabled: true}, MaxBodyBytes: 64 << 10})}

	must := func(method, path, body string, want int) map[string]any {
		t.Helper()
		code, hdr, rb := fe.send(method, path, "", body, 1)
		if code != want {
			t.Fatalf("fuzz setup: %s %s: %d %s", method, path, code, rb)
		}
		if ck := cookieOf(hdr); ck != "" {
			fe.cookie = ck
		}
		var m map[string]any
		_ = json.Unmarshal(rb, &m)
		return m
	}
	fe.email = "owner@fuzz.example"
	setup := must("POST", "/api/v1/setup", `{"email":"owner@fuzz.example","password":"`+apiFuzzPassword+`","teamSlug":"fuzz","teamName":"Fuzz"}`, 201)
	fe.csrf = setup["session"].(map[string]any)["csrfToken"].(string)
	team := setup["team"].(map[string]any)["id"].(string)
	fe.token = must("POST", "/api/v1/me/tokens", `{"name":"fuzz"}`, 201)["secret"].(string)
	key := must("POST", "/api/v1/teams/"+team+"/scim/keys", `{"name":"okta"}`, 201)
	must("PUT", "/api/v1/teams/"+team+"/scim", `{"enabled":true}`, 200)
	inv := must("POST", "/api/v1/teams/"+team+"/invitations", `{"email":"invitee@fuzz.example","role":"developer"}`, 201)
	must("POST", "/api/v1/teams/"+team+"/domains", `{"domain":"fuzz.example"}`, 201)
	// A SCIM-provisioned member and a group, through SCIM.
	r := httptest.NewRequest("POST", "/scim/v2/Groups", strings.NewReader(`{"displayName":"Eng"}`))
	r.Header.Set("Authorization", "Bearer "+key["secret"].(string))
	r.Header.Set("Content-Type", "application/scim+json")
	w := httptest.NewRecorder()
	fe.h.ServeHTTP(w, r)
	var g map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &g); err != nil || w.Code != 201 {
		t.Fatalf("fuzz setup: group %d %s", w.Code, w.Body.Bytes())
	}
	r = httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(`{"userName":"member@fuzz.example"}`))
	r.Header.Set("Authorization", "Bearer "+key["secret"].(string))
	r.Header.Set("Content-Type", "application/scim+json")
	w = httptest.NewRecorder()
	fe.h.ServeHTTP(w, r)
	var u map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &u); err != nil || w.Code != 201 {
		t.Fatalf("fuzz setup: user %d %s", w.Code, w.Body.Bytes())
	}
	tokens := must("GET", "/api/v1/me/tokens", "", 200)
	tokID := ""
	if ks, _ := tokens["keys"].([]any); len(ks) > 0 {
		tokID, _ = ks[0].(map[string]any)["id"].(string)
	}
	fe.fill = strings.NewReplacer("{team}", team, "{member}", u["id"].(string), "{key}", key["key"].(map[string]any)["id"].(string),
		"{invitation}", inv["id"].(string), "{domain}", "fuzz.example", "{group}", g["id"].(string), "{token}", tokID)

	// The route table, from the OpenAPI document.
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	code, _, raw := fe.send("GET", "/api/v1/openapi.json", "", "", 0)
	if code != 200 || json.Unmarshal(raw, &doc) != nil || len(doc.Paths) == 0 {
		t.Fatalf("fuzz setup: openapi.json %d", code)
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m = strings.ToUpper(m); slices.Contains([]string{"GET", "POST", "PUT", "PATCH", "DELETE"}, m) {
				fe.routes = append(fe.routes, apiFuzzRoute{m, "/api/v1" + strings.TrimPrefix(p, "/api/v1")})
			}
		}
	}
	sort.Slice(fe.routes, func(i, j int) bool {
		return fe.routes[i].path+fe.routes[i].method < fe.routes[j].path+fe.routes[j].method
	})
	fe.fp = fe.fingerprint(t)
	return fe
}

// cookieOf returns the session cookie a response sets, or "".
func cookieOf(h http.Header) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == roster.SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	return ""
}

// send serves one request in process; auth 0 is the personal token, 1
// the session with its CSRF token and Origin, 2 the session without CSRF
// token, 3 nothing.
func (fe *apiFuzzEnv) send(method, target, ct, body string, auth byte) (int, http.Header, []byte) {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = "192.0.2.1:1234"
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	} else if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	switch auth % 4 {
	case 0:
		r.Header.Set("Authorization", "Bearer "+fe.token)
	case 1:
		r.AddCookie(&http.Cookie{Name: roster.SessionCookie, Value: fe.cookie})
		r.Header.Set(roster.CSRFHeader, fe.csrf)
		r.Header.Set("Origin", apiFuzzOrigin)
	case 2:
		r.AddCookie(&http.Cookie{Name: roster.SessionCookie, Value: fe.cookie})
	}
	w := httptest.NewRecorder()
	fe.h.ServeHTTP(w, r)
	return w.Code, w.Header(), w.Body.Bytes()
}

// fingerprint reads the team's state through the API: the caller, teams,
// members, keys, tokens, invitations, domains, groups and SCIM settings.
func (fe *apiFuzzEnv) fingerprint(t testing.TB) string {
	if t != nil {
		t.Helper()
	}
	var parts []string
	for _, p := range []string{"/api/v1/me", "/api/v1/me/tokens", "/api/v1/teams", "/api/v1/teams/{team}/members?limit=1000",
		"/api/v1/teams/{team}/scim", "/api/v1/teams/{team}/scim/keys", "/api/v1/teams/{team}/invitations",
		"/api/v1/teams/{team}/domains", "/api/v1/teams/{team}/groups?limit=1000"} {
		code, _, body := fe.send("GET", fe.fill.Replace(p), "", "", 0)
		if code != 200 {
			return "unreadable " + p // the token itself is gone
		}
		// lastUsed and session times move on reads; drop them.
		var v any
		_ = json.Unmarshal(body, &v)
		parts = append(parts, p+" "+stableJSON(v))
	}
	return strings.Join(parts, "\n")
}

// stableJSON encodes v without the fields that change on every read or
// as time passes (last use, expiry).
func stableJSON(v any) string {
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range x {
				if k == "lastUsed" || k == "lastUsedAt" || k == "expiresAt" {
					continue
				}
				if k == "status" && e == "EXPIRED" {
					e = "ACTIVE" // time passing, not a write
				}
				out[k] = strip(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = strip(e)
			}
			return out
		}
		return v
	}
	b, _ := json.Marshal(strip(v))
	return string(b)
}

// apiFuzzMethods are the methods a fuzzed method byte picks from beyond
// the route's own.
var apiFuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// FuzzAdminHTTP sends random and mutated requests to every /api/v1 route
// of the route table (read from the OpenAPI document), with a valid
// personal token, a valid session (with and without its CSRF token) or
// nothing: never a 5xx or a panic, every error the API's JSON error body
// ({"error":{"code","message"}}, application/json), and a rejected
// request changes nothing (members, keys, tokens, invitations, domains,
// groups and settings read back identical).
func FuzzAdminHTTP(f *testing.F) {
	bodies := map[string]string{
		"/api/v1/setup":                                   `{"email":"x@fuzz.example","password":"Long-Enough-Password-1","teamSlug":"t2"}`,
		"/api/v1/accounts":                                `{"email":"new@fuzz.example","password":"Long-Enough-Password-1","displayName":"New"}`,
		"/api/v1/session":                                 `{"email":"owner@fuzz.example","password":"wrong"}`,
		"/api/v1/me/password":                             `{"current":"nope","new":"Another-Password-22"}`,
		"/api/v1/me/email":                                `{"email":"owner2@fuzz.example"}`,
		"/api/v1/me/tokens":                               `{"name":"t","expiresInSeconds":3600}`,
		"/api/v1/teams":                                   `{"slug":"second","name":"Second"}`,
		"/api/v1/teams/{team}":                            `{"name":"Renamed"}`,
		"/api/v1/teams/{team}/members/{member}/role":      `{"role":"team_admin"}`,
		"/api/v1/teams/{team}/scim":                       `{"enabled":false}`,
		"/api/v1/teams/{team}/scim/keys":                  `{"name":"entra","expiresInSeconds":86400}`,
		"/api/v1/teams/{team}/scim/keys/{key}/regenerate": `{"overlapSeconds":60}`,
		"/api/v1/teams/{team}/invitations":                `{"email":"p@fuzz.example","role":"developer"}`,
		"/api/v1/teams/{team}/domains":                    `{"domain":"other.example"}`,
	}
	queries := map[string]string{
		"/api/v1/teams/{team}/audit":         "order=asc&limit=5&action=key.created&since=2020-01-01T00:00:00Z",
		"/api/v1/teams/{team}/audit/export":  "format=jsonl&actor=cli",
		"/api/v1/teams/{team}/events":        "after=&limit=10",
		"/api/v1/teams/{team}/scim/activity": "failures=true&limit=3",
		"/api/v1/teams/{team}/members":       "limit=2&cursor=abc",
	}
	fe := newAPIFuzzEnv(f)
	for i, rt := range fe.routes {
		body := bodies[rt.path]
		f.Add(byte(i), byte(0), "", queries[rt.path], "", []byte(body), byte(0))
		f.Add(byte(i), byte(0), "", "", "", []byte(body), byte(1))
		f.Add(byte(i), byte(0), "", "limit=0", "text/plain", []byte(`{"name":`), byte(2))
		f.Add(byte(i), byte(3), "/x", "", "", []byte(`[]`), byte(3))
	}
	f.Fuzz(func(t *testing.T, route, methodSel byte, suffix, query, ct string, body []byte, auth byte) {
		if fe.dead {
			return
		}
		rt := fe.routes[int(route)%len(fe.routes)]
		method := rt.method
		if methodSel%8 != 0 { // most inputs use the route's own method
			method = apiFuzzMethods[int(methodSel)%len(apiFuzzMethods)]
		}
		target := fe.fill.Replace(rt.path) + suffix
		if query != "" {
			target += "?" + query
		}
		r, err := http.NewRequest(method, target, nil)
		if err != nil || !strings.HasPrefix(r.URL.Path, "/api/v1") || r.URL.Host != "" ||
			strings.ContainsAny(r.URL.RequestURI(), " \t\r\n") || strings.ContainsAny(method, " \t\r\n") {
			return // not a request a client can send to this server
		}
		code, hdr, rb := fe.send(method, r.URL.RequestURI(), ct, fe.fill.Replace(string(body)), auth)
		what := method + " " + target + " [" + ct + "] auth " + strconv.Itoa(int(auth%4)) + " " + string(body)
		if code >= 500 {
			t.Fatalf("%s: status %d %s", what, code, rb)
		}
		if code >= 400 && method != "HEAD" {
			if got := hdr.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Fatalf("%s: status %d with Content-Type %q: %s", what, code, got, rb)
			}
			var e roster.ErrorBody
			if err := json.Unmarshal(rb, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s: status %d, not an API error body: %s", what, code, rb)
			}
		}
		if method == "GET" || method == "HEAD" || method == "OPTIONS" {
			return
		}
		fp := fe.fingerprint(t)
		if code >= 400 && fp != fe.fp {
			t.Fatalf("%s: rejected with %d %s but the team changed:\n%s", what, code, rb, lineDiff(fe.fp, fp))
		}
		fe.fp = fp
		if code < 400 {
			fe.repair()
		}
	})
}

// repair restores the fixture's credentials after an accepted request
// ended the session or revoked the token (sign in again, make a new
// token), and refreshes the fingerprint. When the owner can no longer
// sign in (the fuzzer found the password), the worker stops checking.
func (fe *apiFuzzEnv) repair() {
	code, _, body := fe.send("GET", "/api/v1/me", "", "", 0)
	tokenOK := code == 200
	if tokenOK {
		var me roster.Me
		if json.Unmarshal(body, &me) == nil && me.Account.Email != "" {
			fe.email = me.Account.Email
		}
	}
	if code, _, _ := fe.send("GET", "/api/v1/me", "", "", 1); code != 200 {
		in, _ := json.Marshal(roster.SignInRequest{Email: fe.email, Password: apiFuzzPassword})
		code, hdr, body := fe.send("POST", "/api/v1/session", "", string(in), 3)
		var s roster.Session
		if code != 200 || json.Unmarshal(body, &s) != nil || cookieOf(hdr) == "" {
			fe.dead = true
			return
		}
		fe.cookie, fe.csrf = cookieOf(hdr), s.CSRFToken
		fe.repairs++
	}
	if !tokenOK {
		code, _, body := fe.send("POST", "/api/v1/me/tokens", "", `{"name":"fuzz"}`, 1)
		var k roster.NewKey
		if code != 201 || json.Unmarshal(body, &k) != nil || k.Secret == "" {
			fe.dead = true
			return
		}
		fe.token = k.Secret
		fe.repairs++
	}
	fe.fp = fe.fingerprint(nil)
}
