package httpapi

import (
	"net/http"
	"strings"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/check"
	"github.com/rosterhq/roster/internal/core"
)

// memberQuery are the query parameters of GET /teams/{team}/members.
var memberQuery = []apiParam{
	{Name: "q", Type: "string", Description: "members whose email, userName or display name starts with this, ignoring case (at most 256 bytes)"},
	{Name: "status", Type: "string", Enum: []string{"active", "deactivated", "invited"}, Description: "only members in this status"},
	{Name: "role", Type: "string", Enum: []string{"super_admin", "team_admin", "developer"}, Description: "only members with this role"},
	qCursor,
	{Name: "before", Type: "string", Description: "the prevCursor of the following page: returns the page before it"},
	qLimit,
}

// dataRoutes are the read models of the admin web page: the dashboard.
// (The member search is GET /teams/{team}/members, in teamRoutes.)
func (h *adminAPI) dataRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/stats", OpID: "getTeamStats", Tag: "teams",
			Summary: "The team dashboard: members by status, SCIM requests and failures per hour (24 h) and per day (30 days), last successful request per SCIM key",
			Description: "Every member of the team may read the member counts; provisioning (the SCIM traffic) is present only for Super and Team Admins. " +
				"Times are UTC; the traffic comes from the provisioning activity log, which keeps 30 days and at most a bounded number of records per team.",
			Resp: roster.TeamStats{}, h: h.getStats},
	}
}

// searchMembers serves GET /teams/{team}/members: every member in creation
// order, or those matching q, status and role, with keyset paging both
// ways.
func (h *adminAPI) searchMembers(w http.ResponseWriter, r *http.Request, c *caller) error {
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	q := admin.MemberSearch{
		Q: strings.TrimSpace(v.Get("q")), Status: core.MemberStatus(v.Get("status")), Role: core.Role(v.Get("role")),
		After: v.Get("cursor"), Before: v.Get("before"), Limit: limit,
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	pg, err := h.adm.SearchMembers(r.Context(), c.p, t.ID, q)
	if err != nil {
		return err
	}
	return ok(w, roster.MemberPage{Members: wireMembers(pg.Members), NextCursor: pg.Next, PrevCursor: pg.Prev, Total: pg.Total})
}

func (h *adminAPI) getStats(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	st, err := h.adm.Stats(r.Context(), c.p, t.ID)
	if err != nil {
		return err
	}
	out := roster.TeamStats{Members: roster.MemberCounts{Active: st.Active, Deactivated: st.Deactivated, Invited: st.Invited}}
	if ps := st.Provisioning; ps != nil {
		wp := &roster.ProvisioningStats{Hourly: wireBuckets(ps.Hourly), Daily: wireBuckets(ps.Daily), Keys: []roster.KeySync{}}
		for _, b := range ps.Hourly {
			wp.Requests24h += b.Requests
			wp.Failures24h += b.Failures
		}
		for _, k := range ps.Keys {
			ks := roster.KeySync{Key: wireKey(k.Key, k.Status)}
			if a := k.LastSuccess; a != nil {
				at := a.At
				ks.LastSuccessAt, ks.LastSuccessMethod, ks.LastSuccessPath = &at, a.Method, a.Path
			}
			wp.Keys = append(wp.Keys, ks)
		}
		out.Provisioning = wp
	}
	return ok(w, out)
}

func wireBuckets(bs []admin.Bucket) []roster.TrafficBucket {
	out := make([]roster.TrafficBucket, 0, len(bs))
	for _, b := range bs {
		out = append(out, roster.TrafficBucket{Start: b.Start, End: b.End, Requests: b.Requests, Failures: b.Failures})
	}
	return out
}

// explainActivity adds what `roster check` would say about a failed SCIM
// request to its wire form.
func explainActivity(a *roster.Activity) {
	a.Explanation, a.Fix = check.Explain(a.Status, a.SCIMType, a.Detail, []byte(a.ResponseBody))
}
