package main

// End-to-end tests of the admin web page (/admin) in headless Chromium
// against the real `roster serve` on a fresh SQLite database: the
// administrator's journey from first-run setup to Okta provisioning and a
// revoked key, a Developer's view, a SCIM-managed member's profile, CSRF,
// session expiry and keyboard use. Elements are selected only by the
// data-testid attributes of the page's contract (form fields inside a form
// found by its submit button's data-testid are selected by their contract
// field names). Every page is saved at desktop and phone widths under
// artifacts/screenshots; `make screenshots` also refreshes docs/img.
//
// Run: go test -count=1 -run '^TestBrowser' ./cmd/roster
// (skipped when there is no Chromium, unless ROSTER_TEST_REQUIRE_BROWSER=1).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rosterhq/roster"
)

// The people of the journey. Every password is long enough for the
// server's policy.
const (
	adminEmail    = "ada@acme.test"
	adminPassword = "correct horse battery staple"
	devEmail      = "dev@acme.test"
	devPassword   = "developer passphrase 42"
	// scimMemberEmail signs up before Okta provisions it, so it has a
	// password: provisioning makes it an invitation it accepts (a
	// SCIM-managed member who can sign in).
	scimMemberEmail    = "erin@acme.test"
	scimMemberPassword = "erin's own passphrase"
)

// okta is the Okta-style SCIM client of the journey (crash_test.go's idp).
func okta(base, key string) *idp {
	return &idp{base: base, key: key, client: &http.Client{Timeout: 10 * time.Second}}
}

// browserEnv is what the subtests of TestBrowserAdmin share.
type browserEnv struct {
	base    string
	browser context.Context
	admin   *tab   // the administrator's tab, signed in
	team    string // the team's slug
	keyID   string // the SCIM key generated in the journey
	secret  string
	users   map[string]string // userName → SCIM id
	api     *roster.Client    // the administrator, through the admin API
}

// TestBrowserAdmin walks the admin web page in headless Chromium. The
// subtests share one server and one browser and run in order; a failed
// step stops the test (each later subtest needs the state of the earlier).
func TestBrowserAdmin(t *testing.T) {
	exe := requireBrowser(t)
	began := time.Now()
	cleanScreenshots(t)
	bin := buildRoster(t)
	db := filepath.Join(t.TempDir(), "roster.db")
	_, addr := startRoster(t, bin, db, "127.0.0.1:0")
	env := &browserEnv{base: "http://" + addr, users: map[string]string{}}
	env.browser = newBrowser(t, exe)
	env.admin = &tab{t: t, ctx: env.browser, base: env.base}
	t.Logf("server and browser up in %v", time.Since(began).Round(time.Millisecond))

	steps := []struct {
		name string
		fn   func(*testing.T, *browserEnv)
	}{
		{"setup", testSetup},
		{"enable-scim-and-key", testEnableSCIMAndKey},
		{"test-connection", testConnection},
		{"provisioning-shows-up", testProvisioning},
		{"guides-and-domains", testGuidesAndDomains},
		{"keyboard", testKeyboard},
		{"developer", testDeveloper},
		{"scim-member-cannot-leave", testSCIMMemberCannotLeave},
		{"csrf", testCSRF},
		{"no-javascript", testNoJavaScript},
		{"revoke-key", testRevokeKey},
		{"session-expiry", testSessionExpiry},
	}
	for _, s := range steps {
		start := time.Now()
		ok := t.Run(s.name, func(t *testing.T) {
			env.admin.t = t
			s.fn(t, env)
		})
		t.Logf("%-26s %v", s.name, time.Since(start).Round(time.Millisecond))
		if !ok {
			t.Fatalf("step %s failed; the later steps need its state", s.name)
		}
	}
	copyDocImages(t)
	layoutMu.Lock()
	for _, p := range layoutProblems {
		t.Error(p)
	}
	layoutMu.Unlock()
	t.Logf("browser test total %v, of which screenshots %v", time.Since(began).Round(time.Millisecond),
		time.Duration(shotTime.Load()).Round(time.Millisecond))
}

// teamPath is the path of a page of the journey's team.
func (e *browserEnv) teamPath(rest string) string { return "/admin/t/" + e.team + rest }

// formField selects a field (by its contract name) of the form whose
// submit button has the data-testid.
func formField(submitID, name string) string {
	return `form:has(` + tid(submitID) + `) [name="` + name + `"]`
}

// wantPath fails unless the tab's path matches the pattern.
func wantPath(t *testing.T, b *tab, pattern string) string {
	t.Helper()
	p := b.path()
	if !regexp.MustCompile(pattern).MatchString(p) {
		t.Fatalf("page %s, want a path matching %s", p, pattern)
	}
	return p
}

// wantFlash fails unless the page shows a flash message of the kind.
func wantFlash(t *testing.T, b *tab, kind string) string {
	t.Helper()
	k, text := b.flash()
	if k != kind {
		t.Fatalf("flash = %q %q, want kind %q (page %s)", k, text, kind, b.location())
	}
	return text
}

