package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// GET /api/v1/setup says whether first-run setup is open; GET
// /api/v1/session gives a cookie session's CSRF token to a page whose
// cookie is HttpOnly.
func TestAPISetupStateAndSession(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		st, err := e.client().SetupState(ctx)
		must(t, err, "setup state")
		if !st.Open {
			t.Fatal("setup not open on an empty database")
		}
		wantAPIError(t, e.raw("GET", "/api/v1/session", "", nil), 401, "unauthenticated", "session without a cookie")

		c := e.client()
		res, err := c.Setup(ctx, roster.SetupRequest{Email: adminEmail, Password: adminPass, TeamSlug: "acme"})
		must(t, err, "setup")
		st, err = e.client().SetupState(ctx)
		must(t, err, "setup state after setup")
		if st.Open {
			t.Fatal("setup still open after setup")
		}
		s, err := c.Session(ctx)
		must(t, err, "session")
		if s.CSRFToken == "" || s.CSRFToken != res.Session.CSRFToken || !s.ExpiresAt.Equal(res.Session.ExpiresAt) {
			t.Fatalf("session = %+v, setup said %+v", s, res.Session)
		}
		// A signed-in client gets its own session's token.
		c2 := e.signedIn(adminEmail, adminPass)
		s2, err := c2.Session(ctx)
		must(t, err, "second session")
		if s2.CSRFToken == s.CSRFToken || s2.CSRFToken != c2.CSRFToken() {
			t.Fatalf("second session token %q (client %q, first %q)", s2.CSRFToken, c2.CSRFToken(), s.CSRFToken)
		}
		// A personal token has no session.
		tok, err := c.CreateToken(ctx, roster.CreateKeyRequest{Name: "ci"})
		must(t, err, "token")
		_, err = e.client(roster.WithToken(tok.Secret)).Session(ctx)
		wantErr(t, err, 400, "notSession", "session with a personal token")
		// A stale cookie is 401.
		wantAPIError(t, e.raw("GET", "/api/v1/session", "", map[string]string{"Cookie": roster.SessionCookie + "=rss_stale"}),
			401, "", "stale session")
	})
}

// POST /api/v1/teams/{team}/scim/check runs `roster check` from the
// server with one of the team's keys.
func TestAPISCIMCheck(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		c, _ := setup(t, e)
		key, err := c.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "okta"})
		must(t, err, "key")

		// SCIM off: the first step fails with the 403 explained.
		rep, err := c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret, IdP: "okta"})
		must(t, err, "check with SCIM off")
		if rep.OK || len(rep.Steps) == 0 || rep.Steps[0].Verdict != roster.CheckFail || !strings.Contains(rep.Steps[0].Got, "403") || rep.Steps[0].Fix == "" {
			t.Fatalf("check with SCIM off = %+v", rep)
		}
		_, err = c.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		for _, idp := range []string{"", "okta", "entra", "onelogin", "generic"} {
			rep, err = c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: "Bearer " + key.Secret, IdP: idp})
			must(t, err, "check "+idp)
			if !rep.OK || !strings.HasSuffix(rep.Base, "/scim/v2") || len(rep.Steps) == 0 {
				t.Fatalf("check %s = %+v", idp, rep)
			}
			for _, s := range rep.Steps {
				if s.Verdict != roster.CheckPass && s.Verdict != roster.CheckWarn && s.Verdict != roster.CheckSkip {
					t.Errorf("%s: step %q verdict %q: %s", idp, s.Name, s.Verdict, s.Detail)
				}
			}
		}
		// The write round trip creates and removes its test data.
		rep, err = c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret, Write: true})
		must(t, err, "write check")
		if !rep.OK {
			t.Fatalf("write check = %+v", rep)
		}

		// Another team's key, a malformed key, an unknown IdP: 400, and
		// the key is never echoed.
		other, err := e.adm.CreateTeam(ctx, "other", "Other")
		must(t, err, "other team")
		theirs, err := e.adm.CreateKey(ctx, other.ID, "theirs", "cli", 0)
		must(t, err, "their key")
		pat, err := c.CreateToken(ctx, roster.CreateKeyRequest{Name: "check"})
		must(t, err, "token")
		for _, k := range []string{theirs.Secret, "rsk_not-a-key", ""} {
			r := e.raw("POST", "/api/v1/teams/acme/scim/check", `{"key":"`+k+`"}`, map[string]string{"Authorization": "Bearer " + pat.Secret})
			wantAPIError(t, r, 400, "unknownKey", "foreign or malformed key")
			if k != "" && strings.Contains(string(r.body), k) {
				t.Errorf("the key is echoed: %s", r.body)
			}
		}
		_, err = c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret, IdP: "pingfederate"})
		wantErr(t, err, 400, "invalidIdP", "unknown IdP")

		// A revoked key: the check runs and shows the 401.
		must(t, c.RevokeSCIMKey(ctx, "acme", key.Key.ID), "revoke")
		rep, err = c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret})
		must(t, err, "check with a revoked key")
		if rep.OK || !strings.Contains(rep.Steps[0].Got, "401") {
			t.Fatalf("check with a revoked key = %+v", rep)
		}

		// Not for Developers, not without credentials.
		inv, err := c.Invite(ctx, "acme", roster.InviteRequest{Email: "dev@example.com", Role: roster.RoleDeveloper})
		must(t, err, "invite")
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "dev@example.com", Password: "developer password"})
		must(t, err, "sign up")
		dev := e.signedIn("dev@example.com", "developer password")
		_, err = dev.AcceptInvitation(ctx, inv.ID)
		must(t, err, "accept")
		_, err = dev.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret})
		wantErr(t, err, 403, "", "developer check")
		wantAPIError(t, e.raw("POST", "/api/v1/teams/acme/scim/check", `{"key":"x"}`, nil), 401, "", "anonymous check")
		e.noSecretsLogged(key.Secret, theirs.Secret)
	})
}

// Behind a proxy under a path (--base-url https://example.test/roster),
// the check still reaches the SCIM handler in process.
func TestAPISCIMCheckBasePath(t *testing.T) {
	b := provisiontest.Backends(t)[0]
	st := b.Open(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	adm := admin.New(st, admin.WithPasswordCost(1, 64))
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	t.Cleanup(func() { _ = prov.Close(context.Background()) })
	ts := httptest.NewServer(httpapi.New(prov, httpapi.Config{Admin: adm, Logger: logger, BaseURL: "https://example.test/roster"}))
	t.Cleanup(ts.Close)
	ctx := context.Background()
	c, err := roster.NewClient(ts.URL)
	must(t, err, "client")
	_, err = c.Setup(ctx, roster.SetupRequest{Email: adminEmail, Password: adminPass, TeamSlug: "acme"})
	must(t, err, "setup")
	_, err = c.SetSCIM(ctx, "acme", true)
	must(t, err, "SCIM on")
	key, err := c.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "okta"})
	must(t, err, "key")
	rep, err := c.CheckSCIM(ctx, "acme", roster.SCIMCheckRequest{Key: key.Secret, IdP: "entra"})
	must(t, err, "check")
	if !rep.OK || rep.Base != "https://example.test/roster/scim/v2" {
		t.Fatalf("check behind a path = %+v", rep)
	}
}
