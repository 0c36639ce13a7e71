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

var txtRE = regexp.MustCompile(`data-testid="domain-txt">([^<]+)<`)

// Add a domain, publish its TXT record, verify, see the last check,
// remove it.
func TestDomains(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	r := b.submit(Prefix+"/t/acme/domains", url.Values{"domain": {"Acme.test"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.status)
	}
	p := b.follow(r)
	m := txtRE.FindStringSubmatch(p.body)
	if m == nil || !strings.Contains(p.body, `data-testid="domain-row" data-domain="acme.test" data-verified="false"`) {
		t.Fatalf("domain row: %s", clip(p.body, 3000))
	}
	ds, err := e.sdk(adminEmail, adminPassword).Domains(context.Background(), teamSlug)
	if err != nil || len(ds) != 1 || ds[0].RecordValue != m[1] || !strings.Contains(p.body, ds[0].RecordName) {
		t.Fatalf("the page's TXT record is not the API's: %v %v", ds, err)
	}

	// Not published yet: the check result says so.
	p = b.follow(b.submit(Prefix+"/t/acme/domains/acme.test/verify", nil))
	if !strings.Contains(p.body, `data-kind="error"`) || !strings.Contains(p.body, `data-verified="false"`) || strings.Contains(p.body, "not checked yet") {
		t.Errorf("unpublished record: %s", clip(p.body, 3000))
	}
	e.dns.Set(ds[0].RecordName, ds[0].RecordValue)
	p = b.follow(b.submit(Prefix+"/t/acme/domains/acme.test/verify", nil))
	if !strings.Contains(p.body, `data-kind="ok"`) || !strings.Contains(p.body, `data-verified="true"`) {
		t.Errorf("published record: not verified")
	}

	// A bad domain is refused with the API's reason.
	p = b.follow(b.submit(Prefix+"/t/acme/domains", url.Values{"domain": {"not a domain"}}))
	if !strings.Contains(p.body, `data-kind="error"`) || testIDs(p.body, "domain-row") != 1 {
		t.Errorf("bad domain accepted")
	}
	p = b.follow(b.submit(Prefix+"/t/acme/domains/acme.test/remove", nil))
	if testIDs(p.body, "domain-row") != 0 || !strings.Contains(p.body, `data-kind="ok"`) {
		t.Errorf("remove: domain still listed")
	}
}

// Self-service: a person changes their password and email; a
// SCIM-managed member sees the actions disabled with the reason, and the
// API refuses them if forced.
func TestProfile(t *testing.T) {
	e := newEnv(t)
	b := e.setupAdmin()
	ctx := context.Background()

	elsewhere := e.signIn(adminEmail, adminPassword)
	r := b.submit(Prefix+"/profile/password", url.Values{"current": {adminPassword}, "new": {"another-long-password"}, "confirm": {"another-long-password"}})
	if p := b.follow(r); !strings.Contains(p.body, `data-kind="ok"`) {
		t.Fatalf("change password: %s", clip(p.body, 2000))
	}
	// This browser stays signed in (with the new password); the other
	// session has ended.
	if r := elsewhere.get(Prefix + "/profile"); r.status != http.StatusSeeOther {
		t.Errorf("the other session survived the password change: %d", r.status)
	}
	if r := b.submit(Prefix+"/profile/password", url.Values{"current": {"x"}, "new": {"y-long-password"}, "confirm": {"z-long-password"}}); !strings.Contains(b.follow(r).body, "differ") {
		t.Errorf("mismatched confirmation accepted")
	}
	r = b.submit(Prefix+"/profile/password", url.Values{"current": {"wrong-password-x"}, "new": {"third-long-password"}, "confirm": {"third-long-password"}})
	if p := b.follow(r); !strings.Contains(p.body, `data-kind="error"`) {
		t.Errorf("wrong current password accepted")
	}
	r = b.submit(Prefix+"/profile/email", url.Values{"email": {"ann2@example.com"}})
	if p := b.follow(r); !strings.Contains(p.body, `data-testid="profile-email">ann2@example.com<`) {
		t.Errorf("change email: %s", clip(p.body, 2000))
	}

	// Sam is SCIM-managed: his account joins through SCIM on a verified
	// domain.
	admin := e.sdk("ann2@example.com", "another-long-password")
	d, err := admin.AddDomain(ctx, teamSlug, "acme.test")
	if err != nil {
		t.Fatal(err)
	}
	e.dns.Set(d.RecordName, d.RecordValue)
	if _, err := admin.VerifyDomain(ctx, teamSlug, "acme.test"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SetSCIM(ctx, teamSlug, true); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateSCIMKey(ctx, teamSlug, roster.CreateKeyRequest{Name: "okta"})
	if err != nil {
		t.Fatal(err)
	}
	sdk, err := roster.NewClient(e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.SignUp(ctx, roster.SignUpRequest{Email: "sam@acme.test", Password: "sams-long-password"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/scim/v2/Users", strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"sam@acme.test","name":{"givenName":"Sam","familyName":"S"},"active":true}`))
	req.Header.Set("Authorization", "Bearer "+key.Secret)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("SCIM create: %v %v", res, err)
	}
	res.Body.Close()

	sam := e.signIn("sam@acme.test", "sams-long-password")
	p := sam.get(Prefix + "/profile")
	if testIDs(p.body, "profile-scim-reason") != 1 {
		t.Fatalf("no SCIM reason on a managed member's profile")
	}
	for _, id := range []string{"profile-leave", "profile-change-email", "profile-change-password"} {
		if !regexp.MustCompile(`data-testid="` + id + `" disabled`).MatchString(p.body) {
			t.Errorf("%s not disabled", id)
		}
	}
	// Forced anyway: refused with the API's reason, and he is still in.
	p = sam.follow(sam.submit(Prefix+"/profile/leave", nil))
	if !strings.Contains(p.body, `data-kind="error"`) || !strings.Contains(p.body, `data-testid="profile-email">sam@acme.test<`) {
		t.Errorf("forced leave: %s", clip(p.body, 2000))
	}
	me, err := e.sdk("sam@acme.test", "sams-long-password").Me(ctx)
	if err != nil || me.Team == nil {
		t.Errorf("sam left the team: %+v %v", me, err)
	}
	// An unmanaged member's actions are enabled.
	if p := b.get(Prefix + "/profile"); testIDs(p.body, "profile-scim-reason") != 0 || strings.Contains(p.body, `data-testid="profile-leave" disabled`) {
		t.Errorf("admin's profile shows SCIM locks")
	}
}