// signIn signs a tab in through the login page.
func signIn(t *testing.T, b *tab, email, password string) {
	t.Helper()
	b.open("/admin/login")
	b.fill(formField("login-submit", "email"), email)
	b.fill(formField("login-submit", "password"), password)
	b.submit("login-submit")
	wantPath(t, b, `^/admin/(t/[^/]+/|profile)`)
}

// testSetup: an empty database sends /admin/ to the first-run setup, which
// creates the first account and team and signs the administrator in.
func testSetup(t *testing.T, e *browserEnv) {
	b := e.admin
	b.open("/admin/")
	wantPath(t, b, `^/admin/setup$`)
	b.screenshot("setup")
	b.fill(formField("setup-submit", "email"), adminEmail)
	b.fill(formField("setup-submit", "password"), adminPassword)
	b.fill(formField("setup-submit", "displayName"), "Ada Lovelace")
	b.fill(formField("setup-submit", "teamName"), "Acme")
	b.submit("setup-submit")
	p := wantPath(t, b, `^/admin/t/[^/]+/`) // the dashboard or the SCIM page
	e.team = strings.Split(p, "/")[3]
	if b.sessionCookie() == "" {
		t.Fatalf("no %s cookie after setup", roster.SessionCookie)
	}
	// Setup is done: the page is gone and / goes to the dashboard.
	b.open("/admin/")
	wantPath(t, b, `^/admin/t/`+regexp.QuoteMeta(e.team)+`/$`)
	e.api = apiClient(t, e.base, adminEmail, adminPassword)
	me, err := e.api.Me(context.Background())
	if err != nil || me.Member == nil || me.Member.Role != "super_admin" {
		t.Fatalf("the setup account: %+v, %v; want the team's Super Admin", me, err)
	}
}

