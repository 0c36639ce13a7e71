package webui

import (
	"net/http"
	"net/url"
	"strings"

	roster "github.com/rosterhq/roster"
)

// Page sizes of the data pages.
const (
	membersPageSize      = 50
	groupsPageSize       = 50
	groupMembersPageSize = 50
	activityPageSize     = 50
	auditPageSize        = 50
	// invitationsShown is how many pending invitations the members page
	// lists under the invite form.
	invitationsShown = 20
)

// registerDataRoutes registers the data pages of a team: the dashboard
// (GET /admin/t/{team}/{$}), members and invitations, groups, provisioning
// activity and the audit log (webui-contract.md, "Routes"). Handlers are
// wrapped with u.inTeam (team pages) or u.signedIn, and render templates
// named templates/data_*.html.
func (u *UI) registerDataRoutes(mux *http.ServeMux) {
	t := Prefix + "/t/{team}"
	mux.Handle("GET "+t+"/{$}", u.inTeam(u.dashboard))
	mux.Handle("GET "+t+"/members", u.inTeam(u.membersPage))
	mux.Handle("GET "+t+"/members/{id}", u.inTeam(u.memberPage))
	mux.Handle("POST "+t+"/members/{id}/role", u.inTeam(u.memberSetRole))
	mux.Handle("POST "+t+"/members/{id}/remove", u.inTeam(u.memberRemove))
	mux.Handle("POST "+t+"/invitations", u.inTeam(u.inviteMember))
	mux.Handle("POST "+t+"/invitations/{id}/cancel", u.inTeam(u.cancelInvitation))
	mux.Handle("GET "+t+"/groups", u.inTeam(u.groupsPage))
	mux.Handle("GET "+t+"/groups/{id}", u.inTeam(u.groupPage))
	mux.Handle("GET "+t+"/activity", u.inTeam(u.activityPage))
	mux.Handle("GET "+t+"/audit", u.inTeam(u.auditPage))
	mux.Handle("GET "+t+"/audit/export", u.inTeam(u.auditExport))
}

// roles are the roles of the role selects, in rank order.
var roles = []string{roster.RoleSuperAdmin, roster.RoleTeamAdmin, roster.RoleDeveloper}

// statuses are the member statuses of the status filter.
var statuses = []string{roster.MemberActive, roster.MemberDeactivated, roster.MemberInvited}

// memberRow is a member as the members table shows it.
type memberRow struct {
	roster.Member
	// Name is the display name, else the userName, else the email.
	Name string
	// Refused explains why the member cannot be removed here ("" when they
	// can); RefusedShort is its few words for a table cell.
	Refused, RefusedShort string
}

// removeRefusal is the explanation shown instead of the remove button for
// a SCIM-managed member while SCIM is on (the API refuses it too).
const removeRefusal = "Managed by your identity provider through SCIM. To remove this person, unassign them from the Roster app in the identity provider; it then deactivates or removes them here."

// lastSuperAdminRefusal is shown instead of the remove button of the
// team's only active Super Admin (the API refuses it: lastSuperAdmin).
const lastSuperAdminRefusal = "The team's only Super Admin can't be removed: make someone else Super Admin first."

// placeholderDomain is the domain of the synthetic email of a member that
// SCIM created without one; the pages show the userName instead.
const placeholderDomain = "@scim.roster.invalid"

// newMemberRow prepares a member for the pages; lastSuper is the id of the
// team's only active Super Admin ("" when there are several).
func newMemberRow(m roster.Member, scimOn bool, lastSuper string) memberRow {
	if strings.HasSuffix(strings.ToLower(m.Email), placeholderDomain) {
		m.Email = m.UserName
	}
	r := memberRow{Member: m, Name: m.DisplayName}
	if r.Name == "" {
		r.Name = m.UserName
	}
	if r.Name == "" {
		r.Name = m.Email
	}
	switch {
	case scimOn && m.SCIMManaged && m.Status != roster.MemberInvited:
		r.Refused, r.RefusedShort = removeRefusal, "Managed by your identity provider"
	case lastSuper != "" && m.ID == lastSuper:
		r.Refused, r.RefusedShort = lastSuperAdminRefusal, "Only Super Admin: can't be removed"
	}
	return r
}

