package webui

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
)

var secretRE = regexp.MustCompile(`data-testid="new-key-secret">([^<]+)<`)

// newKey generates a key through the page and returns the answer and the
// secret it shows.
func newKey(t *testing.T, b *browser, form url.Values) (resp, string) {
	t.Helper()
	r := b.submit(Prefix+"/t/acme/scim/keys", form)
	m := secretRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("generate key: %d %s", r.status, clip(r.body, 800))
	}
	return r, m[1]
}

// Every page of this file renders for an admin, with its admin actions.
func TestAdminPagesRender(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	base := e.ts.URL + "/scim/v2"
	pages := map[string][]string{
		Prefix + "/t/acme/scim":             {"scim-status", "scim-toggle", "scim-toggle-confirm", "scim-base-url", "copy-base-url", "key-name", "key-expiry", "key-generate", "check-key", "check-run"},
		Prefix + "/t/acme/domains":          {"domain-input", "domain-add"},
		Prefix + "/profile":                 {"profile-email", "profile-leave", "profile-change-email", "profile-change-password"},
		Prefix + "/t/acme/guides/okta":      {"guide-base-url"},
		Prefix + "/t/acme/guides/entra":     {"guide-base-url"},
		Prefix + "/t/acme/guides/onelogin":  {"guide-base-url"},
		Prefix + "/t/acme/guides/jumpcloud": {"guide-base-url"},
	}
	for path, ids := range pages {
		r := b.get(path)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", path, r.status)
			continue
		}
		for _, id := range append(ids, "nav-dashboard", "nav-scim", "nav-domains", "nav-members", "nav-groups", "nav-activity", "nav-audit", "nav-profile", "signout") {
			if testIDs(r.body, id) != 1 {
				t.Errorf("%s: data-testid %q found %d times", path, id, testIDs(r.body, id))
			}
		}
	}
	// The guides carry this deployment's base URL (Entra's with its flag).
	if r := b.get(Prefix + "/t/acme/guides/okta"); !strings.Contains(r.body, `data-testid="guide-base-url">`+base+`<`) {
		t.Errorf("okta guide: base URL %s missing", base)
	}
	if r := b.get(Prefix + "/t/acme/guides/entra"); !strings.Contains(r.body, `data-testid="guide-base-url">`+base+`?aadOptscim062020<`) {
		t.Errorf("entra guide: tenant URL missing")
	}
	if r := b.get(Prefix + "/t/acme/scim"); !strings.Contains(r.body, `data-testid="scim-base-url">`+base+`<`) ||
		!strings.Contains(r.body, `data-testid="scim-status" data-enabled="false">Off<`) {
		t.Errorf("scim page: base URL or status wrong")
	}
}

// The secret of a new key is in the answer that generated it and in no
// other answer, header or cookie; the key list shows it without it.
func TestKeySecretShownOnce(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	r, secret := newKey(t, b, url.Values{"name": {"okta"}, "expiresInDays": {"30"}})
	if !strings.HasPrefix(secret, "rsk_") || testIDs(r.body, "copy-key") != 1 {
		t.Fatalf("secret %q", secret)
	}
	// Shown in the secret box and prefilled in the test-connection field.
	if n := strings.Count(r.body, secret); n != 2 || !strings.Contains(r.body, `value="`+secret+`" data-testid="check-key"`) {
		t.Errorf("secret appears %d times in the generating answer", n)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			if strings.Contains(v, secret) {
				t.Errorf("secret in header %s", k)
			}
		}
	}
	rows := keyRows(b.get(Prefix + "/t/acme/scim").body)
	if len(rows) != 1 || rows[0]["name"] != "okta" || rows[0]["status"] != roster.KeyActive {
		t.Fatalf("key rows: %v", rows)
	}
	// Regenerating shows the new secret once too; the old key stays ACTIVE
	// for the overlap.
	r = b.submit(Prefix+"/t/acme/scim/keys/"+rows[0]["id"]+"/regenerate", url.Values{"overlapHours": {"24"}})
	m := secretRE.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || m[1] == secret {
		t.Fatalf("regenerate: %d", r.status)
	}
	second := m[1]
	rows = keyRows(r.body)
	if len(rows) != 2 || rows[0]["status"] != roster.KeyActive || rows[1]["status"] != roster.KeyActive {
		t.Fatalf("after regenerate: %v", rows)
	}
	// No later page shows either secret.
	for _, p := range []string{Prefix + "/t/acme/scim", Prefix + "/profile", Prefix + "/t/acme/domains", Prefix + "/t/acme/guides/okta", Prefix + "/"} {
		body := b.get(p).body
		if strings.Contains(body, secret) || strings.Contains(body, second) || strings.Contains(body, secret[4:14]+secret[14:]) {
			t.Errorf("%s shows a key secret", p)
		}
	}
	// Revoke: the row says REVOKED, with a flash message.
	r = b.submit(Prefix+"/t/acme/scim/keys/"+rows[1]["id"]+"/revoke", nil)
	if r.status != http.StatusSeeOther || strings.Contains(r.location(), "rsk_") {
		t.Fatalf("revoke: %d %q", r.status, r.location())
	}
	p := b.follow(r)
	rows = keyRows(p.body)
	if testIDs(p.body, "flash") != 1 || rows[1]["status"] != roster.KeyRevoked {
		t.Errorf("after revoke: %v", rows)
	}
	// A bad expiry is explained next to the form; no key is made.
	r = b.submit(Prefix+"/t/acme/scim/keys", url.Values{"name": {"x"}, "expiresInDays": {"-3"}})
	if r.status != http.StatusBadRequest || testIDs(r.body, "field-error") != 1 || len(keyRows(r.body)) != 2 {
		t.Errorf("bad expiry: %d", r.status)
	}
}