// testEnableSCIMAndKey turns SCIM on through the confirmation dialog,
// generates a key, copies it, and saves the SCIM page with the key shown
// (masked).
func testEnableSCIMAndKey(t *testing.T, e *browserEnv) {
	b := e.admin
	b.submit("nav-scim")
	wantPath(t, b, `^`+regexp.QuoteMeta(e.teamPath("/scim"))+`$`)
	if b.attr(tid("scim-status"), "data-enabled") == "true" {
		// Setup adopted the first-run team (SCIM on): turn it off first,
		// which exercises the other direction of the switch.
		b.click("scim-toggle")
		b.waitVisible(tid("scim-toggle-confirm"))
		b.submit("scim-toggle-confirm")
		if got := b.attr(tid("scim-status"), "data-enabled"); got != "false" {
			t.Fatalf("after turning SCIM off: data-enabled=%q", got)
		}
	}
	if got := b.text("scim-status"); got != "Off" {
		t.Errorf("scim-status text %q, want Off", got)
	}
	b.screenshot("scim-off")

	// The switch asks first; nothing changes until it is confirmed.
	b.click("scim-toggle")
	b.waitVisible(tid("scim-toggle-confirm"))
	b.screenshotViewport("scim-toggle-dialog")
	if s, _ := e.api.SCIMSettings(context.Background(), e.team); s.Enabled {
		t.Fatal("SCIM is on before the confirmation")
	}
	b.submit("scim-toggle-confirm")
	wantFlash(t, b, "ok")
	if got := b.attr(tid("scim-status"), "data-enabled"); got != "true" {
		t.Fatalf("after confirming: data-enabled=%q, want true", got)
	}
	if got := b.text("scim-status"); got != "On" {
		t.Errorf("scim-status text %q, want On", got)
	}
	if got, want := b.text("scim-base-url"), e.base+"/scim/v2"; got != want {
		t.Errorf("scim-base-url %q, want %q", got, want)
	}
	if !b.has("copy-base-url") {
		t.Error("no copy-base-url button")
	}

	// Generate a named key: shown once, with a copy button.
	b.fill(tid("key-name"), "Okta")
	b.submit("key-generate")
	b.waitVisible(tid("new-key-secret"))
	e.secret = b.text("new-key-secret")
	if !strings.HasPrefix(e.secret, "rsk_") || len(e.secret) < 40 {
		t.Fatalf("new-key-secret %q does not look like a SCIM key", e.secret)
	}
	rows := b.rows(tid("key-row") + `[data-key-name="Okta"]`)
	if len(rows) != 1 || rows[0]["data-status"] != "ACTIVE" || rows[0]["data-key-id"] == "" {
		t.Fatalf("key rows named Okta: %v; want one ACTIVE row with an id", rows)
	}
	e.keyID = rows[0]["data-key-id"]

	// Copy: the clipboard holds the secret when the browser lets the page
	// read it; the button says it copied in any case.
	clip := b.grantClipboard()
	b.click("copy-key")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(strings.ToLower(b.text("copy-key")), "copied") {
		if time.Now().After(deadline) {
			t.Fatalf("copy-key says %q after the click, want Copied", b.text("copy-key"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if clip {
		if got, ok := b.readClipboard(); ok && got != e.secret {
			t.Errorf("clipboard holds %q, want the new key", got)
		} else if ok {
			t.Log("the clipboard holds the new key")
		}
	}

	// Every screenshot masks the secret: where it is shown, and in the
	// Test connection field the page fills in with it.
	maskSecret(e.secret)
	b.screenshot("scim-key")

	// The secret is shown once: reloading the page does not show it again.
	b.open(e.teamPath("/scim"))
	if b.has("new-key-secret") && strings.Contains(b.text("new-key-secret"), e.secret) {
		t.Error("the key's secret is shown again after a reload")
	}
	if strings.Contains(eval[string](b, `document.documentElement.outerHTML`), e.secret) {
		t.Error("the SCIM page still contains the secret after a reload")
	}
}

// testConnection runs "Test connection" with the new key: every step
// passes (or warns/skips), none fails.
func testConnection(t *testing.T, e *browserEnv) {
	b := e.admin
	b.fill(tid("check-key"), e.secret)
	b.submit("check-run")
	steps := b.rows(tid("check-step"))
	if len(steps) == 0 {
		t.Fatal("no check-step after running the check")
	}
	pass := 0
	for _, s := range steps {
		switch s["data-verdict"] {
		case "pass":
			pass++
		case "warn", "skip":
		default:
			t.Errorf("check step %s: verdict %q: %s", s["data-step"], s["data-verdict"], s["_text"])
		}
	}
	if pass == 0 {
		t.Errorf("no passing check step: %v", steps)
	}
	b.screenshot("scim-check")
}

// testProvisioning runs an Okta-style sequence against /scim/v2 with the
// key and checks that the web page shows its results.
func testProvisioning(t *testing.T, e *browserEnv) {
	ctx := context.Background()
	// Erin has an account of her own before Okta provisions her.
	if _, err := newAPIClient(t, e.base).SignUp(ctx, roster.SignUpRequest{Email: scimMemberEmail, Password: scimMemberPassword, DisplayName: "Erin"}); err != nil {
		t.Fatalf("sign up %s: %v", scimMemberEmail, err)
	}
	lapStart := time.Now()
	lap := func(what string) {
		t.Logf("  %-12s %v", what, time.Since(lapStart).Round(time.Millisecond))
		lapStart = time.Now()
	}
	c := okta(e.base, e.secret)
	people := []struct{ user, given, family string }{
		{"alice@acme.test", "Alice", "Archer"},
		{"bob@acme.test", "Bob", "Baker"},
		{"carol@acme.test", "Carol", "Cooper"},
		{"dave@acme.test", "Dave", "Dalton"},
		{scimMemberEmail, "Erin", "Eastwood"},
	}
	for _, p := range people {
		// Okta looks the user up first: an empty list, never a 404.
		id, st := c.lookup(p.user)
		if st != http.StatusOK || id != "" {
			t.Fatalf("lookup %s: status %d id %q, want 200 and no user", p.user, st, id)
		}
		st, res := c.do("POST", "/scim/v2/Users", map[string]any{
			"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName": p.user,
			"name":     map[string]any{"givenName": p.given, "familyName": p.family},
			"emails":   []any{map[string]any{"primary": true, "value": p.user, "type": "work"}},
			"active":   true,
		})
		if st != http.StatusCreated {
			t.Fatalf("POST /Users %s: %d %v", p.user, st, res)
		}
		e.users[p.user], _ = res["id"].(string)
	}
	// A retried create is refused (a failure for the activity view).
	if st, _ := c.do("POST", "/scim/v2/Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "alice@acme.test",
		"emails": []any{map[string]any{"primary": true, "value": "alice@acme.test"}},
	}); st != http.StatusConflict {
		t.Fatalf("duplicate POST /Users: %d, want 409", st)
	}
	patch := func(path string, ops ...map[string]any) {
		t.Helper()
		st, res := c.do("PATCH", path, map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": ops,
		})
		if st != http.StatusOK && st != http.StatusNoContent {
			t.Fatalf("PATCH %s: %d %v", path, st, res)
		}
	}
	patch("/scim/v2/Users/"+e.users["bob@acme.test"], map[string]any{"op": "replace", "value": map[string]any{"active": false}})
	st, g := c.do("POST", "/scim/v2/Groups", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Engineering", "members": []any{},
	})
	if st != http.StatusCreated {
		t.Fatalf("POST /Groups: %d %v", st, g)
	}
	gid, _ := g["id"].(string)
	patch("/scim/v2/Groups/"+gid, map[string]any{"op": "add", "path": "members", "value": []any{
		map[string]any{"value": e.users["alice@acme.test"]},
		map[string]any{"value": e.users["carol@acme.test"]},
		map[string]any{"value": e.users["dave@acme.test"]},
	}})
	sent := c.requests.Load()
	lap("scim")

	b := e.admin
	// Members: the provisioned people with their status and SCIM badge.
	b.submit("nav-members")
	wantPath(t, b, `^`+regexp.QuoteMeta(e.teamPath("/members")))
	members := map[string]map[string]string{}
	for _, r := range b.rows(tid("member-row")) {
		members[strings.ToLower(r["data-email"])] = r
	}
	want := map[string][2]string{ // email → status, scim
		adminEmail:        {"active", "false"},
		"alice@acme.test": {"active", "true"},
		"bob@acme.test":   {"deactivated", "true"},
		"carol@acme.test": {"active", "true"},
		"dave@acme.test":  {"active", "true"},
		scimMemberEmail:   {"invited", "true"},
	}
	for email, w := range want {
		r, ok := members[email]
		if !ok {
			t.Errorf("no member-row for %s (rows %v)", email, keys(members))
			continue
		}
		if r["data-status"] != w[0] || r["data-scim"] != w[1] {
			t.Errorf("member-row %s: status %q scim %q, want %q %q", email, r["data-status"], r["data-scim"], w[0], w[1])
		}
	}
	b.screenshot("members")
	// A SCIM-managed member cannot be removed here while SCIM is on: the
	// row explains why instead of offering the button.
	alice := tid("member-row") + `[data-email="alice@acme.test"] `
	if b.count(alice+tid("member-remove")) != 0 || b.count(alice+tid("member-remove-refused")) != 1 {
		t.Errorf("Alice's row (SCIM-managed): %d member-remove, %d member-remove-refused; want 0 and 1",
			b.count(alice+tid("member-remove")), b.count(alice+tid("member-remove-refused")))
	}
	// Search narrows the list.
	b.fill(tid("member-search"), "carol")
	b.submit("member-search-submit")
	if rows := b.rows(tid("member-row")); len(rows) != 1 || !strings.EqualFold(rows[0]["data-email"], "carol@acme.test") {
		t.Errorf("search carol: rows %v", rows)
	}
	// A member's page.
	b.open(e.teamPath("/members"))
	b.submitSel(tid("member-row") + `[data-email="alice@acme.test"] a`)
	wantPath(t, b, `^`+regexp.QuoteMeta(e.teamPath("/members/")))
	if b.has("member-remove") || !b.has("member-remove-refused") || b.text("member-remove-refused") == "" {
		t.Error("Alice's page: want member-remove-refused with the reason and no member-remove")
	}
	b.screenshot("member")

	lap("members")
	// Groups: Engineering with its three members.
	b.submit("nav-groups")
	groups := b.rows(tid("group-row") + `[data-name="Engineering"]`)
	if len(groups) != 1 || groups[0]["data-members"] != "3" {
		t.Fatalf("group-row Engineering: %v, want one row with data-members=3", groups)
	}
	b.screenshot("groups")
	b.submitSel(tid("group-row") + `[data-name="Engineering"] a`)
	gm := b.rows(tid("group-member-row"))
	if len(gm) != 3 {
		t.Errorf("group page: %d group-member-row, want 3: %v", len(gm), gm)
	}
	b.screenshot("group")

	lap("groups")
	// Activity: the requests, and the failure alone when filtered.
	// The activity is recorded in the background: reload until the last
	// request is in.
	b.submit("nav-activity")
	b.reloadUntil("the last PATCH in the activity", func() bool {
		return b.count(tid("activity-row")+`[data-method="PATCH"]`) >= 2
	})
	all := b.rows(tid("activity-row"))
	if len(all) < 10 {
		t.Errorf("activity shows %d rows after %d SCIM requests", len(all), sent)
	}
	if !slices.ContainsFunc(all, func(r map[string]string) bool { return r["data-method"] == "PATCH" && r["data-status"] == "200" }) &&
		!slices.ContainsFunc(all, func(r map[string]string) bool { return r["data-method"] == "PATCH" && r["data-status"] == "204" }) {
		t.Errorf("no successful PATCH in the activity: %v", all)
	}
	b.screenshot("activity")
	b.submit("activity-failures-only")
	failures := b.rows(tid("activity-row"))
	if len(failures) == 0 {
		t.Fatal("no activity-row when filtered to failures; the duplicate POST got 409")
	}
	for _, r := range failures {
		if n, _ := strconv.Atoi(r["data-status"]); n < 400 {
			t.Errorf("failures view shows status %q", r["data-status"])
		}
	}
	if !slices.ContainsFunc(failures, func(r map[string]string) bool { return r["data-status"] == "409" && r["data-method"] == "POST" }) {
		t.Errorf("the 409 of the duplicate POST is not in the failures view: %v", failures)
	}
	if !b.has("activity-explanation") || b.text("activity-explanation") == "" {
		t.Error("no activity-explanation for the failure")
	}
	b.screenshot("activity-failures")

	lap("activity")
	// Audit: the administrator's and the key's changes.
	b.submit("nav-audit")
	actions := map[string]int{}
	for _, r := range b.rows(tid("audit-row")) {
		actions[r["data-action"]]++
	}
	for _, a := range []string{"scim.enabled", "key.created", "user.created", "user.deactivated", "group.created"} {
		if actions[a] == 0 {
			t.Errorf("no audit-row with data-action=%s (actions %v)", a, actions)
		}
	}
	b.screenshot("audit")
	b.fill(tid("audit-filter-action"), "key.created")
	b.submit("audit-filter-submit")
	filtered := b.rows(tid("audit-row"))
	if len(filtered) == 0 {
		t.Error("audit filtered to key.created shows nothing")
	}
	for _, r := range filtered {
		if r["data-action"] != "key.created" {
			t.Errorf("audit filtered to key.created shows %q", r["data-action"])
		}
	}
	for _, id := range []string{"audit-export-csv", "audit-export-jsonl"} {
		href := b.attr(tid(id), "href")
		u, err := url.Parse(href)
		if err != nil || !strings.Contains(u.Path, "/audit/export") {
			t.Errorf("%s href %q", id, href)
		}
	}

	lap("audit")
	// Dashboard: the counts by status, the charts, the last sync per key.
	b.submit("nav-dashboard")
	b.reloadUntil("the dashboard counting every request", func() bool {
		n, err := strconv.Atoi(b.text("dash-requests-24h"))
		return err == nil && n >= int(sent)
	})
	page, err := e.api.Members(ctx, e.team, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]int{}
	for _, m := range page.Members {
		byStatus[m.Status]++
	}
	for _, s := range []string{"active", "deactivated", "invited"} {
		if got := b.text("dash-members-" + s); got != strconv.Itoa(byStatus[s]) {
			t.Errorf("dash-members-%s = %q, want %d (the API's members %v)", s, got, byStatus[s], byStatus)
		}
	}
	if byStatus["active"] != 4 || byStatus["deactivated"] != 1 {
		t.Errorf("the API counts %v; want 4 active (Ada, Alice, Carol, Dave) and 1 deactivated (Bob)", byStatus)
	}
	if n := atoi(t, b.text("dash-requests-24h")); n < int(sent) {
		t.Errorf("dash-requests-24h = %d, want ≥ %d (the SCIM requests sent)", n, sent)
	}
	if n := atoi(t, b.text("dash-failures-24h")); n < 1 {
		t.Errorf("dash-failures-24h = %d, want ≥ 1", n)
	}
	for _, id := range []string{"dash-chart-24h", "dash-chart-30d"} {
		if b.count(tid(id)+" svg, svg"+tid(id)) == 0 {
			t.Errorf("%s has no svg", id)
		}
	}
	if b.count(tid("dash-last-sync")+`[data-key-id="`+e.keyID+`"]`) != 1 {
		t.Errorf("no dash-last-sync row for the key %s: %v", e.keyID, b.rows(tid("dash-last-sync")))
	}
	b.screenshot("dashboard")
	lap("dashboard")
}

// atoi parses a count shown on the page (digits, maybe with separators).
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.NewReplacer(",", "", " ", "", "\u202f", "", "\u00a0", "").Replace(s))
	if err != nil {
		t.Fatalf("%q is not a count", s)
	}
	return n
}