// lastSuperAdmin returns the id of the team's only active Super Admin,
// "" when there are several (or none).
func (p *page) lastSuperAdmin() (string, error) {
	pg, err := p.API.SearchMembers(p.ctx(), p.Team.Slug, roster.MemberQuery{Role: roster.RoleSuperAdmin, Status: roster.MemberActive, Limit: 2})
	if err != nil {
		return "", err
	}
	if len(pg.Members) != 1 {
		return "", nil
	}
	return pg.Members[0].ID, nil
}

// membersData is the members page.
type membersData struct {
	Q, Status, Role string
	Members         []memberRow
	Total           int
	Pager           Pager
	Invitations     []roster.Invitation
	// MoreInvitations is set when there are more than invitationsShown.
	MoreInvitations bool
	Roles           []string
	Statuses        []string
	SCIMEnabled     bool
}

func (u *UI) membersPage(p *page) error {
	v := p.r.URL.Query()
	q := roster.MemberQuery{Q: strings.TrimSpace(v.Get("q")), Status: v.Get("status"), Role: v.Get("role"),
		Cursor: v.Get("cursor"), Limit: membersPageSize}
	pg, err := p.API.SearchMembers(p.ctx(), p.Team.Slug, q)
	if err != nil {
		return err
	}
	d := membersData{Q: q.Q, Status: q.Status, Role: q.Role, Total: pg.Total, Pager: pager(p.r, pg.NextCursor),
		Roles: roles, Statuses: statuses, SCIMEnabled: p.Team.SCIMEnabled, Members: make([]memberRow, 0, len(pg.Members))}
	lastSuper := ""
	if p.isAdmin() {
		if lastSuper, err = p.lastSuperAdmin(); err != nil {
			return err
		}
	}
	for _, m := range pg.Members {
		d.Members = append(d.Members, newMemberRow(m, p.Team.SCIMEnabled, lastSuper))
	}
	if p.isAdmin() {
		// The first pending invitations, through the status index (the
		// whole list is the members page filtered by status=invited).
		inv, err := p.API.SearchMembers(p.ctx(), p.Team.Slug, roster.MemberQuery{Status: roster.MemberInvited, Limit: invitationsShown + 1})
		if err != nil {
			return err
		}
		if len(inv.Members) > invitationsShown {
			inv.Members, d.MoreInvitations = inv.Members[:invitationsShown], true
		}
		for _, m := range inv.Members {
			d.Invitations = append(d.Invitations, roster.Invitation{ID: m.ID, Email: m.Email, Role: m.Role, Status: m.Status,
				SCIM: m.SCIMManaged, CreatedAt: m.CreatedAt})
		}
	}
	return p.render("data_members", "Members", "members", d)
}

// memberData is a member's page.
type memberData struct {
	Member memberRow
	Roles  []string
	// Self is the caller's own membership.
	Self bool
}

func (u *UI) memberPage(p *page) error {
	m, err := p.API.Member(p.ctx(), p.Team.Slug, p.r.PathValue("id"))
	if err != nil {
		return err
	}
	lastSuper := ""
	if p.isAdmin() && m.Role == roster.RoleSuperAdmin {
		if lastSuper, err = p.lastSuperAdmin(); err != nil {
			return err
		}
	}
	d := memberData{Member: newMemberRow(m, p.Team.SCIMEnabled, lastSuper), Roles: roles,
		Self: p.Me != nil && p.Me.Member != nil && p.Me.Member.ID == m.ID}
	return p.render("data_member", d.Member.Name, "members", d)
}

