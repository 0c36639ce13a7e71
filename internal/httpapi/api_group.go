package httpapi

import (
	"errors"
	"net/http"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/core"
)

// groupRoutes are a team's groups as SCIM provisioned them (read-only:
// the identity provider owns them).
func (h *adminAPI) groupRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/groups", OpID: "listGroups", Tag: "groups",
			Summary: "A page of the team's groups with member counts, in creation order",
			Query:   []apiParam{qCursor, qLimit}, Resp: roster.GroupPage{}, h: h.listGroups},
		{Method: "GET", Path: "/teams/{team}/groups/{group}", OpID: "getGroup", Tag: "groups",
			Summary: "A group", Resp: roster.Group{}, h: h.getGroup},
		{Method: "GET", Path: "/teams/{team}/groups/{group}/members", OpID: "listGroupMembers", Tag: "groups",
			Summary: "A page of a group's members, in member-id order",
			Query:   []apiParam{qCursor, qLimit}, Resp: roster.GroupMemberPage{}, h: h.listGroupMembers},
	}
}

func wireGroup(g core.Group) roster.Group {
	return roster.Group{
		ID: g.ID, DisplayName: g.DisplayName, ExternalID: g.ExternalID, MemberCount: g.MemberCount,
		CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt,
	}
}

func (h *adminAPI) listGroups(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	pg, err := h.adm.Groups(r.Context(), c.p, t.ID, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	out := roster.GroupPage{Groups: make([]roster.Group, 0, len(pg.Groups)), NextCursor: pg.Next, Total: pg.Total}
	for _, g := range pg.Groups {
		out.Groups = append(out.Groups, wireGroup(g))
	}
	return ok(w, out)
}

func (h *adminAPI) getGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	g, err := h.adm.Group(r.Context(), c.p, t.ID, r.PathValue("group"))
	if err != nil {
		return err
	}
	return ok(w, wireGroup(g))
}

// errPageFull stops the member stream once a page is complete.
var errPageFull = errors.New("page full")

// listGroupMembers pages the use case's member stream: members are in
// member-id order, so the cursor is the last id of the previous page.
func (h *adminAPI) listGroupMembers(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	after := r.URL.Query().Get("cursor")
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	out := roster.GroupMemberPage{Members: []roster.GroupMember{}}
	more := false
	err = h.adm.GroupMembers(r.Context(), c.p, t.ID, r.PathValue("group"), func(m core.GroupMember) error {
		if after != "" && m.Value <= after {
			return nil
		}
		if len(out.Members) == limit {
			more = true
			return errPageFull
		}
		out.Members = append(out.Members, roster.GroupMember{ID: m.Value, Type: m.Type, Display: m.Display})
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	if more {
		out.NextCursor = out.Members[len(out.Members)-1].ID
	}
	return ok(w, out)
}
