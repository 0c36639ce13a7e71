package admin_test

import (
	"testing"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

func TestRolesAndLastSuperAdmin(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		owner := f.owner.Principal
		dev := f.person("dev", core.RoleDeveloper)
		ta := f.person("ta", core.RoleTeamAdmin)

		// The last Super Admin can be neither demoted nor removed, nor leave.
		if _, err := f.svc.SetRole(f.ctx, owner, f.team.ID, owner.MemberID, core.RoleDeveloper); code(err) != "forbidden/lastSuperAdmin" {
			t.Errorf("demote last super admin: %s", code(err))
		}
		if err := f.svc.RemoveMember(f.ctx, owner, f.team.ID, owner.MemberID); code(err) != "forbidden/lastSuperAdmin" {
			t.Errorf("remove last super admin: %s", code(err))
		}
		if err := f.svc.LeaveTeam(f.ctx, owner); code(err) != "forbidden/lastSuperAdmin" {
			t.Errorf("last super admin leaves: %s", code(err))
		}
		// Developers change nothing; Team Admins cannot touch Super Admin.
		if _, err := f.svc.SetRole(f.ctx, dev.Principal, f.team.ID, ta.Principal.MemberID, core.RoleDeveloper); code(err) != "forbidden/forbidden" {
			t.Errorf("developer sets a role: %s", code(err))
		}
		if err := f.svc.RemoveMember(f.ctx, dev.Principal, f.team.ID, ta.Principal.MemberID); code(err) != "forbidden/forbidden" {
			t.Errorf("developer removes a member: %s", code(err))
		}
		if _, err := f.svc.SetRole(f.ctx, ta.Principal, f.team.ID, dev.Principal.MemberID, core.RoleSuperAdmin); code(err) != "forbidden/forbidden" {
			t.Errorf("team admin grants super admin: %s", code(err))
		}
		if err := f.svc.RemoveMember(f.ctx, ta.Principal, f.team.ID, owner.MemberID); code(err) != "forbidden/forbidden" {
			t.Errorf("team admin removes super admin: %s", code(err))
		}
		if _, err := f.svc.SetRole(f.ctx, owner, f.team.ID, dev.Principal.MemberID, "boss"); code(err) != "invalid/invalidRole" {
			t.Errorf("unknown role: %s", code(err))
		}
		// Another team's admin sees nothing of this team.
		other, otherTeam := f.outsider("eve")
		if _, err := f.svc.SetRole(f.ctx, other.Principal, f.team.ID, dev.Principal.MemberID, core.RoleTeamAdmin); code(err) != "notfound/notFound" {
			t.Errorf("outsider sets a role: %s", code(err))
		}
		if _, err := f.svc.Members(f.ctx, other.Principal, f.team.ID, admin.MemberQuery{}); code(err) != "notfound/notFound" {
			t.Errorf("outsider lists members: %s", code(err))
		}
		// ... and this team's ids do not work through the other team.
		if _, err := f.svc.SetRole(f.ctx, other.Principal, otherTeam.ID, dev.Principal.MemberID, core.RoleTeamAdmin); code(err) != "notfound/notFound" {
			t.Errorf("foreign member id: %s", code(err))
		}
		// Team admin promotes a developer; the change is audited and fed.
		m, err := f.svc.SetRole(f.ctx, ta.Principal, f.team.ID, dev.Principal.MemberID, core.RoleTeamAdmin)
		f.must(err)
		if m.Role != core.RoleTeamAdmin {
			t.Errorf("role after SetRole: %s", m.Role)
		}
		cs := f.changes()
		last := cs[len(cs)-1]
		if last.Type != core.ChangeMemberRoleChanged || last.ResourceID != m.ID || last.Data["new_role"] != "team_admin" {
			t.Errorf("last change %+v", last)
		}
		ev, err := f.svc.Audit(f.ctx, owner, f.team.ID, admin.AuditQuery{Action: core.ChangeMemberRoleChanged})
		f.must(err)
		if len(ev.Events) != 1 || ev.Events[0].Actor.ID != ta.Principal.AccountID || ev.Events[0].TargetID != m.ID {
			t.Errorf("role audit %+v", ev.Events)
		}
		// A second Super Admin lets the first step down.
		_, err = f.svc.SetRole(f.ctx, owner, f.team.ID, ta.Principal.MemberID, core.RoleSuperAdmin)
		f.must(err)
		if _, err := f.svc.SetRole(f.ctx, owner, f.team.ID, owner.MemberID, core.RoleDeveloper); err != nil {
			t.Errorf("demote with another super admin: %v", err)
		}
		// Members: paging.
		p1, err := f.svc.Members(f.ctx, owner, f.team.ID, admin.MemberQuery{Limit: 2})
		f.must(err)
		p2, err := f.svc.Members(f.ctx, owner, f.team.ID, admin.MemberQuery{Limit: 2, After: p1.Next})
		f.must(err)
		if p1.Total != 3 || len(p1.Members) != 2 || p1.Next == "" || len(p2.Members) != 1 || p2.Next != "" {
			t.Errorf("paging: %d %d %q %d %q", p1.Total, len(p1.Members), p1.Next, len(p2.Members), p2.Next)
		}
		// A developer (owner now) cannot remove; a super admin removes.
		if err := f.svc.RemoveMember(f.ctx, ta.Principal, f.team.ID, dev.Principal.MemberID); err != nil {
			t.Errorf("super admin removes: %v", err)
		}
		if _, err := f.svc.Member(f.ctx, owner, f.team.ID, dev.Principal.MemberID); code(err) != "notfound/notFound" {
			t.Errorf("removed member: %s", code(err))
		}
		if _, err := f.st.Account(f.ctx, dev.Principal.AccountID); err != nil {
			t.Errorf("account gone after removal: %v", err)
		}
	})
}

