package webui

// The test harness of the admin web page: a real Roster (SCIM service and
// admin API over a fresh SQLite store) with the web page mounted as in
// `roster serve`, and "browsers" — HTTP clients with a cookie jar that do
// not follow redirects and send the Origin a browser would.

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"

	"github.com/rosterhq/roster/internal/testdns"
)

// Credentials of the account newEnv's setupAdmin creates.
const (
	adminEmail    = "ann@example.com"
	adminPassword = "correct-horse-battery"
	teamSlug      = "acme"
)

// env is a running Roster with the admin web page.
type env struct {
	t    *testing.T
	ts   *httptest.Server
	st   store.Store
	adm  *admin.Service
	prov *provision.Service
	logs *strings.Builder
	dns  *testdns.Server
}

// newEnv starts Roster on an empty SQLite database.
func newEnv(t *testing.T) *env {
	t.Helper()
	st := provisiontest.OpenSQLite(t)
	logs := &strings.Builder{}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	dnsSrv := testdns.Start(t)
	adm := admin.New(st, admin.WithPasswordCost(1, 64), admin.WithLogger(logger), admin.WithResolver(dnsSrv.Addr))
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	t.Cleanup(func() { _ = prov.Close(context.Background()) })
	api := httpapi.New(prov, httpapi.Config{Admin: adm, Logger: logger})
	ui, err := New(Config{API: api, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == Prefix || strings.HasPrefix(r.URL.Path, Prefix+"/") {
			ui.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &env{t: t, ts: ts, st: st, adm: adm, prov: prov, logs: logs, dns: dnsSrv}
}

// browser is a person's browser: a cookie jar, no redirects followed.
type browser struct {
	e      *env
	c      *http.Client
	origin string
}

// browser returns a new browser without cookies.
func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browser{e: e, origin: e.ts.URL, c: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// resp is an answer, its body read.
type resp struct {
	status int
	header http.Header
	body   string
}

// location is the redirect target.
func (r resp) location() string { return r.header.Get("Location") }

// do sends a request.
func (b *browser) do(method, path string, body io.Reader, hdr map[string]string) resp {
	b.e.t.Helper()
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: string(raw)}
}

// get fetches a page.
func (b *browser) get(path string) resp {
	b.e.t.Helper()
	return b.do(http.MethodGet, path, nil, nil)
}

// post submits a form as the browser would (with its Origin), without
// adding a csrf field.
func (b *browser) post(path string, form url.Values) resp {
	b.e.t.Helper()
	return b.postWith(path, form, map[string]string{"Origin": b.origin})
}

// postWith submits a form with the given headers.
func (b *browser) postWith(path string, form url.Values, hdr map[string]string) resp {
	b.e.t.Helper()
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range hdr {
		h[k] = v
	}
	return b.do(http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

var assetRE = regexp.MustCompile(`(?:href|src)="(/admin/static/[^"]+)"`)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf reads the CSRF token from a page's forms (the profile page by
// default).
func (b *browser) csrf() string {
	b.e.t.Helper()
	r := b.get(Prefix + "/profile")
	m := csrfRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		b.e.t.Fatalf("no csrf token on the profile page: %d %s", r.status, clip(r.body, 400))
	}
	return html.UnescapeString(m[1])
}

// submit posts a form with the session's csrf token, as a page's form.
func (b *browser) submit(path string, form url.Values) resp {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.post(path, form)
}

// follow GETs a redirect's target.
func (b *browser) follow(r resp) resp {
	b.e.t.Helper()
	if r.status != http.StatusSeeOther && r.status != http.StatusFound {
		b.e.t.Fatalf("want a redirect, got %d: %s", r.status, clip(r.body, 600))
	}
	return b.get(r.location())
}

// setupAdmin runs first-run setup through the page and returns the
// signed-in browser of the team's Super Admin (team "acme").
func (e *env) setupAdmin() *browser {
	e.t.Helper()
	b := e.browser()
	r := b.post(Prefix+"/setup", url.Values{"email": {adminEmail}, "password": {adminPassword},
		"displayName": {"Ann Admin"}, "teamName": {"Acme"}})
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("setup: %d %s", r.status, clip(r.body, 600))
	}
	return b
}

// sdk returns an SDK client of the server signed in as email.
func (e *env) sdk(email, password string) *roster.Client {
	e.t.Helper()
	c, err := roster.NewClient(e.ts.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.SignIn(context.Background(), email, password); err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	return c
}

// addMember makes an account with a password, invites it into the team
// with role and accepts the invitation, all through the admin API.
func (e *env) addMember(email, password, role string) {
	e.t.Helper()
	ctx := context.Background()
	adminC := e.sdk(adminEmail, adminPassword)
	inv, err := adminC.Invite(ctx, teamSlug, roster.InviteRequest{Email: email, Role: role})
	if err != nil {
		e.t.Fatalf("invite %s: %v", email, err)
	}
	c, err := roster.NewClient(e.ts.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.SignUp(ctx, roster.SignUpRequest{Email: email, Password: password}); err != nil {
		e.t.Fatalf("sign up %s: %v", email, err)
	}
	if _, err := c.SignIn(ctx, email, password); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.AcceptInvitation(ctx, inv.ID); err != nil {
		e.t.Fatalf("accept %s: %v", email, err)
	}
}

// signIn returns a browser signed in through the sign-in form.
func (e *env) signIn(email, password string) *browser {
	e.t.Helper()
	b := e.browser()
	r := b.post(Prefix+"/login", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d %s", email, r.status, clip(r.body, 600))
	}
	return b
}

// testIDs counts the elements carrying data-testid=id in a page.
func testIDs(body, id string) int {
	return strings.Count(body, `data-testid="`+id+`"`)
}