// keys lists a map's keys, sorted.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// testGuidesAndDomains: the setup guides show this deployment's base URL;
// a domain shows the TXT record to publish.
func testGuidesAndDomains(t *testing.T, e *browserEnv) {
	b := e.admin
	for _, idp := range []string{"okta", "entra", "onelogin", "jumpcloud"} {
		b.open(e.teamPath("/guides/" + idp))
		want := e.base + "/scim/v2"
		if idp == "entra" {
			want += "?aadOptscim062020" // Entra's flag for RFC-compliant PATCH
		}
		if got := b.text("guide-base-url"); got != want {
			t.Errorf("guide %s: guide-base-url %q, want %q", idp, got, want)
		}
		b.screenshot("guide-" + idp)
	}
	b.submit("nav-domains")
	b.fill(tid("domain-input"), "acme.test")
	b.submit("domain-add")
	rows := b.rows(tid("domain-row") + `[data-domain="acme.test"]`)
	if len(rows) != 1 || rows[0]["data-verified"] != "false" {
		t.Fatalf("domain-row acme.test: %v, want one unverified row", rows)
	}
	if txt := b.text("domain-txt"); !strings.Contains(txt, "roster-verification=") {
		t.Errorf("domain-txt %q does not show the record value", txt)
	}
	b.screenshot("domains")
}

