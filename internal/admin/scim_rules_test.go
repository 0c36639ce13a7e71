package admin_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

// verify marks a domain verified for the fixture's team.
func (f *fixture) verify(domain string) {
	f.t.Helper()
	f.must(f.st.InTx(f.ctx, func(tx storeTx) error {
		return tx.AddDomain(f.ctx, f.team.ID, domain, "tok", true, time.Now().UTC())
	}))
}

func (f *fixture) createUser(c provision.Caller, userName, email string) (*provision.Resource, error) {
	body := fmt.Sprintf(`{"schemas":[%q],"userName":%q,"password":"Pl4inTextPassw0rd!","emails":[{"value":%q,"primary":true,"type":"work"}],"name":{"givenName":"G","familyName":"F"}}`,
		scim.UserSchema, userName, email)
	return f.prov.CreateUser(f.ctx, c, []byte(body), provision.Options{})
}

func render(t *testing.T, r *provision.Resource) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(t.Context(), &buf, "https://roster.test/scim/v2"); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSCIMCreateRules(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		c := f.scimCaller()
		f.verify("corp.example")
		// New email: account and active member.
		r, err := f.createUser(c, "new@corp.example", "new@corp.example")
		f.must(err)
		m, err := f.st.Member(f.ctx, f.team.ID, r.ID())
		f.must(err)
		if m.Status != core.StatusActive || m.Role != core.RoleDeveloper || !m.SCIMManaged {
			t.Errorf("new: %+v", m)
		}
		// Existing account, no team, verified domain: added directly.
		_, err = f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "known@corp.example", Password: password})
		f.must(err)
		r, err = f.createUser(c, "known@corp.example", "known@corp.example")
		f.must(err)
		if m, _ := f.st.Member(f.ctx, f.team.ID, r.ID()); m.Status != core.StatusActive {
			t.Errorf("verified domain: %s", m.Status)
		}
		// Existing account, no team, unverified domain: an invitation,
		// visible in the Roster extension and the admin API.
		_, err = f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "guest@gmail.example", Password: password})
		f.must(err)
		r, err = f.createUser(c, "guest@gmail.example", "guest@gmail.example")
		f.must(err)
		ext, _ := render(t, r)[scim.RosterUserSchema].(map[string]any)
		if ext["status"] != "invited" || ext["invitationPending"] != true {
			t.Errorf("invited extension %v", ext)
		}
		invs, err := f.svc.Invitations(f.ctx, f.owner.Principal, f.team.ID)
		f.must(err)
		if len(invs) != 1 || invs[0].ID != r.ID() {
			t.Errorf("Invitations = %+v", invs)
		}
		deact := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"active","value":false}]}`, scim.PatchOpSchema)
		react := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"active","value":true}]}`, scim.PatchOpSchema)
		_, err = f.prov.PatchUser(f.ctx, c, r.ID(), []byte(deact), provision.Options{})
		f.must(err)
		_, err = f.prov.PatchUser(f.ctx, c, r.ID(), []byte(react), provision.Options{})
		f.must(err)
		if m, _ := f.st.Member(f.ctx, f.team.ID, r.ID()); m.Status != core.StatusInvited || !m.Active {
			t.Errorf("invitation after deactivate+reactivate: %s active=%v", m.Status, m.Active)
		}
		guest, err := f.svc.SignIn(f.ctx, "guest@gmail.example", password)
		f.must(err)
		if _, err := f.svc.AcceptInvitation(f.ctx, guest.Principal, r.ID()); err != nil {
			t.Errorf("accept SCIM invitation: %v", err)
		}
		// Account in another team on an unverified domain: 409 that does
		// not reveal the team.
		_, otherTeam := f.outsider("taken")
		_, err = f.createUser(c, "taken@other.example", "taken@other.example")
		if code(err) != "conflict/"+scim.ErrUniqueness || strings.Contains(err.Error(), otherTeam.Slug) || strings.Contains(err.Error(), otherTeam.ID) || strings.Contains(err.Error(), otherTeam.Name) {
			t.Errorf("other team: %v", err)
		}
		// The audit actor is the key (id and name); the password is nowhere.
		p, err := f.svc.Audit(f.ctx, f.owner.Principal, f.team.ID, admin.AuditQuery{Action: core.ChangeUserCreated})
		f.must(err)
		if len(p.Events) != 3 {
			t.Fatalf("user.created events: %d", len(p.Events))
		}
		for _, e := range p.Events {
			if e.Actor.Kind != core.ActorSCIMKey || e.Actor.ID != c.KeyID || e.Actor.Name != "okta" {
				t.Errorf("actor %+v", e.Actor)
			}
			if b, _ := json.Marshal(e.Summary); strings.Contains(string(b), "Pl4inText") {
				t.Errorf("password in audit summary %s", b)
			}
		}
	})
}

