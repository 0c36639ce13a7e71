package httpapi_test

import (
	"context"
	"encoding/json"
	"testing"

	roster "github.com/rosterhq/roster"
)

// What the IdP does is what admins and the host application see: an
// account on an unverified domain becomes an invitation; deactivation ends
// the member's session and tokens and shows in the member list and the
// feed; reactivation restores the role.
func TestAPISCIMLifecycleSeenByAdmins(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")

		// Uma has an account on a domain acme has not verified: SCIM makes
		// an invitation, visible to admins and to Uma.
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "uma@elsewhere.test", Password: "uma's long password"})
		must(t, err, "uma signs up")
		r := e.scimCreate(key.Secret, "uma@elsewhere.test")
		if r.status != 201 {
			t.Fatalf("SCIM create: %d %s", r.status, r.body)
		}
		invs, err := boss.Invitations(ctx, "acme")
		must(t, err, "invitations")
		if len(invs) != 1 || invs[0].Email != "uma@elsewhere.test" || !invs[0].SCIM {
			t.Fatalf("invitations = %+v", invs)
		}
		uma := e.signedIn("uma@elsewhere.test", "uma's long password")
		inv, err := uma.MyInvitation(ctx)
		must(t, err, "uma's invitation")
		_, err = uma.AcceptInvitation(ctx, inv.ID)
		must(t, err, "uma accepts")

		// Vic: an account on the verified domain, linked by SCIM, holding a
		// session and a token. Deactivation ends both.
		_, err = boss.AddDomain(ctx, "acme", "acme.test")
		must(t, err, "add domain")
		d, err := boss.Domains(ctx, "acme")
		must(t, err, "domains")
		e.dns.Set(d[0].RecordName, d[0].RecordValue)
		_, err = boss.VerifyDomain(ctx, "acme", "acme.test")
		must(t, err, "verify")
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "vic@acme.test", Password: "vic's long password"})
		must(t, err, "vic signs up")
		r = e.scimCreate(key.Secret, "vic@acme.test")
		if r.status != 201 {
			t.Fatalf("SCIM create vic: %d %s", r.status, r.body)
		}
		var u struct{ ID string }
		_ = json.Unmarshal(r.body, &u)
		vic := e.signedIn("vic@acme.test", "vic's long password")
		vicTok := e.client(roster.WithToken(mustToken(t, vic)))
		_, err = boss.SetRole(ctx, "acme", u.ID, roster.RoleTeamAdmin)
		must(t, err, "promote vic")

		r = e.raw("PATCH", "/scim/v2/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			map[string]string{"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 200 {
			t.Fatalf("deactivate: %d %s", r.status, r.body)
		}
		m, err := boss.Member(ctx, "acme", u.ID)
		must(t, err, "vic as admins see him")
		if m.Status != roster.MemberDeactivated || m.Active {
			t.Fatalf("deactivated vic = %+v", m)
		}
		_, err = vic.Members(ctx, "acme", "", 0)
		if err == nil {
			t.Fatal("a deactivated member's session still reads the team")
		}
		_, err = vicTok.Me(ctx)
		wantErr(t, err, 401, "", "a deactivated member's token")

		r = e.raw("PATCH", "/scim/v2/Users/"+u.ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
			map[string]string{"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 200 {
			t.Fatalf("reactivate: %d %s", r.status, r.body)
		}
		m, err = boss.Member(ctx, "acme", u.ID)
		must(t, err, "vic again")
		if m.Status != roster.MemberActive || m.Role != roster.RoleTeamAdmin {
			t.Fatalf("reactivated vic = %+v", m)
		}

		pg, err := boss.Events(ctx, "acme", "", 1000)
		must(t, err, "feed")
		var order []string
		for _, ev := range pg.Events {
			if ev.ResourceID == u.ID {
				order = append(order, ev.Type)
			}
		}
		want := []string{roster.EventUserCreated, roster.EventMemberRoleChanged, roster.EventUserDeactivated, roster.EventUserReactivated}
		if len(order) != len(want) {
			t.Fatalf("vic's events = %v, want %v", order, want)
		}
		for i := range want {
			if order[i] != want[i] {
				t.Fatalf("vic's events = %v, want %v", order, want)
			}
		}
	})
}