var keyRowRE = regexp.MustCompile(`data-testid="key-row" data-key-id="([^"]+)" data-key-name="([^"]*)" data-status="([A-Z]+)"`)

// keyRows reads the key rows of the SCIM page.
func keyRows(body string) []map[string]string {
	var out []map[string]string
	for _, m := range keyRowRE.FindAllStringSubmatch(body, -1) {
		out = append(out, map[string]string{"id": m[1], "name": m[2], "status": m[3]})
	}
	return out
}

var stepRE = regexp.MustCompile(`data-testid="check-step" data-step="([^"]*)" data-verdict="([a-z]+)"`)

// SCIM on/off and the connection test with the team's key, another
// team's key and a revoked key.
func TestSCIMToggleAndCheck(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	_, secret := newKey(t, b, url.Values{"name": {"okta"}})

	// SCIM is off: the test connection fails with the 403 explained.
	r := b.submit(Prefix+"/t/acme/scim/check", url.Values{"key": {secret}, "idp": {"okta"}})
	steps := stepRE.FindAllStringSubmatch(r.body, -1)
	if r.status != http.StatusOK || len(steps) == 0 || steps[0][2] != "fail" || !strings.Contains(r.body, "switched off") {
		t.Fatalf("check with SCIM off: %d %v", r.status, steps)
	}
	if strings.Contains(r.body, secret) {
		t.Error("the check answer echoes the key")
	}

	r = b.submit(Prefix+"/t/acme/scim/toggle", url.Values{"enabled": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("toggle: %d", r.status)
	}
	p := b.follow(r)
	if !strings.Contains(p.body, `data-testid="scim-status" data-enabled="true">On<`) || testIDs(p.body, "flash") != 1 {
		t.Fatalf("SCIM not on")
	}

	for _, idp := range []string{"okta", "entra", "onelogin", "generic"} {
		r = b.submit(Prefix+"/t/acme/scim/check", url.Values{"key": {secret}, "idp": {idp}})
		steps = stepRE.FindAllStringSubmatch(r.body, -1)
		if r.status != http.StatusOK || len(steps) == 0 {
			t.Fatalf("%s check: %d", idp, r.status)
		}
		for _, s := range steps {
			if s[2] == "fail" {
				t.Errorf("%s check: step %q failed", idp, s[1])
			}
		}
		if !strings.Contains(r.body, `data-testid="check-result" data-ok="true"`) {
			t.Errorf("%s check: not OK", idp)
		}
	}

	// Another team's key is refused without being echoed.
	ctx := context.Background()
	other, err := e.adm.CreateTeam(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	ok, err := e.adm.CreateKey(ctx, other.ID, "theirs", "cli", 0)
	if err != nil {
		t.Fatal(err)
	}
	r = b.submit(Prefix+"/t/acme/scim/check", url.Values{"key": {ok.Secret}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("foreign key: %d", r.status)
	}
	p = b.follow(r)
	if !strings.Contains(p.body, `data-kind="error"`) || strings.Contains(p.body, ok.Secret) || testIDs(p.body, "check-step") != 0 {
		t.Errorf("foreign key: not refused cleanly")
	}

	// Off again: the dialog explains what changes.
	p = b.get(Prefix + "/t/acme/scim")
	if !strings.Contains(p.body, "refused with <strong>403</strong>") || !strings.Contains(p.body, `name="enabled" value="off"`) {
		t.Errorf("the off confirmation does not explain the 403")
	}
	b.submit(Prefix+"/t/acme/scim/toggle", url.Values{"enabled": {"off"}})
	if s, _ := e.sdk(adminEmail, adminPassword).SCIMSettings(ctx, teamSlug); s.Enabled {
		t.Error("SCIM still on")
	}
}

// A state-changing form without the session's CSRF token, with a wrong
// one, or from another origin is refused and changes nothing.
func TestCSRFAndOrigin(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	good := b.csrf()
	cases := []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", url.Values{"enabled": {"on"}}, map[string]string{"Origin": b.origin}},
		{"wrong token", url.Values{"enabled": {"on"}, "csrf": {good + "x"}}, map[string]string{"Origin": b.origin}},
		{"other origin", url.Values{"enabled": {"on"}, "csrf": {good}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, c := range cases {
		r := b.postWith(Prefix+"/t/acme/scim/toggle", c.form, c.hdr)
		if r.status != http.StatusForbidden || testIDs(r.body, "error-page") != 1 {
			t.Errorf("%s: %d", c.name, r.status)
		}
		r = b.postWith(Prefix+"/t/acme/scim/keys", url.Values{"name": {"k"}, "csrf": c.form["csrf"]}, c.hdr)
		if r.status != http.StatusForbidden || strings.Contains(r.body, "rsk_") {
			t.Errorf("%s: key generation %d", c.name, r.status)
		}
	}
	c := e.sdk(adminEmail, adminPassword)
	s, err := c.SCIMSettings(context.Background(), teamSlug)
	keys, err2 := c.SCIMKeys(context.Background(), teamSlug)
	if err != nil || err2 != nil || s.Enabled || len(keys) != 0 {
		t.Fatalf("refused requests changed something: %+v %v %v %v", s, keys, err, err2)
	}
	// The same form with the token from the page works, and the audit log
	// records the browser's address and user agent (the transport passes
	// them to the API).
	if r := b.postWith(Prefix+"/t/acme/scim/toggle", url.Values{"enabled": {"on"}, "csrf": {good}},
		map[string]string{"Origin": b.origin, "User-Agent": "test-browser/1.0"}); r.status != http.StatusSeeOther {
		t.Errorf("with the token: %d", r.status)
	}
	page, err := c.Audit(context.Background(), teamSlug, roster.AuditQuery{Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("audit: %v %v", page, err)
	}
	if ev := page.Events[0]; ev.IP != "127.0.0.1" || ev.UserAgent != "test-browser/1.0" || ev.Actor.Kind != "account" {
		t.Errorf("audit event of the toggle = %+v", ev)
	}
}

// A Developer sees no admin action and gets the "Admin role" page on
// admin POSTs, which change nothing.
func TestDeveloperSeesNoAdminActions(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	b.submit(Prefix+"/t/acme/domains", url.Values{"domain": {"acme.test"}})
	e.addMember("dev@example.com", "developer-password", roster.RoleDeveloper)
	d := e.signIn("dev@example.com", "developer-password")
	adminOnly := []string{"scim-toggle", "key-generate", "key-row", "check-run", "domain-add", "domain-verify", "domain-remove", "nav-audit", "nav-activity"}
	for _, p := range []string{Prefix + "/t/acme/scim", Prefix + "/t/acme/domains", Prefix + "/profile"} {
		r := d.get(p)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d", p, r.status)
		}
		for _, id := range adminOnly {
			if testIDs(r.body, id) != 0 {
				t.Errorf("%s shows %s to a Developer", p, id)
			}
		}
	}
	if r := d.get(Prefix + "/t/acme/domains"); testIDs(r.body, "domain-row") != 1 {
		t.Error("a Developer does not see the team's domains")
	}
	posts := map[string]url.Values{
		Prefix + "/t/acme/scim/toggle":                 {"enabled": {"on"}},
		Prefix + "/t/acme/scim/keys":                   {"name": {"dev-key"}},
		Prefix + "/t/acme/scim/check":                  {"key": {"rsk_x"}},
		Prefix + "/t/acme/domains":                     {"domain": {"dev.test"}},
		Prefix + "/t/acme/domains/acme.test/remove":    {},
		Prefix + "/t/acme/scim/keys/any-id/revoke":     {},
		Prefix + "/t/acme/scim/keys/any-id/regenerate": {"overlapHours": {"0"}},
	}
	for path, form := range posts {
		r := d.submit(path, form)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "You need the Admin role") {
			t.Errorf("developer POST %s: %d %s", path, r.status, clip(r.body, 200))
		}
	}
	c := e.sdk(adminEmail, adminPassword)
	ctx := context.Background()
	s, _ := c.SCIMSettings(ctx, teamSlug)
	keys, _ := c.SCIMKeys(ctx, teamSlug)
	ds, _ := c.Domains(ctx, teamSlug)
	if s.Enabled || len(keys) != 0 || len(ds) != 1 {
		t.Errorf("a Developer changed something: %+v %v %v", s, keys, ds)
	}
}