func TestSCIMDeactivationAndSelfService(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		c := f.scimCaller()
		f.verify("corp.example")
		_, err := f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "ann@corp.example", Password: password})
		f.must(err)
		r, err := f.createUser(c, "ann@corp.example", "ann@corp.example")
		f.must(err)
		_, err = f.svc.SetRole(f.ctx, f.owner.Principal, f.team.ID, r.ID(), core.RoleTeamAdmin)
		f.must(err)
		ann, err := f.svc.SignIn(f.ctx, "ann@corp.example", password)
		f.must(err)
		tok, err := f.svc.CreateToken(f.ctx, ann.Principal, "cli", 0)
		f.must(err)

		// Self-service is locked while SCIM is on.
		for what, err := range map[string]error{
			"email":    func() error { _, err := f.svc.ChangeEmail(f.ctx, ann.Principal, "ann2@corp.example"); return err }(),
			"password": f.svc.ChangePassword(f.ctx, ann.Principal, password, "a brand new password"),
			"leave":    f.svc.LeaveTeam(f.ctx, ann.Principal),
		} {
			if code(err) != "forbidden/managedByIdP" || !strings.Contains(err.Error(), "identity provider") {
				t.Errorf("%s while SCIM on: %v", what, err)
			}
		}
		// Only admins remove members: a developer cannot remove Ann.
		dev := f.person("dev", core.RoleDeveloper)
		if err := f.svc.RemoveMember(f.ctx, dev.Principal, f.team.ID, r.ID()); code(err) != "forbidden/forbidden" {
			t.Errorf("developer removes: %s", code(err))
		}
		// Email change only into a verified domain.
		_, err = f.prov.PatchUser(f.ctx, c, r.ID(), []byte(fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","path":"userName","value":"ann@elsewhere.example"},{"op":"replace","path":"emails","value":[{"value":"ann@elsewhere.example","primary":true}]}]}`, scim.PatchOpSchema)), provision.Options{})
		if e, ok := scim.AsError(err); !ok || e.Type != scim.ErrInvalidValue || !strings.Contains(e.Detail, "elsewhere.example") {
			t.Errorf("email into an unverified domain: %v", err)
		}

		// Deactivate with PATCH: sessions and tokens end, data and role kept.
		_, err = f.prov.PatchUser(f.ctx, c, r.ID(), []byte(fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","value":{"active":false}}]}`, scim.PatchOpSchema)), provision.Options{})
		f.must(err)
		if _, _, err := f.svc.Session(f.ctx, ann.Token); err == nil {
			t.Error("session survived deactivation")
		}
		if _, err := f.svc.AuthenticateToken(f.ctx, tok.Secret); err == nil {
			t.Error("token survived deactivation")
		}
		si, err := f.svc.SignIn(f.ctx, "ann@corp.example", password)
		f.must(err)
		if si.Principal.TeamID != "" {
			t.Errorf("deactivated member still has team access: %+v", si.Principal)
		}
		m, _ := f.st.Member(f.ctx, f.team.ID, r.ID())
		if m.Status != core.StatusDeactivated || m.Role != core.RoleTeamAdmin {
			t.Errorf("deactivated member %+v", m)
		}
		// Reactivate with PUT: the previous role is back.
		body := fmt.Sprintf(`{"schemas":[%q],"userName":"ann@corp.example","active":true,"emails":[{"value":"ann@corp.example","primary":true,"type":"work"}],"name":{"givenName":"G","familyName":"F"}}`, scim.UserSchema)
		_, err = f.prov.ReplaceUser(f.ctx, c, r.ID(), []byte(body), provision.Options{})
		f.must(err)
		si, err = f.svc.SignIn(f.ctx, "ann@corp.example", password)
		f.must(err)
		if si.Principal.Role != core.RoleTeamAdmin || si.Principal.TeamID != f.team.ID {
			t.Errorf("reactivated principal %+v", si.Principal)
		}
		if _, err := f.svc.AuthenticateToken(f.ctx, tok.Secret); err == nil {
			t.Error("a token revoked by deactivation came back")
		}
		// The same PUT again changes nothing and records nothing.
		nAudit, nFeed := len(f.actions()), len(f.changes())
		_, err = f.prov.ReplaceUser(f.ctx, c, r.ID(), []byte(body), provision.Options{})
		f.must(err)
		if len(f.actions()) != nAudit || len(f.changes()) != nFeed {
			t.Error("a no-op PUT was recorded")
		}
		// SCIM off: self-service is open again.
		_, err = f.svc.SetSCIMEnabled(f.ctx, f.owner.Principal, f.team.ID, false)
		f.must(err)
		if _, err := f.svc.ChangeEmail(f.ctx, si.Principal, "ann.b@corp.example"); err != nil {
			t.Errorf("email change with SCIM off: %v", err)
		}
		want := "user.created member.role_changed user.created user.updated user.deactivated user.reactivated user.updated"
		if got := types(f.changes()); !strings.HasSuffix(got, want) {
			t.Errorf("feed:\n got %s\nwant suffix %s", got, want)
		}
	})
}

func TestSCIMGroupFeed(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		c := f.scimCaller()
		f.verify("corp.example")
		var ids []string
		for i := range 4 {
			r, err := f.createUser(c, fmt.Sprintf("u%d@corp.example", i), fmt.Sprintf("u%d@corp.example", i))
			f.must(err)
			ids = append(ids, r.ID())
		}
		g, err := f.prov.CreateGroup(f.ctx, c, []byte(fmt.Sprintf(`{"schemas":[%q],"displayName":"Eng","members":[{"value":%q}]}`, scim.GroupSchema, ids[0])), provision.Options{})
		f.must(err)
		gp, err := f.svc.Groups(f.ctx, f.owner.Principal, f.team.ID, "", 10)
		f.must(err)
		if len(gp.Groups) != 1 || gp.Groups[0].ID != g.ID() {
			t.Errorf("Groups = %+v", gp)
		}
		var gm []string
		f.must(f.svc.GroupMembers(f.ctx, f.owner.Principal, f.team.ID, g.ID(), func(m core.GroupMember) error {
			gm = append(gm, m.Value)
			return nil
		}))
		if len(gm) != 1 || gm[0] != ids[0] {
			t.Errorf("GroupMembers = %v", gm)
		}
		other, _ := f.outsider("eve")
		if _, err := f.svc.Group(f.ctx, other.Principal, f.team.ID, g.ID()); code(err) != "notfound/notFound" {
			t.Errorf("outsider reads a group: %s", code(err))
		}
		nAudit, nFeed := len(f.actions()), len(f.changes())
		patch := func(ops string) {
			t.Helper()
			_, err := f.prov.PatchGroup(f.ctx, c, g.ID(), []byte(fmt.Sprintf(`{"schemas":[%q],"Operations":[%s]}`, scim.PatchOpSchema, ops)), provision.Options{})
			f.must(err)
		}
		// Okta's rename that renames nothing: no event.
		patch(fmt.Sprintf(`{"op":"replace","value":{"id":%q,"displayName":"Eng"}}`, g.ID()))
		if len(f.actions()) != nAudit || len(f.changes()) != nFeed {
			t.Errorf("no-op rename was recorded")
		}
		// Add three members in one PATCH that also lists a member already in
		// the group: one entry with the three new ids only.
		patch(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q},{"value":%q},{"value":%q},{"value":%q}]}`, ids[3], ids[0], ids[1], ids[2]))
		// Okta's remove, one operation per member, naming a member twice and
		// an id that is not in the group: one entry with the member removed.
		patch(fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%s\"]"},{"op":"remove","path":"members[value eq \"%s\"]"},{"op":"remove","path":"members[value eq \"%s\"]"}`,
			ids[0], "0190a5b0-0000-7000-8000-000000000000", ids[0]))
		patch(`{"op":"replace","path":"displayName","value":"Engineering"}`)
		f.must(f.prov.DeleteGroup(f.ctx, c, g.ID(), provision.Conditions{}))
		cs := f.changes()[nFeed:]
		if got := types(cs); got != "group.member_added group.member_removed group.updated group.deleted" {
			t.Fatalf("feed %s", got)
		}
		added, _ := cs[0].Data["member_ids"].([]any)
		removed, _ := cs[1].Data["member_ids"].([]any)
		if fmt.Sprint(added) != fmt.Sprint([]any{ids[1], ids[2], ids[3]}) || fmt.Sprint(removed) != fmt.Sprint([]any{ids[0]}) {
			t.Errorf("member ids: added %v removed %v", added, removed)
		}
		// Strictly ordered, gapless sequence numbers.
		all := f.changes()
		for i, ch := range all {
			if ch.Seq != int64(i+1) {
				t.Fatalf("seq %d at %d", ch.Seq, i)
			}
		}
		// Cursor paging of the feed.
		p1, err := f.svc.Changes(f.ctx, f.owner.Principal, f.team.ID, 0, 2)
		f.must(err)
		p2, err := f.svc.Changes(f.ctx, f.owner.Principal, f.team.ID, p1.Next, 2)
		f.must(err)
		if len(p1.Changes) != 2 || p2.Changes[0].Seq != 3 {
			t.Errorf("feed paging %d %+v", p1.Next, p2.Changes)
		}
		// SCIM keys cannot read the feed.
		if _, err := f.svc.Changes(f.ctx, core.Principal{Kind: core.PrincipalSCIMKey, TeamID: f.team.ID}, f.team.ID, 0, 10); code(err) != "forbidden/forbidden" {
			t.Errorf("SCIM key reads feed: %s", code(err))
		}
	})
}

