package admin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

func TestSetupSignInSessions(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		p := f.owner.Principal
		if p.Role != core.RoleSuperAdmin || p.TeamID != f.team.ID || f.owner.Token == "" || f.owner.CSRFToken == "" {
			t.Fatalf("setup principal %+v", p)
		}
		// Setup runs once.
		_, err := f.svc.Setup(f.ctx, admin.SetupInput{SignUpInput: admin.SignUpInput{Email: "x@example.com", Password: password}})
		if code(err) != "forbidden/setupDone" {
			t.Errorf("second Setup: %s", code(err))
		}
		// Email unique case-insensitively.
		if _, err := f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "OWNER@example.COM", Password: password}); code(err) != "conflict/emailTaken" {
			t.Errorf("duplicate sign-up: %s", code(err))
		}
		if _, err := f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "weak@example.com", Password: "short"}); code(err) != "invalid/weakPassword" {
			t.Errorf("weak password: %s", code(err))
		}
		if _, err := f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "not an email", Password: password}); code(err) != "invalid/invalidEmail" {
			t.Errorf("bad email: %s", code(err))
		}
		// Wrong password and unknown email: the same answer.
		_, e1 := f.svc.SignIn(f.ctx, "owner@example.com", "wrong password!")
		_, e2 := f.svc.SignIn(f.ctx, "nobody@example.com", password)
		if code(e1) != "unauthenticated/badCredentials" || e1.Error() != e2.Error() {
			t.Errorf("bad sign-ins: %v / %v", e1, e2)
		}
		si, err := f.svc.SignIn(f.ctx, "owner@EXAMPLE.com", password)
		f.must(err)
		got, sess, err := f.svc.Session(f.ctx, si.Token)
		f.must(err)
		if got.AccountID != p.AccountID || got.Role != core.RoleSuperAdmin || sess.ID != si.Session.ID {
			t.Errorf("Session = %+v", got)
		}
		if err := admin.CheckCSRF(sess, si.CSRFToken); err != nil {
			t.Errorf("CSRF: %v", err)
		}
		if err := admin.CheckCSRF(sess, f.owner.CSRFToken); code(err) != "forbidden/csrf" {
			t.Errorf("CSRF of another session: %s", code(err))
		}
		// Sliding expiry: a use after 23h keeps it alive for another day.
		f.clk.Advance(23 * time.Hour)
		_, s2, err := f.svc.Session(f.ctx, si.Token)
		f.must(err)
		if !s2.ExpiresAt.After(sess.ExpiresAt) {
			t.Errorf("expiry did not slide: %v -> %v", sess.ExpiresAt, s2.ExpiresAt)
		}
		f.clk.Advance(23 * time.Hour)
		if _, _, err := f.svc.Session(f.ctx, si.Token); err != nil {
			t.Errorf("session after sliding: %v", err)
		}
		f.clk.Advance(25 * time.Hour)
		if _, _, err := f.svc.Session(f.ctx, si.Token); code(err) != "unauthenticated/sessionInvalid" {
			t.Errorf("expired session: %s", code(err))
		}
		// Sign-out ends a session.
		si, err = f.svc.SignIn(f.ctx, "owner@example.com", password)
		f.must(err)
		f.must(f.svc.SignOut(f.ctx, si.Token))
		if _, _, err := f.svc.Session(f.ctx, si.Token); code(err) != "unauthenticated/sessionInvalid" {
			t.Errorf("session after sign-out: %s", code(err))
		}
		f.must(f.svc.SignOut(f.ctx, si.Token))
		if _, _, err := f.svc.Session(f.ctx, "garbage"); code(err) != "unauthenticated/sessionInvalid" {
			t.Errorf("garbage session: %s", code(err))
		}
	})
}

