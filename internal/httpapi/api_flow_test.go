package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
)

const (
	adminEmail = "ada@acme.test"
	adminPass  = "correct horse battery staple"
)

// setup runs the first-run setup and returns the Super Admin's client and
// the team.
func setup(t *testing.T, e *apiEnv) (*roster.Client, roster.Team) {
	t.Helper()
	c := e.client()
	res, err := c.Setup(context.Background(), roster.SetupRequest{
		Email: adminEmail, Password: adminPass, DisplayName: "Ada", TeamSlug: "acme", TeamName: "Acme",
	})
	must(t, err, "setup")
	if res.Team.Slug != "acme" || res.Account.Email != adminEmail || res.Session.CSRFToken == "" {
		t.Fatalf("setup answered %+v", res)
	}
	return c, res.Team
}

// The customer's journey: empty database → team with SCIM on → a key an
// IdP uses → revoke, regenerate, expire → delete.
func TestAPISetupSCIMAndKeys(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		wantAPIError(t, e.raw("GET", "/api/v1/me", "", nil), 401, "unauthenticated", "me without credentials")

		c, team := setup(t, e)
		_, err := e.client().Setup(ctx, roster.SetupRequest{Email: "eve@evil.test", Password: adminPass, TeamSlug: "evil"})
		wantErr(t, err, 403, "setupDone", "second setup")

		me, err := c.Me(ctx)
		must(t, err, "me")
		if me.Member == nil || me.Member.Role != roster.RoleSuperAdmin || me.Team == nil || me.Team.ID != team.ID || me.AuthMethod != "session" {
			t.Fatalf("me = %+v", me)
		}

		// SCIM starts off: a key exists but is refused until SCIM is on.
		nk, err := c.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "create key")
		if !strings.HasPrefix(nk.Secret, "rsk_") || nk.Key.Status != roster.KeyActive || !strings.HasPrefix(nk.Secret, nk.Key.Prefix) {
			t.Fatalf("new key = %+v", nk.Key)
		}
		if r := e.scimGet(nk.Secret); r.status != 403 {
			t.Fatalf("SCIM off: status %d %s", r.status, r.body)
		}
		set, err := c.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		if !set.Enabled || set.BaseURL != e.ts.URL+"/scim/v2" {
			t.Fatalf("settings = %+v", set)
		}
		if r := e.scimGet(nk.Secret); r.status != 200 {
			t.Fatalf("Okta's test with an active key: status %d %s", r.status, r.body)
		}

		keys, err := c.SCIMKeys(ctx, team.ID)
		must(t, err, "keys")
		if len(keys) != 1 || keys[0].ID != nk.Key.ID || keys[0].Prefix != nk.Key.Prefix || keys[0].Status != roster.KeyActive || keys[0].CreatedBy == "" {
			t.Fatalf("keys = %+v", keys)
		}
		raw := e.raw("GET", "/api/v1/teams/acme/scim/keys", "", map[string]string{"Authorization": "Bearer " + mustToken(t, c)})
		if raw.status != 200 || strings.Contains(string(raw.body), nk.Secret) || strings.Contains(string(raw.body), "secret") {
			t.Fatalf("key list leaks: %d %s", raw.status, raw.body)
		}

		// Regenerate with an overlap: both work; then revoke the old one.
		rk, err := c.RegenerateSCIMKey(ctx, "acme", nk.Key.ID, roster.RegenerateKeyRequest{OverlapSeconds: 3600})
		must(t, err, "regenerate")
		if rk.Key.Name != "Okta" || rk.Secret == nk.Secret {
			t.Fatalf("regenerated = %+v", rk.Key)
		}
		for _, k := range []string{nk.Secret, rk.Secret} {
			if r := e.scimGet(k); r.status != 200 {
				t.Fatalf("overlap: status %d %s", r.status, r.body)
			}
		}
		wantErr(t, c.DeleteSCIMKey(ctx, "acme", nk.Key.ID), 409, "keyActive", "delete an active key")
		must(t, c.RevokeSCIMKey(ctx, "acme", nk.Key.ID), "revoke")
		if r := e.scimGet(nk.Secret); r.status != 401 {
			t.Fatalf("revoked key: status %d %s", r.status, r.body)
		}
		if r := e.scimGet(rk.Secret); r.status != 200 {
			t.Fatalf("new key after revoking the old: status %d", r.status)
		}
		// A key revoked outright is listed REVOKED until it is deleted.
		spare, err := c.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "spare"})
		must(t, err, "create spare")
		must(t, c.RevokeSCIMKey(ctx, "acme", spare.Key.ID), "revoke spare")
		keys, err = c.SCIMKeys(ctx, "acme")
		must(t, err, "keys")
		// The key revoked during its regeneration overlap stays listed as
		// REVOKED too (its scheduled revocation was brought forward).
		if len(keys) != 3 || keys[0].ID != spare.Key.ID || keys[0].Status != roster.KeyRevoked || keys[0].RevokedAt == nil ||
			keys[2].ID != nk.Key.ID || keys[2].Status != roster.KeyRevoked {
			t.Fatalf("after revoke: %+v", keys)
		}
		must(t, c.DeleteSCIMKey(ctx, "acme", spare.Key.ID), "delete revoked key")
		wantErr(t, c.DeleteSCIMKey(ctx, "acme", spare.Key.ID), 404, "notFound", "delete twice")

		// A key that has expired: listed EXPIRED, refused by SCIM.
		past := e.open(admin.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }))
		old, err := past.CreateKey(ctx, team.ID, "old", "cli", time.Hour)
		must(t, err, "create expiring key")
		if r := e.scimGet(old.Secret); r.status != 401 {
			t.Fatalf("expired key: status %d %s", r.status, r.body)
		}
		keys, err = c.SCIMKeys(ctx, "acme")
		must(t, err, "keys")
		status := map[string]string{}
		for _, k := range keys {
			status[k.ID] = k.Status
		}
		if status[old.Key.ID] != roster.KeyExpired || status[rk.Key.ID] != roster.KeyActive {
			t.Fatalf("statuses = %v", status)
		}
		must(t, c.DeleteSCIMKey(ctx, "acme", old.Key.ID), "delete expired key")

		// SCIM off again: the active key is refused.
		_, err = c.SetSCIM(ctx, "acme", false)
		must(t, err, "SCIM off")
		if r := e.scimGet(rk.Secret); r.status != 403 {
			t.Fatalf("SCIM off: status %d", r.status)
		}
		e.noSecretsLogged(nk.Secret, rk.Secret, old.Secret, spare.Secret, adminPass, c.CSRFToken())
	})
}

// mustToken makes a personal API token for c's person.
func mustToken(t *testing.T, c *roster.Client) string {
	t.Helper()
	nk, err := c.CreateToken(context.Background(), roster.CreateKeyRequest{Name: "test"})
	must(t, err, "create token")
	if !strings.HasPrefix(nk.Secret, "rpt_") {
		t.Fatalf("token %q", nk.Secret[:4])
	}
	return nk.Secret
}