func TestInvitations(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		owner := f.owner.Principal
		inv, err := f.svc.Invite(f.ctx, owner, f.team.ID, "new@example.com", "")
		f.must(err)
		if inv.Status != core.StatusInvited || inv.Role != core.RoleDeveloper {
			t.Errorf("invitation %+v", inv)
		}
		if _, err := f.svc.Invite(f.ctx, owner, f.team.ID, "NEW@example.com", ""); code(err) != "conflict/alreadyMember" {
			t.Errorf("double invitation: %s", code(err))
		}
		list, err := f.svc.Invitations(f.ctx, owner, f.team.ID)
		f.must(err)
		if len(list) != 1 || list[0].ID != inv.ID {
			t.Errorf("Invitations = %+v", list)
		}
		// Someone in another team cannot be invited (without naming it).
		_, _ = f.outsider("busy")
		if _, err := f.svc.Invite(f.ctx, owner, f.team.ID, "busy@other.example", ""); code(err) != "conflict/alreadyMember" {
			t.Errorf("invite a member of another team: %s", code(err))
		}
		// The invited person signs up (claiming the pending account), sees
		// and declines; another invitation is accepted.
		_, err = f.svc.SignUp(f.ctx, admin.SignUpInput{Email: "new@example.com", Password: password})
		f.must(err)
		si, err := f.svc.SignIn(f.ctx, "new@example.com", password)
		f.must(err)
		if si.Principal.TeamID != "" {
			t.Errorf("invited person already has team access: %+v", si.Principal)
		}
		mine, err := f.svc.MyInvitation(f.ctx, si.Principal)
		f.must(err)
		if mine.Member.ID != inv.ID || mine.TeamSlug != "acme" {
			t.Errorf("MyInvitation = %+v", mine)
		}
		if _, err := f.svc.AcceptInvitation(f.ctx, f.owner.Principal, inv.ID); code(err) != "notfound/notFound" {
			t.Errorf("accept someone else's invitation: %s", code(err))
		}
		f.must(f.svc.DeclineInvitation(f.ctx, si.Principal, inv.ID))
		if _, err := f.svc.MyInvitation(f.ctx, si.Principal); code(err) != "notfound/notFound" {
			t.Errorf("invitation after decline: %s", code(err))
		}
		inv2, err := f.svc.Invite(f.ctx, owner, f.team.ID, "new@example.com", core.RoleTeamAdmin)
		f.must(err)
		m, err := f.svc.AcceptInvitation(f.ctx, si.Principal, inv2.ID)
		f.must(err)
		if m.Status != core.StatusActive || m.Role != core.RoleTeamAdmin {
			t.Errorf("accepted %+v", m)
		}
		// Cancel: only invitations, only by admins.
		inv3, err := f.svc.Invite(f.ctx, owner, f.team.ID, "third@example.com", "")
		f.must(err)
		if err := f.svc.CancelInvitation(f.ctx, owner, f.team.ID, m.ID); code(err) != "conflict/notInvited" {
			t.Errorf("cancel a member: %s", code(err))
		}
		f.must(f.svc.CancelInvitation(f.ctx, owner, f.team.ID, inv3.ID))
		want := "team.created member.added session.created member.invited invitation.declined member.invited invitation.accepted member.invited invitation.cancelled"
		if got := joinNoSessions(f.actions()); got != joinNoSessions(splitWords(want)) {
			t.Errorf("audit:\n got %s\nwant %s", got, joinNoSessions(splitWords(want)))
		}
	})
}