func TestPersonalTokens(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		dev := f.person("dev", core.RoleDeveloper)
		nk, err := f.svc.CreateToken(f.ctx, dev.Principal, "ci", 0)
		f.must(err)
		if !strings.HasPrefix(nk.Secret, "rpt_") || nk.Key.Hash != nil {
			t.Fatalf("token %q hash %v", nk.Key.Prefix, nk.Key.Hash)
		}
		p, err := f.svc.AuthenticateToken(f.ctx, "Bearer "+nk.Secret)
		f.must(err)
		if p.AccountID != dev.Principal.AccountID || p.Role != core.RoleDeveloper || p.KeyID != nk.Key.ID {
			t.Errorf("token principal %+v", p)
		}
		// The token has the person's permissions: a developer cannot
		// manage SCIM.
		if _, err := f.svc.CreateSCIMKey(f.ctx, p, f.team.ID, "x", 0); code(err) != "forbidden/forbidden" {
			t.Errorf("developer token creating a SCIM key: %s", code(err))
		}
		ts, err := f.svc.Tokens(f.ctx, dev.Principal)
		f.must(err)
		if len(ts) != 1 || ts[0].Status != core.KeyActive || ts[0].Hash != nil {
			t.Errorf("Tokens = %+v", ts)
		}
		// Someone else cannot revoke it.
		if err := f.svc.RevokeToken(f.ctx, f.owner.Principal, nk.Key.ID); code(err) != "notfound/notFound" {
			t.Errorf("revoke someone else's token: %s", code(err))
		}
		f.must(f.svc.RevokeToken(f.ctx, dev.Principal, nk.Key.ID))
		if _, err := f.svc.AuthenticateToken(f.ctx, nk.Secret); code(err) != "unauthenticated/invalidToken" || !strings.Contains(err.Error(), "revoked") {
			t.Errorf("revoked token: %v", err)
		}
		// Expired.
		ek, err := f.svc.CreateToken(f.ctx, dev.Principal, "short", time.Minute)
		f.must(err)
		f.clk.Advance(2 * time.Minute)
		if _, err := f.svc.AuthenticateToken(f.ctx, ek.Secret); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Errorf("expired token: %v", err)
		}
		// A SCIM key is not a personal token, and garbage is refused
		// without a lookup.
		sk, err := f.svc.CreateSCIMKey(f.ctx, f.owner.Principal, f.team.ID, "okta", 0)
		f.must(err)
		if _, err := f.svc.AuthenticateToken(f.ctx, sk.Secret); code(err) != "unauthenticated/invalidToken" {
			t.Errorf("SCIM key as token: %s", code(err))
		}
		if _, err := f.svc.AuthenticateToken(f.ctx, "rpt_nope"); code(err) != "unauthenticated/invalidToken" {
			t.Errorf("garbage token: %s", code(err))
		}
		// Removing the person ends their token.
		nk2, err := f.svc.CreateToken(f.ctx, dev.Principal, "ci2", 0)
		f.must(err)
		f.must(f.svc.RemoveMember(f.ctx, f.owner.Principal, f.team.ID, dev.Principal.MemberID))
		if _, err := f.svc.AuthenticateToken(f.ctx, nk2.Secret); code(err) != "unauthenticated/invalidToken" {
			t.Errorf("token of a removed member: %s", code(err))
		}
	})
}

func TestPasswordHashes(t *testing.T) {
	run(t, func(f *fixture) {
		a, err := f.st.AccountByEmail(f.ctx, "owner@example.com")
		f.must(err)
		if !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$") || strings.Contains(a.PasswordHash, password) {
			f.t.Errorf("stored hash %q", a.PasswordHash)
		}
		me, err := f.svc.Me(f.ctx, f.owner.Principal)
		f.must(err)
		if me.Account.PasswordHash != "" || me.Member == nil || me.Team.ID != f.team.ID {
			f.t.Errorf("Me = %+v", me)
		}
		// Changing the password needs the current one and ends sessions.
		if err := f.svc.ChangePassword(f.ctx, f.owner.Principal, "wrong password!", "another good password"); code(err) != "forbidden/badCredentials" {
			f.t.Errorf("wrong current password: %s", code(err))
		}
		f.must(f.svc.ChangePassword(f.ctx, f.owner.Principal, password, "another good password"))
		if _, _, err := f.svc.Session(f.ctx, f.owner.Token); err == nil {
			f.t.Error("session survived a password change")
		}
		if _, err := f.svc.SignIn(f.ctx, "owner@example.com", "another good password"); err != nil {
			f.t.Errorf("sign in with the new password: %v", err)
		}
	})
}
