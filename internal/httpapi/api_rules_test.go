package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
)

// People and the rules: invitations, roles, another team's ids, CSRF,
// tokens, session end and expiry, the last Super Admin.
func TestAPIPeopleAndRules(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)

		// Invite Bob; he signs up, sees and accepts the invitation.
		inv, err := boss.Invite(ctx, "acme", roster.InviteRequest{Email: "bob@acme.test"})
		must(t, err, "invite")
		if inv.Status != roster.MemberInvited || inv.Role != roster.RoleDeveloper {
			t.Fatalf("invitation = %+v", inv)
		}
		invs, err := boss.Invitations(ctx, "acme")
		must(t, err, "invitations")
		if len(invs) != 1 || invs[0].ID != inv.ID {
			t.Fatalf("invitations = %+v", invs)
		}
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "bob@acme.test", Password: "bob's long password"})
		must(t, err, "bob signs up")
		bob := e.signedIn("bob@acme.test", "bob's long password")
		mine, err := bob.MyInvitation(ctx)
		must(t, err, "my invitation")
		if mine.ID != inv.ID || mine.TeamSlug != "acme" {
			t.Fatalf("my invitation = %+v", mine)
		}
		m, err := bob.AcceptInvitation(ctx, inv.ID)
		must(t, err, "accept")
		if m.Status != roster.MemberActive || m.Role != roster.RoleDeveloper {
			t.Fatalf("member after accept = %+v", m)
		}

		// Carol is invited and declines; Dan's invitation is cancelled.
		invC, err := boss.Invite(ctx, "acme", roster.InviteRequest{Email: "carol@acme.test"})
		must(t, err, "invite carol")
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "carol@acme.test", Password: "carol's long password"})
		must(t, err, "carol signs up")
		carol := e.signedIn("carol@acme.test", "carol's long password")
		must(t, carol.DeclineInvitation(ctx, invC.ID), "decline")
		_, err = carol.MyInvitation(ctx)
		wantErr(t, err, 404, "", "invitation after declining")
		invD, err := boss.Invite(ctx, "acme", roster.InviteRequest{Email: "dan@acme.test"})
		must(t, err, "invite dan")
		must(t, boss.CancelInvitation(ctx, "acme", invD.ID), "cancel")
		invs, err = boss.Invitations(ctx, "acme")
		must(t, err, "invitations")
		if len(invs) != 0 {
			t.Fatalf("invitations after accept, decline, cancel = %+v", invs)
		}

		// A developer reads but does not administer: 403.
		page, err := bob.Members(ctx, "acme", "", 0)
		must(t, err, "developer lists members")
		if page.Total != 2 || len(page.Members) != 2 {
			t.Fatalf("members = %+v", page)
		}
		_, err = bob.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "x"})
		wantErr(t, err, 403, "forbidden", "developer creates a key")
		_, err = bob.SetSCIM(ctx, "acme", true)
		wantErr(t, err, 403, "forbidden", "developer turns SCIM on")
		_, err = bob.Audit(ctx, "acme", roster.AuditQuery{})
		wantErr(t, err, 403, "forbidden", "developer reads the audit log")
		wantErr(t, bob.RemoveMember(ctx, "acme", me(t, boss).Member.ID), 403, "forbidden", "developer removes the admin")
		_, err = bob.SetRole(ctx, "acme", m.ID, roster.RoleSuperAdmin)
		wantErr(t, err, 403, "forbidden", "developer promotes himself")

		// Paging: limit 1 walks both members.
		p1, err := boss.Members(ctx, "acme", "", 1)
		must(t, err, "page 1")
		p2, err := boss.Members(ctx, "acme", p1.NextCursor, 1)
		must(t, err, "page 2")
		if len(p1.Members) != 1 || len(p2.Members) != 1 || p1.Members[0].ID == p2.Members[0].ID || p1.NextCursor == "" {
			t.Fatalf("pages %+v / %+v", p1, p2)
		}
		_, err = boss.Members(ctx, "acme", "", 5000)
		wantErr(t, err, 400, "invalidLimit", "limit too big")

		// Another team: Zed signs up and creates "zeta". Each side sees
		// the other's ids as 404.
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "zed@zeta.test", Password: "zed's long password"})
		must(t, err, "zed signs up")
		zed := e.signedIn("zed@zeta.test", "zed's long password")
		zeta, err := zed.CreateTeam(ctx, roster.CreateTeamRequest{Slug: "zeta", Name: "Zeta"})
		must(t, err, "zed creates a team")
		zedMember := me(t, zed).Member
		_, err = boss.Team(ctx, "zeta")
		wantErr(t, err, 404, "notFound", "another team by slug")
		_, err = boss.Team(ctx, zeta.ID)
		wantErr(t, err, 404, "notFound", "another team by id")
		_, err = boss.Members(ctx, zeta.ID, "", 0)
		wantErr(t, err, 404, "notFound", "another team's members")
		_, err = boss.Member(ctx, "acme", zedMember.ID)
		wantErr(t, err, 404, "notFound", "another team's member id under one's own team")
		wantErr(t, boss.RemoveMember(ctx, "acme", zedMember.ID), 404, "notFound", "remove another team's member")
		_, err = boss.SetRole(ctx, "acme", zedMember.ID, roster.RoleTeamAdmin)
		wantErr(t, err, 404, "notFound", "role of another team's member")
		_, err = zed.SCIMKeys(ctx, "acme")
		wantErr(t, err, 404, "notFound", "zed reads acme's keys")
		_, err = zed.Events(ctx, "acme", "", 0)
		wantErr(t, err, 404, "notFound", "zed reads acme's feed")

		// CSRF: a cookie-authenticated write needs the token and a
		// same-origin Origin; reads and token-authenticated writes do not.
		cookie, csrf := sessionCookie(t, e)
		body := `{"name":"k"}`
		wantAPIError(t, e.raw("POST", "/api/v1/teams/acme/scim/keys", body, map[string]string{"Cookie": cookie}), 403, "csrf", "no CSRF token")
		wantAPIError(t, e.raw("POST", "/api/v1/teams/acme/scim/keys", body, map[string]string{"Cookie": cookie, "X-CSRF-Token": "wrong"}), 403, "csrf", "wrong CSRF token")
		wantAPIError(t, e.raw("POST", "/api/v1/teams/acme/scim/keys", body, map[string]string{
			"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": "https://evil.example"}), 403, "csrf", "foreign Origin")
		if r := e.raw("POST", "/api/v1/teams/acme/scim/keys", body, map[string]string{
			"Cookie": cookie, "X-CSRF-Token": csrf, "Origin": e.ts.URL}); r.status != 201 {
			t.Fatalf("CSRF token and same Origin: %d %s", r.status, r.body)
		}
		if r := e.raw("GET", "/api/v1/teams/acme/scim/keys", "", map[string]string{"Cookie": cookie}); r.status != 200 {
			t.Fatalf("cookie read without CSRF token: %d %s", r.status, r.body)
		}
		wantAPIError(t, e.raw("POST", "/api/v1/session", `{"email":"`+adminEmail+`","password":"`+adminPass+`"}`,
			map[string]string{"Origin": "https://evil.example"}), 403, "csrf", "login from a foreign Origin")

		// Personal tokens: act with the person's role, no CSRF token,
		// revoked → 401.
		tok := mustToken(t, boss)
		defer e.noSecretsLogged(tok, strings.TrimPrefix(cookie, roster.SessionCookie+"="), csrf, adminPass, "bob's long password", "carol's long password", "zed's long password")
		api := e.client(roster.WithToken(tok))
		tm, err := api.Me(ctx)
		must(t, err, "me by token")
		if tm.AuthMethod != "token" || tm.Member.Role != roster.RoleSuperAdmin {
			t.Fatalf("me by token = %+v", tm)
		}
		_, err = api.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "by token"})
		must(t, err, "token write without CSRF")
		bobTok := e.client(roster.WithToken(mustToken(t, bob)))
		_, err = bobTok.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "x"})
		wantErr(t, err, 403, "forbidden", "developer's token creates a key")
		toks, err := boss.Tokens(ctx)
		must(t, err, "tokens")
		if len(toks) != 1 || toks[0].Status != roster.KeyActive {
			t.Fatalf("tokens = %+v", toks)
		}
		must(t, boss.RevokeToken(ctx, toks[0].ID), "revoke token")
		_, err = api.Me(ctx)
		wantErr(t, err, 401, "", "revoked token")
		wantAPIError(t, e.raw("GET", "/api/v1/me", "", map[string]string{"Authorization": "Bearer rpt_notatoken"}), 401, "", "malformed token")

		// Roles: promote Bob to Team Admin, who then may manage SCIM but
		// not touch the Super Admin.
		m, err = boss.SetRole(ctx, "acme", m.ID, roster.RoleTeamAdmin)
		must(t, err, "promote bob")
		if m.Role != roster.RoleTeamAdmin {
			t.Fatalf("bob = %+v", m)
		}
		_, err = bob.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "bob's"})
		must(t, err, "team admin creates a key")
		_, err = bob.SetRole(ctx, "acme", me(t, boss).Member.ID, roster.RoleDeveloper)
		wantErr(t, err, 403, "", "team admin demotes the super admin")
		_, err = boss.SetRole(ctx, "acme", m.ID, "emperor")
		wantErr(t, err, 400, "", "unknown role")

		// The last Super Admin can neither be demoted, removed nor leave.
		bossID := me(t, boss).Member.ID
		_, err = boss.SetRole(ctx, "acme", bossID, roster.RoleTeamAdmin)
		wantErr(t, err, 403, "lastSuperAdmin", "demote the last super admin")
		wantErr(t, boss.RemoveMember(ctx, "acme", bossID), 403, "lastSuperAdmin", "remove the last super admin")
		wantErr(t, boss.Leave(ctx, "acme"), 403, "lastSuperAdmin", "the last super admin leaves")

		// An admin removes Bob; his session no longer reaches the team.
		must(t, boss.RemoveMember(ctx, "acme", m.ID), "remove bob")
		_, err = bob.Members(ctx, "acme", "", 0)
		wantErr(t, err, 404, "", "removed member reads the team")

		// Sign out ends the session; the old cookie is refused.
		must(t, boss.SignOut(ctx), "sign out")
		_, err = boss.Me(ctx)
		wantErr(t, err, 401, "unauthenticated", "me after sign out")
		if r := e.raw("DELETE", "/api/v1/session", "", map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}); r.status != 204 {
			t.Fatalf("raw sign out: %d %s", r.status, r.body)
		}
		wantAPIError(t, e.raw("GET", "/api/v1/me", "", map[string]string{"Cookie": cookie}), 401, "sessionInvalid", "cookie after sign out")

		// A session expires after its idle time.
		again := e.signedIn(adminEmail, adminPass)
		_, err = again.Me(ctx)
		must(t, err, "me after signing in again")
		e.clock.Advance(25 * time.Hour)
		_, err = again.Me(ctx)
		wantErr(t, err, 401, "", "expired session")

		// A wrong password and an unknown email answer alike.
		_, err = e.client().SignIn(ctx, adminEmail, "wrong password")
		wantErr(t, err, 401, "", "wrong password")
		_, err = e.client().SignIn(ctx, "nobody@acme.test", "wrong password")
		wantErr(t, err, 401, "", "unknown email")
	})
}