// testKeyboard: Tab reaches the generate-key button with a visible focus
// ring, and Enter generates the key.
func testKeyboard(t *testing.T, e *browserEnv) {
	b := e.admin
	b.open(e.teamPath("/scim"))
	b.fill(tid("key-name"), "Keyboard")
	b.do("blur", discard(chromedp.Evaluate[bool](`document.activeElement && document.activeElement.blur(); true`)))
	focusVisible := 0
	reached := false
	for i := 0; i < 80 && !reached; i++ {
		b.do("press Tab", chromedp.KeyEvent("\t"))
		f := eval[map[string]string](b, `(() => { const e = document.activeElement; if (!e || e === document.body) return {};
			const s = getComputedStyle(e);
			return {testid: e.getAttribute("data-testid") || "", tag: e.tagName, outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow}; })()`)
		if f["tag"] == "" {
			continue
		}
		if f["outline"] != "none" && f["width"] != "0px" || f["shadow"] != "none" && f["shadow"] != "" {
			focusVisible++
		} else {
			t.Errorf("focused %s %s has no visible focus (outline %s %s, box-shadow %s)", f["tag"], f["testid"], f["outline"], f["width"], f["shadow"])
		}
		reached = f["testid"] == "key-generate"
	}
	if !reached {
		t.Fatal("Tab never reached key-generate")
	}
	b.do("mark page", discard(chromedp.Evaluate[bool](markJS)))
	b.do("press Enter", chromedp.KeyEvent("\r"))
	b.waitNewPage("after Enter on key-generate")
	b.waitVisible(tid("new-key-secret"))
	if b.count(tid("key-row")+`[data-key-name="Keyboard"][data-status="ACTIVE"]`) != 1 {
		t.Errorf("Enter on key-generate made no ACTIVE key named Keyboard: %v", b.rows(tid("key-row")))
	}
	t.Logf("%d focused controls, all with a visible focus indicator", focusVisible)
}

