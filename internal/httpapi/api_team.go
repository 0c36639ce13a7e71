package httpapi

import (
	"net/http"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/core"
)

// teamRoutes are teams and their members.
func (h *adminAPI) teamRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams", OpID: "listTeams", Tag: "teams",
			Summary: "The teams the caller can see (a person belongs to at most one)", Resp: roster.TeamList{}, h: h.listTeams},
		{Method: "POST", Path: "/teams", OpID: "createTeam", Tag: "teams",
			Summary:     "Create a team; the caller becomes its Super Admin",
			Description: "409 alreadyMember when the caller already belongs to a team.",
			Body:        roster.CreateTeamRequest{}, Resp: roster.Team{}, Status: http.StatusCreated, h: h.createTeam},
		{Method: "GET", Path: "/teams/{team}", OpID: "getTeam", Tag: "teams",
			Summary: "A team", Resp: roster.Team{}, h: h.getTeam},
		{Method: "PATCH", Path: "/teams/{team}", OpID: "renameTeam", Tag: "teams",
			Summary: "Rename a team (Super and Team Admins)", Body: roster.RenameTeamRequest{}, Resp: roster.Team{}, h: h.renameTeam},
		{Method: "POST", Path: "/teams/{team}/leave", OpID: "leaveTeam", Tag: "teams",
			Summary:     "Leave the team",
			Description: "403 managedByIdP for a SCIM-managed member while SCIM is on; 403 lastSuperAdmin for the last Super Admin.",
			Status:      http.StatusNoContent, h: h.leaveTeam},
		{Method: "GET", Path: "/teams/{team}/members", OpID: "listMembers", Tag: "members",
			Summary: "A page of the team's members (active, deactivated and invited), in creation order, optionally searched and filtered",
			Query:   memberQuery, Resp: roster.MemberPage{}, h: h.searchMembers},
		{Method: "GET", Path: "/teams/{team}/members/{member}", OpID: "getMember", Tag: "members",
			Summary: "A member", Resp: roster.Member{}, h: h.getMember},
		{Method: "PUT", Path: "/teams/{team}/members/{member}/role", OpID: "setRole", Tag: "members",
			Summary:     "Change a member's role",
			Description: "Super and Team Admins; granting or changing Super Admin needs a Super Admin; the last Super Admin cannot be demoted (403 lastSuperAdmin).",
			Body:        roster.RoleRequest{}, Resp: roster.Member{}, h: h.setRole},
		{Method: "DELETE", Path: "/teams/{team}/members/{member}", OpID: "removeMember", Tag: "members",
			Summary:     "Remove a member from the team (the account is kept)",
			Description: "Super and Team Admins only; the last Super Admin cannot be removed.",
			Status:      http.StatusNoContent, h: h.removeMember},
	}
}

func (h *adminAPI) listTeams(w http.ResponseWriter, r *http.Request, c *caller) error {
	me, err := h.adm.Me(r.Context(), c.p)
	if err != nil {
		return err
	}
	out := roster.TeamList{Teams: []roster.Team{}}
	if me.Team != nil {
		out.Teams = append(out.Teams, wireTeam(*me.Team))
	}
	return ok(w, out)
}

func (h *adminAPI) createTeam(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.CreateTeamRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.adm.NewTeam(r.Context(), c.p, in.Slug, in.Name)
	if err != nil {
		return err
	}
	return created(w, wireTeam(t))
}

func (h *adminAPI) getTeam(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	return ok(w, wireTeam(t))
}

func (h *adminAPI) renameTeam(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.RenameTeamRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	t, err = h.adm.RenameTeam(r.Context(), c.p, t.ID, in.Name)
	if err != nil {
		return err
	}
	return ok(w, wireTeam(t))
}

func (h *adminAPI) leaveTeam(w http.ResponseWriter, r *http.Request, c *caller) error {
	if _, err := h.team(r, c); err != nil {
		return err
	}
	if err := h.adm.LeaveTeam(r.Context(), c.p); err != nil {
		return err
	}
	return noContent(w)
}

func (h *adminAPI) getMember(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	m, err := h.adm.Member(r.Context(), c.p, t.ID, r.PathValue("member"))
	if err != nil {
		return err
	}
	return ok(w, wireMember(m))
}

func (h *adminAPI) setRole(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.RoleRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	m, err := h.adm.SetRole(r.Context(), c.p, t.ID, r.PathValue("member"), core.Role(in.Role))
	if err != nil {
		return err
	}
	return ok(w, wireMember(m))
}

func (h *adminAPI) removeMember(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	if err := h.adm.RemoveMember(r.Context(), c.p, t.ID, r.PathValue("member")); err != nil {
		return err
	}
	return noContent(w)
}
