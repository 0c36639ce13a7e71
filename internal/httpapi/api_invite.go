package httpapi

import (
	"net/http"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// inviteRoutes are invitations: admins invite, list and cancel; the
// invited person sees, accepts or declines.
func (h *adminAPI) inviteRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/invitations", OpID: "listInvitations", Tag: "invitations",
			Summary: "The team's pending invitations (made by admins, and by SCIM for accounts on unverified domains)",
			Resp:    roster.InvitationList{}, h: h.listInvitations},
		{Method: "POST", Path: "/teams/{team}/invitations", OpID: "invite", Tag: "invitations",
			Summary:     "Invite a person by email (Super and Team Admins)",
			Description: "409 alreadyMember when the person already belongs to a team or is already invited.",
			Body:        roster.InviteRequest{}, Resp: roster.Invitation{}, Status: http.StatusCreated, h: h.invite},
		{Method: "DELETE", Path: "/teams/{team}/invitations/{invitation}", OpID: "cancelInvitation", Tag: "invitations",
			Summary: "Cancel a pending invitation", Status: http.StatusNoContent, h: h.cancelInvitation},
		{Method: "GET", Path: "/me/invitation", OpID: "getMyInvitation", Tag: "invitations",
			Summary: "The invitation waiting for the caller (404 when there is none)", Resp: roster.Invitation{}, h: h.myInvitation},
		{Method: "POST", Path: "/invitations/{invitation}/accept", OpID: "acceptInvitation", Tag: "invitations",
			Summary: "Accept the caller's invitation and join the team", Resp: roster.Member{}, h: h.acceptInvitation},
		{Method: "POST", Path: "/invitations/{invitation}/decline", OpID: "declineInvitation", Tag: "invitations",
			Summary: "Decline the caller's invitation", Status: http.StatusNoContent, h: h.declineInvitation},
	}
}

func wireInvitation(m core.Member, slug, name string) roster.Invitation {
	return roster.Invitation{
		ID: m.ID, TeamID: m.TeamID, TeamSlug: slug, TeamName: name, Email: m.Email,
		Role: string(m.Role), Status: string(m.Status), SCIM: m.SCIMManaged, CreatedAt: m.CreatedAt,
	}
}

func (h *adminAPI) listInvitations(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	ms, err := h.adm.Invitations(r.Context(), c.p, t.ID)
	if err != nil {
		return err
	}
	out := roster.InvitationList{Invitations: make([]roster.Invitation, 0, len(ms))}
	for _, m := range ms {
		out.Invitations = append(out.Invitations, wireInvitation(m, t.Slug, t.Name))
	}
	return ok(w, out)
}

func (h *adminAPI) invite(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.InviteRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	m, err := h.adm.Invite(r.Context(), c.p, t.ID, in.Email, core.Role(in.Role))
	if err != nil {
		return err
	}
	return created(w, wireInvitation(m, t.Slug, t.Name))
}

func (h *adminAPI) cancelInvitation(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	if err := h.adm.CancelInvitation(r.Context(), c.p, t.ID, r.PathValue("invitation")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *adminAPI) myInvitation(w http.ResponseWriter, r *http.Request, c *caller) error {
	inv, err := h.adm.MyInvitation(r.Context(), c.p)
	if err != nil {
		return err
	}
	return ok(w, wireMyInvitation(inv))
}

func wireMyInvitation(inv admin.Invitation) roster.Invitation {
	return wireInvitation(inv.Member, inv.TeamSlug, inv.TeamName)
}

func (h *adminAPI) acceptInvitation(w http.ResponseWriter, r *http.Request, c *caller) error {
	m, err := h.adm.AcceptInvitation(r.Context(), c.p, r.PathValue("invitation"))
	if err != nil {
		return err
	}
	return ok(w, wireMember(m))
}

func (h *adminAPI) declineInvitation(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := h.adm.DeclineInvitation(r.Context(), c.p, r.PathValue("invitation")); err != nil {
		return err
	}
	return noContent(w)
}