// me returns c's caller.
func me(t *testing.T, c *roster.Client) roster.Me {
	t.Helper()
	m, err := c.Me(context.Background())
	must(t, err, "me")
	if m.Member == nil {
		t.Fatalf("me has no membership: %+v", m)
	}
	return m
}

// sessionCookie signs the Super Admin in afresh, checks the cookie's
// attributes, and returns the Cookie header value and the CSRF token.
func sessionCookie(t *testing.T, e *apiEnv) (string, string) {
	t.Helper()
	r := e.raw("POST", "/api/v1/session", `{"email":"`+adminEmail+`","password":"`+adminPass+`"}`, nil)
	if r.status != 200 {
		t.Fatalf("sign in: %d %s", r.status, r.body)
	}
	res := http.Response{Header: r.header}
	for _, ck := range res.Cookies() {
		if ck.Name != roster.SessionCookie {
			continue
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/" {
			t.Errorf("cookie attributes: %s", r.header.Get("Set-Cookie"))
		}
		// The raw answer's CSRF token belongs to this new session.
		var s struct {
			CSRFToken string `json:"csrfToken"`
		}
		if err := jsonUnmarshal(r.body, &s); err != nil || s.CSRFToken == "" {
			t.Fatalf("session answer %s", r.body)
		}
		if strings.Contains(string(r.body), ck.Value) {
			t.Errorf("the session secret is in the response body")
		}
		return ck.Name + "=" + ck.Value, s.CSRFToken
	}
	t.Fatalf("no session cookie: %v", r.header)
	return "", ""
}