func (u *UI) memberSetRole(p *page) error {
	id := p.r.PathValue("id")
	p.Back = p.teamPath("/members/" + url.PathEscape(id))
	role := p.form("role")
	m, err := p.API.SetRole(p.ctx(), p.Team.Slug, id, role)
	if err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", "Role of "+m.Email+" is now "+roleName(m.Role)+".")
}

func (u *UI) memberRemove(p *page) error {
	id := p.r.PathValue("id")
	p.Back = p.teamPath("/members/" + url.PathEscape(id))
	m, err := p.API.Member(p.ctx(), p.Team.Slug, id)
	if err != nil {
		return err
	}
	if err := p.API.RemoveMember(p.ctx(), p.Team.Slug, id); err != nil {
		return err
	}
	return p.redirect(p.teamPath("/members"), "ok", m.Email+" was removed from the team.")
}

func (u *UI) inviteMember(p *page) error {
	p.Back = p.teamPath("/members")
	email := p.form("email")
	if email == "" {
		return p.redirect(p.Back, "error", "Enter the email address of the person to invite.")
	}
	inv, err := p.API.Invite(p.ctx(), p.Team.Slug, roster.InviteRequest{Email: email, Role: p.form("role")})
	if err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", inv.Email+" is invited as "+roleName(inv.Role)+". They join when they sign up or sign in and accept.")
}

func (u *UI) cancelInvitation(p *page) error {
	p.Back = p.teamPath("/members")
	if err := p.API.CancelInvitation(p.ctx(), p.Team.Slug, p.r.PathValue("id")); err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", "The invitation was cancelled.")
}

// groupsData is the groups page.
type groupsData struct {
	Groups []roster.Group
	Total  int
	Pager  Pager
}

func (u *UI) groupsPage(p *page) error {
	pg, err := p.API.Groups(p.ctx(), p.Team.Slug, p.r.URL.Query().Get("cursor"), groupsPageSize)
	if err != nil {
		return err
	}
	return p.render("data_groups", "Groups", "groups", groupsData{Groups: pg.Groups, Total: pg.Total, Pager: pager(p.r, pg.NextCursor)})
}

// groupData is a group's page.
type groupData struct {
	Group   roster.Group
	Members []roster.GroupMember
	Pager   Pager
}

func (u *UI) groupPage(p *page) error {
	id := p.r.PathValue("id")
	g, err := p.API.Group(p.ctx(), p.Team.Slug, id)
	if err != nil {
		return err
	}
	pg, err := p.API.GroupMembers(p.ctx(), p.Team.Slug, id, p.r.URL.Query().Get("cursor"), groupMembersPageSize)
	if err != nil {
		return err
	}
	return p.render("data_group", g.DisplayName, "groups", groupData{Group: g, Members: pg.Members, Pager: pager(p.r, pg.NextCursor)})
}

// activityData is the provisioning activity page.
type activityData struct {
	FailuresOnly bool
	Rows         []roster.Activity
	Pager        Pager
	// KeyNames names the team's SCIM keys by id.
	KeyNames map[string]string
}

func (u *UI) activityPage(p *page) error {
	failures := p.r.URL.Query().Get("failures") == "1"
	pg, err := p.API.Activity(p.ctx(), p.Team.Slug, roster.ActivityQuery{FailuresOnly: failures,
		Cursor: p.r.URL.Query().Get("cursor"), Limit: activityPageSize})
	if err != nil {
		return err
	}
	d := activityData{FailuresOnly: failures, Rows: pg.Activity, Pager: pager(p.r, pg.NextCursor), KeyNames: map[string]string{}}
	if keys, err := p.API.SCIMKeys(p.ctx(), p.Team.Slug); err == nil {
		for _, k := range keys {
			d.KeyNames[k.ID] = k.Name
		}
	}
	return p.render("data_activity", "Provisioning activity", "activity", d)
}