// testDeveloper: an invited Developer signs in in a browser of their own
// and sees no admin actions, and the server refuses their admin POSTs.
func testDeveloper(t *testing.T, e *browserEnv) {
	ctx := context.Background()
	b := e.admin
	b.open(e.teamPath("/members"))
	b.fill(tid("invite-email"), devEmail)
	b.fill(tid("invite-role"), "developer")
	b.submit("invite-submit")
	wantFlash(t, b, "ok")
	if b.count(tid("invitation-row")+`[data-email="`+devEmail+`"]`) != 1 {
		t.Fatalf("no invitation-row for %s: %v", devEmail, b.rows(tid("invitation-row")))
	}
	b.screenshot("members-invited")

	// The developer signs up and accepts (through the API).
	dc := newAPIClient(t, e.base)
	if _, err := dc.SignUp(ctx, roster.SignUpRequest{Email: devEmail, Password: devPassword, DisplayName: "Dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := dc.SignIn(ctx, devEmail, devPassword); err != nil {
		t.Fatal(err)
	}
	inv, err := dc.MyInvitation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dc.AcceptInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}

	d := newTab(t, e.browser, e.base, true)
	signIn(t, d, devEmail, devPassword)
	d.open(e.teamPath("/scim"))
	for _, id := range []string{"key-generate", "scim-toggle", "key-revoke", "key-regenerate", "check-run"} {
		if d.has(id) {
			t.Errorf("a Developer sees %s on the SCIM page", id)
		}
	}
	d.screenshot("scim-developer")
	d.open(e.teamPath("/members"))
	if d.count(tid("member-row")) == 0 {
		t.Error("a Developer sees no members")
	}
	for _, id := range []string{"member-remove", "member-role-save", "invite-submit"} {
		if d.has(id) {
			t.Errorf("a Developer sees %s on the members page", id)
		}
	}
	d.open(e.teamPath("/members/" + e.users["alice@acme.test"]))
	for _, id := range []string{"member-remove", "member-role-save", "member-role-select"} {
		if d.has(id) {
			t.Errorf("a Developer sees %s on a member's page", id)
		}
	}

	// The server refuses what the page does not offer.
	session, csrf := d.sessionCookie(), d.csrfToken()
	before, _ := e.api.SCIMKeys(ctx, e.team)
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{e.teamPath("/scim/keys"), url.Values{"name": {"sneaky"}}},
		{e.teamPath("/scim/toggle"), url.Values{"enabled": {"off"}}},
		{e.teamPath("/scim/keys/" + e.keyID + "/revoke"), nil},
		{e.teamPath("/members/" + e.users["alice@acme.test"] + "/remove"), nil},
	} {
		form := post.form
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf", csrf)
		if st, loc, _ := rawPost(t, e.base, post.path, session, form); st != http.StatusForbidden {
			t.Errorf("Developer POST %s: %d %s, want 403", post.path, st, loc)
		}
	}
	after, _ := e.api.SCIMKeys(ctx, e.team)
	if len(after) != len(before) {
		t.Errorf("a Developer's POSTs changed the keys: %d → %d", len(before), len(after))
	}
	for _, k := range after {
		if k.ID == e.keyID && k.Status != "ACTIVE" {
			t.Errorf("a Developer's POST revoked the key: %s", k.Status)
		}
	}
	if s, _ := e.api.SCIMSettings(ctx, e.team); !s.Enabled {
		t.Error("a Developer's POST turned SCIM off")
	}
	if _, err := e.api.Member(ctx, e.team, e.users["alice@acme.test"]); err != nil {
		t.Errorf("a Developer's POST removed Alice: %v", err)
	}

	// The administrator removes the Developer, through the confirmation.
	b.open(e.teamPath("/members"))
	row := tid("member-row") + `[data-email="` + devEmail + `"]`
	b.do("click member-remove", chromedp.Click(chromedp.CSS(row+" "+tid("member-remove"))))
	b.waitVisible(tid("member-remove-confirm"))
	b.submitSel(tid("member-remove-confirm"))
	wantFlash(t, b, "ok")
	if b.count(row) != 0 {
		t.Errorf("the removed Developer is still listed: %v", b.rows(row))
	}
	// Their next page no longer shows the team.
	d.open(e.teamPath("/members"))
	if d.count(tid("member-row")) != 0 {
		t.Error("a removed Developer still sees the team's members")
	}
}

// csrfToken is the value of the page's csrf form field (the sign-out
// form is on every signed-in page).
func (b *tab) csrfToken() string {
	b.t.Helper()
	v := eval[string](b, `(() => { const e = document.querySelector('input[name="csrf"]'); return e ? e.value : ""; })()`)
	if v == "" {
		b.t.Fatalf("no csrf field on %s", b.location())
	}
	return v
}

