package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
)

// Every page answer, redirect, error page and asset carries the security
// headers; pages are never cached, fingerprinted assets are immutable.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	for _, path := range []string{Prefix + "/", Prefix + "/setup", Prefix + "/login", Prefix + "/nope"} {
		r := anon.get(path)
		wantSecurityHeaders(t, path, r)
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
		}
	}
	b := e.setupAdmin()
	page := b.get(Prefix + "/t/acme/scim")
	wantSecurityHeaders(t, "scim page", page)
	if page.header.Get("Cache-Control") != "no-store" {
		t.Errorf("scim page: Cache-Control %q", page.header.Get("Cache-Control"))
	}
	// Every asset the layout links is fingerprinted and immutable.
	links := assetRE.FindAllStringSubmatch(page.body, -1)
	if len(links) != 3 {
		t.Fatalf("want app.css, pages.css and app.js linked, got %v", links)
	}
	for _, l := range links {
		r := anon.get(l[1])
		wantSecurityHeaders(t, l[1], r)
		if r.status != http.StatusOK || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d Cache-Control %q", l[1], r.status, r.header.Get("Cache-Control"))
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") && !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("%s: Content-Type %q", l[1], ct)
		}
	}
	if r := anon.get(Prefix + "/static/missing.css"); r.status != http.StatusNotFound {
		t.Errorf("missing asset: %d", r.status)
	}
	// No inline script or style anywhere (the CSP would block it).
	for _, bad := range []string{"<script>", "style=", "onclick=", "<style"} {
		if strings.Contains(page.body, bad) {
			t.Errorf("scim page contains %q", bad)
		}
	}
}

func wantSecurityHeaders(t *testing.T, what string, r resp) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": csp,
		"X-Frame-Options":         "DENY",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	}
	for k, v := range want {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

// The routing of /admin/: setup on an empty server, the sign-in page
// without a session, the team's dashboard with one.
func TestIndexRedirects(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	if r := anon.get(Prefix); r.status != http.StatusMovedPermanently || r.location() != Prefix+"/" {
		t.Errorf("/admin: %d %q", r.status, r.location())
	}
	if r := anon.get(Prefix + "/"); r.location() != Prefix+"/setup" {
		t.Errorf("empty server: /admin/ -> %q, want setup", r.location())
	}
	b := e.setupAdmin()
	if r := anon.get(Prefix + "/"); r.location() != Prefix+"/login" {
		t.Errorf("no session: /admin/ -> %q, want login", r.location())
	}
	if r := b.get(Prefix + "/"); r.location() != Prefix+"/t/acme/" {
		t.Errorf("signed in: /admin/ -> %q", r.location())
	}
	// A team page without a session remembers where to come back to.
	r := anon.get(Prefix + "/t/acme/scim")
	if r.status != http.StatusSeeOther || r.location() != Prefix+"/login?next="+url.QueryEscape(Prefix+"/t/acme/scim") {
		t.Errorf("anonymous team page: %d %q", r.status, r.location())
	}
	// The team switcher goes to a team the person can see.
	if r := b.get(Prefix + "/switch?team=acme"); r.status != http.StatusSeeOther || r.location() != Prefix+"/t/acme/" {
		t.Errorf("switch: %d %q", r.status, r.location())
	}
	if r := b.get(Prefix + "/switch?team=other"); r.status != http.StatusNotFound {
		t.Errorf("switch to an unknown team: %d", r.status)
	}
	// Another team's slug and unknown pages are the not-found page.
	for _, p := range []string{Prefix + "/t/other/scim", Prefix + "/t/acme/guides/pingfed", Prefix + "/nothing/here"} {
		if r := b.get(p); r.status != http.StatusNotFound || testIDs(r.body, "error-page") != 1 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
}

// First-run setup works only on an empty database, signs the person in,
// and refuses afterwards without creating anything.
func TestSetupOnlyOnEmptyDatabase(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	r := anon.get(Prefix + "/setup")
	if r.status != http.StatusOK || testIDs(r.body, "setup-submit") != 1 {
		t.Fatalf("setup form: %d", r.status)
	}
	// A bad password is shown next to its field, nothing is created.
	r = anon.post(Prefix+"/setup", url.Values{"email": {adminEmail}, "password": {"short"}, "teamName": {"Acme"}})
	if r.status != http.StatusBadRequest || testIDs(r.body, "field-error") != 1 || !strings.Contains(r.body, `value="ann@example.com"`) {
		t.Fatalf("weak password: %d %s", r.status, clip(r.body, 300))
	}
	b := e.setupAdmin()
	// The setup answer signed the person in.
	r = b.get(Prefix + "/t/acme/scim")
	if r.status != http.StatusOK {
		t.Fatalf("after setup: %d", r.status)
	}
	// Afterwards: the form redirects to sign-in, and a POST creates nothing.
	if r := anon.get(Prefix + "/setup"); r.status != http.StatusSeeOther || r.location() != Prefix+"/login" {
		t.Errorf("setup after setup: %d %q", r.status, r.location())
	}
	r = anon.post(Prefix+"/setup", url.Values{"email": {"mallory@example.com"}, "password": {"mallory-password-1"}, "teamName": {"Evil"}})
	if r.status != http.StatusSeeOther || r.location() != Prefix+"/login" {
		t.Errorf("second setup: %d %q", r.status, r.location())
	}
	c, err := roster.NewClient(e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(context.Background(), "mallory@example.com", "mallory-password-1"); roster.ErrorStatus(err) != http.StatusUnauthorized {
		t.Errorf("second setup created an account: %v", err)
	}
	teams, err := e.adm.Teams(context.Background())
	if err != nil || len(teams) != 1 || teams[0].Slug != teamSlug {
		t.Errorf("teams after a refused setup: %v %v", teams, err)
	}
}

// Sign-in, a wrong password, sign-out, and a session that ended.
func TestSignInOutAndExpiry(t *testing.T) {
	e := newEnv(t)
	e.setupAdmin()
	b := e.browser()
	r := b.post(Prefix+"/login", url.Values{"email": {adminEmail}, "password": {"wrong-password"}})
	if r.status != http.StatusUnauthorized || testIDs(r.body, "login-error") != 1 || strings.Contains(r.body, "wrong-password") {
		t.Fatalf("wrong password: %d", r.status)
	}
	r = b.post(Prefix+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {Prefix + "/profile"}})
	if r.status != http.StatusSeeOther || r.location() != Prefix+"/profile" {
		t.Fatalf("sign in: %d %q", r.status, r.location())
	}
	// An outside "next" is ignored.
	b2 := e.browser()
	r = b2.post(Prefix+"/login", url.Values{"email": {adminEmail}, "password": {adminPassword}, "next": {"//evil.example/"}})
	if r.location() != Prefix+"/t/acme/" {
		t.Errorf("next=//evil: redirected to %q", r.location())
	}

	// Sign-out needs the CSRF token, ends the session and says so.
	if r := b.post(Prefix+"/logout", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("sign-out without csrf: %d", r.status)
	}
	r = b.submit(Prefix+"/logout", nil)
	if r.status != http.StatusSeeOther || r.location() != Prefix+"/login" {
		t.Fatalf("sign out: %d %q", r.status, r.location())
	}
	if !strings.Contains(r.header.Get("Set-Cookie"), roster.SessionCookie+"=;") {
		t.Errorf("sign-out did not clear the session cookie: %q", r.header.Values("Set-Cookie"))
	}
	if p := b.follow(r); testIDs(p.body, "flash") != 1 || !strings.Contains(p.body, "signed out") {
		t.Errorf("no sign-out message")
	}

	// A session that ended (here: a stale cookie) sends the browser to the
	// sign-in page with a message.
	stale := e.browser()
	u, _ := url.Parse(e.ts.URL)
	stale.c.Jar.SetCookies(u, []*http.Cookie{{Name: roster.SessionCookie, Value: "rss_stale", Path: "/"}})
	r = stale.get(Prefix + "/t/acme/scim")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), Prefix+"/login") {
		t.Fatalf("stale session: %d %q", r.status, r.location())
	}
	p := stale.follow(r)
	if testIDs(p.body, "flash") != 1 || !strings.Contains(p.body, "session has ended") || testIDs(p.body, "login-submit") != 1 {
		t.Errorf("stale session: no message on the sign-in page: %s", clip(p.body, 2000))
	}
}