func TestAuditQueryAndExport(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		owner := f.owner.Principal
		for i := range 5 {
			_, err := f.svc.Invite(f.ctx, owner, f.team.ID, fmt.Sprintf("p%d@example.com", i), "")
			f.must(err)
		}
		_, err := f.svc.RenameTeam(f.ctx, owner, f.team.ID, "=HYPERLINK(\"x\")")
		f.must(err)
		p1, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{Action: "member.invited", Limit: 3})
		f.must(err)
		p2, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{Action: "member.invited", Limit: 3, After: p1.Next})
		f.must(err)
		if len(p1.Events) != 3 || p1.Next == "" || len(p2.Events) != 2 || p2.Next != "" {
			t.Errorf("audit paging %d %q %d %q", len(p1.Events), p1.Next, len(p2.Events), p2.Next)
		}
		byActor, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{ActorID: owner.AccountID, TargetID: p1.Events[0].TargetID})
		f.must(err)
		if len(byActor.Events) != 1 {
			t.Errorf("by actor and target: %d", len(byActor.Events))
		}
		future, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{Since: f.clk.Now().Add(time.Hour)})
		f.must(err)
		if len(future.Events) != 0 {
			t.Errorf("since the future: %d", len(future.Events))
		}
		dev := f.person("dev", core.RoleDeveloper)
		if _, err := f.svc.Audit(f.ctx, dev.Principal, f.team.ID, admin.AuditQuery{}); code(err) != "forbidden/forbidden" {
			t.Errorf("developer reads audit: %s", code(err))
		}
		var csvOut, jsonl bytes.Buffer
		f.must(f.svc.ExportAudit(f.ctx, owner, f.team.ID, admin.AuditQuery{}, admin.ExportCSV, &csvOut))
		f.must(f.svc.ExportAudit(f.ctx, owner, f.team.ID, admin.AuditQuery{}, admin.ExportJSONL, &jsonl))
		lines := strings.Split(strings.TrimSpace(jsonl.String()), "\n")
		rows := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
		all, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{Limit: 1000})
		f.must(err)
		if len(lines) != len(all.Events) || len(rows) < len(all.Events)+1 || !strings.HasPrefix(rows[0], "id,at,actor_kind") {
			t.Errorf("export sizes: %d jsonl, %d csv rows, %d events", len(lines), len(rows), len(all.Events))
		}
		var first admin.ExportEvent
		f.must(json.Unmarshal([]byte(lines[0]), &first))
		if first.ID != all.Events[0].ID || first.Action != "team.created" {
			t.Errorf("first JSONL event %+v", first)
		}
		recs, err := csv.NewReader(strings.NewReader(csvOut.String())).ReadAll()
		f.must(err)
		for _, rec := range recs {
			for _, cell := range rec {
				if strings.HasPrefix(cell, "=") {
					t.Errorf("CSV cell is a formula: %q", cell)
				}
			}
		}
		if err := f.svc.ExportAudit(f.ctx, owner, f.team.ID, admin.AuditQuery{}, "xml", &csvOut); code(err) != "invalid/invalidFormat" {
			t.Errorf("unknown format: %s", code(err))
		}
	})
}