// testSCIMMemberCannotLeave: Erin, provisioned by Okta onto her own
// account, accepts the invitation and signs in; her profile's leave,
// change-email and change-password are disabled with the reason shown,
// and the server refuses the leave.
func testSCIMMemberCannotLeave(t *testing.T, e *browserEnv) {
	ctx := context.Background()
	ec := apiClient(t, e.base, scimMemberEmail, scimMemberPassword)
	inv, err := ec.MyInvitation(ctx)
	if err != nil {
		t.Fatalf("Erin's invitation from Okta's provisioning: %v", err)
	}
	if _, err := ec.AcceptInvitation(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	me, err := ec.Me(ctx)
	if err != nil || !me.SCIMManaged {
		t.Fatalf("Erin after accepting: %+v %v; want a SCIM-managed member", me, err)
	}

	m := newTab(t, e.browser, e.base, true)
	signIn(t, m, scimMemberEmail, scimMemberPassword)
	m.open("/admin/profile")
	if got := m.text("profile-email"); !strings.Contains(got, scimMemberEmail) {
		t.Errorf("profile-email %q", got)
	}
	for _, id := range []string{"profile-leave", "profile-change-email", "profile-change-password"} {
		if !m.has(id) {
			t.Errorf("no %s on the profile page", id)
			continue
		}
		if eval[bool](m, fmt.Sprintf(`document.querySelector(%q).disabled`, tid(id))) != true {
			t.Errorf("%s is enabled for a SCIM-managed member", id)
		}
	}
	if !m.has("profile-scim-reason") || m.text("profile-scim-reason") == "" {
		t.Error("no profile-scim-reason explaining why")
	}
	m.screenshot("profile-scim")

	// The server refuses the leave the page does not offer (a POST made
	// by hand): back to the profile with the reason, or a 403 page.
	st, loc, _ := rawPost(t, e.base, "/admin/profile/leave", m.sessionCookie(), url.Values{"csrf": {m.csrfToken()}})
	refused := st == http.StatusForbidden || st == http.StatusSeeOther && strings.HasPrefix(loc, "/admin/profile")
	if !refused {
		t.Errorf("POST /admin/profile/leave: %d %s, want 303 to the profile or 403", st, loc)
	}
	if me, err := ec.Me(ctx); err != nil || me.Member == nil {
		t.Errorf("Erin left the team despite SCIM: %+v %v", me, err)
	}
	// The administrator's own profile: nothing is disabled.
	e.admin.open("/admin/profile")
	if e.admin.has("profile-scim-reason") {
		t.Error("the administrator's profile shows a SCIM reason")
	}
	e.admin.screenshot("profile")
}

// testCSRF: a form POST with no or a wrong csrf field is refused and
// changes nothing, in the browser and from outside.
func testCSRF(t *testing.T, e *browserEnv) {
	ctx := context.Background()
	b := e.admin
	before, err := e.api.SCIMKeys(ctx, e.team)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, js string }{
		{"NoCSRF", `f.querySelector('input[name="csrf"]').remove()`},
		{"WrongCSRF", `f.querySelector('input[name="csrf"]').value = "wrong-token"`},
	} {
		b.open(e.teamPath("/scim"))
		b.fill(tid("key-name"), c.name)
		_ = eval[bool](b, `(() => { const f = document.querySelector('[data-testid="key-generate"]').form; `+c.js+`; return true; })()`)
		b.submit("key-generate")
		if b.has("new-key-secret") {
			t.Errorf("%s: the page shows a new key", c.name)
		}
		if got := b.attr(tid("error-page"), "data-status"); got != "403" {
			t.Errorf("%s: error-page status %q, want 403", c.name, got)
		}
		if c.name == "WrongCSRF" {
			b.screenshot("error-csrf")
		}
	}
	for _, csrf := range []string{"", "wrong-token"} {
		st, _, _ := rawPost(t, e.base, e.teamPath("/scim/keys"), b.sessionCookie(), url.Values{"name": {"Outside"}, "csrf": {csrf}})
		if st != http.StatusForbidden {
			t.Errorf("POST with csrf %q from outside: %d, want 403", csrf, st)
		}
	}
	after, err := e.api.SCIMKeys(ctx, e.team)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		var names []string
		for _, k := range after {
			names = append(names, k.Name)
		}
		t.Errorf("POSTs without a valid csrf made keys: %d → %d %v", len(before), len(after), names)
	}
}