// html/template escapes what people type: a display name or key name of
// "<script>" is shown as text.
func TestTemplatesEscape(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	r := b.post(Prefix+"/setup", url.Values{"email": {adminEmail}, "password": {adminPassword},
		"displayName": {`<script>alert(1)</script>`}, "teamName": {"Acme"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("setup: %d", r.status)
	}
	r = b.submit(Prefix+"/t/acme/scim/keys", url.Values{"name": {`<img src=x onerror=alert(2)>`}})
	if r.status != http.StatusOK {
		t.Fatalf("create key: %d %s", r.status, clip(r.body, 500))
	}
	for _, body := range []string{r.body, b.get(Prefix + "/profile").body} {
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Fatalf("unescaped markup in a page")
		}
	}
	if !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(r.body, "&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the names are not shown escaped")
	}
}

// Every template parses and every page template defines its content.
func TestTemplatesParse(t *testing.T) {
	u, err := newUI(Config{API: http.NotFoundHandler()})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"error", "login", "setup", "scim", "guides", "domains", "profile"} {
		if u.pages[name] == nil {
			t.Errorf("page %q missing", name)
		}
	}
	if _, err := newUI(Config{}); err == nil {
		t.Error("New without an API handler succeeded")
	}
}

// The pager keeps filters and walks back through the cursors it passed.
func TestPager(t *testing.T) {
	req := func(raw string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	p1 := pager(req("/admin/t/acme/members?q=ann"), "c2")
	if p1.Prev != "" || p1.Next != "/admin/t/acme/members?back=-&cursor=c2&q=ann" {
		t.Fatalf("page 1: %+v", p1)
	}
	p2 := pager(req(p1.Next), "c3")
	if p2.Prev != "/admin/t/acme/members?q=ann" || p2.Next != "/admin/t/acme/members?back=-&back=c2&cursor=c3&q=ann" {
		t.Fatalf("page 2: %+v", p2)
	}
	p3 := pager(req(p2.Next), "")
	if p3.Next != "" || p3.Prev != "/admin/t/acme/members?back=-&cursor=c2&q=ann" {
		t.Fatalf("page 3: %+v", p3)
	}
}