// testNoJavaScript: with JavaScript off every action still works as a
// plain form (no copy button, no dialog: the form submits at once).
func testNoJavaScript(t *testing.T, e *browserEnv) {
	n := newTab(t, e.browser, e.base, true)
	ctx, cancel := context.WithTimeout(n.ctx, stepTimeout)
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, n, adminEmail, adminPassword)
	n.open(e.teamPath("/scim"))
	n.fill(tid("key-name"), "NoJS")
	n.submit("key-generate")
	secret := n.text("new-key-secret")
	if !strings.HasPrefix(secret, "rsk_") {
		t.Fatalf("no key shown without JavaScript: %q", secret)
	}
	maskSecret(secret)
	if n.count(tid("copy-key")+":not([hidden])") != 0 {
		t.Error("the copy button shows without JavaScript (it cannot work)")
	}
	row := tid("key-row") + `[data-key-name="NoJS"]`
	n.submitSel(row + " " + tid("key-revoke"))
	wantFlash(t, n, "ok")
	if got := n.attr(row, "data-status"); got != "REVOKED" {
		t.Errorf("revoke without JavaScript: status %q", got)
	}
	// (No screenshot: the capture waits for animation frames, which do
	// not run with scripts off; the page looks like scim-key anyway.)
}

// testRevokeKey revokes the key through the confirmation; the next SCIM
// request with it gets 401.
func testRevokeKey(t *testing.T, e *browserEnv) {
	ctx := context.Background()
	b := e.admin
	b.open(e.teamPath("/scim"))
	row := tid("key-row") + `[data-key-id="` + e.keyID + `"]`
	b.do("click key-revoke", chromedp.Click(chromedp.CSS(row+" "+tid("key-revoke"))))
	b.waitVisible(tid("key-revoke-confirm"))
	keys, _ := e.api.SCIMKeys(ctx, e.team)
	for _, k := range keys {
		if k.ID == e.keyID && k.Status != "ACTIVE" {
			t.Fatal("the key is revoked before the confirmation")
		}
	}
	b.screenshotViewport("key-revoke-dialog")
	b.submitSel(tid("key-revoke-confirm") + ":not([hidden])")
	wantFlash(t, b, "ok")
	if got := b.attr(row, "data-status"); got != "REVOKED" {
		t.Fatalf("key-row status after revoking: %q", got)
	}
	failuresBefore := len(activityFailures(t, e))

	st, _ := okta(e.base, e.secret).do("GET", "/scim/v2/Users?count=1", nil)
	if st != http.StatusUnauthorized {
		t.Fatalf("SCIM request with the revoked key: %d, want 401", st)
	}
	keys, _ = e.api.SCIMKeys(ctx, e.team)
	for _, k := range keys {
		if k.ID == e.keyID && k.LastUsedAt == nil {
			t.Error("the revoked key shows no last use")
		}
	}
	// A genuine key refused (revoked) still names its team, so the 401 is
	// recorded in that team's activity (recorded in the background:
	// reload until it shows).
	b.open(e.teamPath("/activity?failures=1"))
	b.reloadUntil("the revoked key's 401 in the failures view", func() bool {
		return b.count(tid("activity-row")+`[data-status="401"]`) > 0
	})
	if n := b.count(tid("activity-row")); n <= failuresBefore {
		t.Errorf("failures view: %d rows after the 401, %d before", n, failuresBefore)
	}
	if !b.has("activity-explanation") || !strings.Contains(strings.ToLower(b.text("activity-explanation")+b.text("activity-fix")), "revoked") {
		t.Errorf("the 401's explanation does not say the key was revoked: %q / %q", b.text("activity-explanation"), b.text("activity-fix"))
	}
	b.screenshot("activity-revoked")
	b.open(e.teamPath("/scim"))
	b.screenshot("scim")
}

// activityFailures lists the failure rows of the activity view.
func activityFailures(t *testing.T, e *browserEnv) []map[string]string {
	t.Helper()
	e.admin.open(e.teamPath("/activity?failures=1"))
	return e.admin.rows(tid("activity-row"))
}

// testSessionExpiry: a session ended elsewhere (signed out in another tab)
// sends the next page to the login; a forged cookie too; a wrong password
// is refused; signing in again works.
func testSessionExpiry(t *testing.T, e *browserEnv) {
	b := e.admin
	old := b.sessionCookie()
	other := newTab(t, e.browser, e.base, false) // same cookie jar
	other.open(e.teamPath("/"))
	other.submit("signout")
	wantPath(t, other, `^/admin/login`)
	// The first tab still holds the old cookie value: put it back and
	// check the server ended the session.
	b.setSessionCookie(old)
	b.open(e.teamPath("/members"))
	wantPath(t, b, `^/admin/login`)
	if k, _ := b.flash(); k != "error" {
		t.Errorf("the login page after an ended session shows flash kind %q, want error (\"session ended\")", k)
	}
	b.setSessionCookie("forged-session-value")
	b.open(e.teamPath("/scim"))
	wantPath(t, b, `^/admin/login`)
	b.setSessionCookie("")

	b.open("/admin/login")
	b.fill(formField("login-submit", "email"), adminEmail)
	b.fill(formField("login-submit", "password"), "not the password")
	b.submit("login-submit")
	wantPath(t, b, `^/admin/login`)
	if !b.has("login-error") {
		t.Error("no login-error after a wrong password")
	}
	b.screenshot("login-error")
	signIn(t, b, adminEmail, adminPassword)
	wantPath(t, b, `^`+regexp.QuoteMeta(e.teamPath("/"))+`$`)
	b.open("/admin/login")
	b.setSessionCookie("")
	b.open("/admin/login")
	b.screenshot("login")
}
