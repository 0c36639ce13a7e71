package check

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// resourceStep runs a write that must answer one of the wanted statuses;
// with a body it must be a resource, whose decoded form is returned.
func (c *checker) resourceStep(ctx context.Context, name, method, path string, body any, okConclusion string, want ...int) (map[string]any, bool) {
	raw := ""
	if body != nil {
		raw = string(mustJSON(body))
	}
	sent, r := c.do(ctx, method, path, raw)
	s := Step{Name: name, Sent: sent, Got: r.describe()}
	good := false
	for _, w := range want {
		good = good || (r.err == nil && r.status == w)
	}
	if !good {
		s.Verdict = Fail
		s.Conclusion, s.Fix = c.failure(r)
		c.add(s)
		return nil, false
	}
	var m map[string]any
	if r.status != http.StatusNoContent {
		var problem string
		if m, problem = decodeObject(r); problem != "" {
			s.Verdict, s.Conclusion = Fail, problem
			s.Fix = "answer with the resource as application/scim+json (RFC 7644 §3.3, §3.5)"
			c.add(s)
			return nil, false
		}
	}
	s.Verdict, s.Conclusion = Pass, okConclusion
	c.add(s)
	return m, true
}

// patchBody builds a PatchOp message; ops are op, path, value triples
// (an empty path makes a path-less op).
func (c *checker) patchBody(ops ...[3]any) map[string]any {
	list := make([]any, 0, len(ops))
	for _, o := range ops {
		op := o[0].(string)
		if c.opts.IdP == IdPEntra {
			op = strings.ToUpper(op[:1]) + op[1:] // Entra capitalises ops
		}
		e := map[string]any{"op": op, "value": o[2]}
		if p, _ := o[1].(string); p != "" {
			e["path"] = p
		}
		list = append(list, e)
	}
	return map[string]any{"schemas": []string{patchOpURN}, "Operations": list}
}

// activeBody is the PATCH that sets active the way the IdP sends it.
func (c *checker) activeBody(active bool) map[string]any {
	switch c.opts.IdP {
	case IdPOkta:
		return c.patchBody([3]any{"replace", "", map[string]any{"active": active}})
	case IdPEntra: // without the aadOptscim062020 flag: a string
		v := "False"
		if active {
			v = "True"
		}
		return c.patchBody([3]any{"replace", "active", v})
	}
	return c.patchBody([3]any{"replace", "active", active})
}

// roundTrip creates, updates, deactivates, reactivates and groups a
// uniquely named user, then removes what it created.
func (c *checker) roundTrip(ctx context.Context) {
	suffix := randomSuffix()
	userName := "roster-check-" + suffix + "@example.com"
	user, ok := c.resourceStep(ctx, "create a user (POST /Users)", http.MethodPost, "/Users", map[string]any{
		"schemas":  []string{userURN},
		"userName": userName, "externalId": "roster-check-" + suffix,
		"name":        map[string]any{"givenName": "Roster", "familyName": "Check"},
		"displayName": "Roster Check",
		"emails":      []any{map[string]any{"primary": true, "type": "work", "value": userName}},
		"active":      true,
	}, "the user is created", http.StatusCreated)
	if !ok {
		return
	}
	id, _ := user["id"].(string)
	if id == "" {
		c.add(Step{Name: "created user id", Verdict: Fail, Conclusion: "the 201 body has no \"id\"; the IdP cannot link the user", Fix: "return the created resource with its id"})
		return
	}
	if got, _ := user["userName"].(string); got != userName {
		c.add(Step{Name: "userName echo", Verdict: Fail, Got: got,
			Conclusion: "userName is not returned exactly as sent; Okta's tests fail on a changed case",
			Fix:        "store userName as sent and compare it case-insensitively"})
	}
	upath := "/Users/" + id
	defer c.removeUser(ctx, upath)

	c.update(ctx, upath, user)
	if m, ok := c.resourceStep(ctx, "deactivate (PATCH active=false)", http.MethodPatch, upath, c.activeBody(false),
		"deactivation works", http.StatusOK, http.StatusNoContent); ok {
		c.expectActive(ctx, upath, m, false)
	}
	if m, ok := c.resourceStep(ctx, "reactivate (PATCH active=true)", http.MethodPatch, upath, c.activeBody(true),
		"reactivation works", http.StatusOK, http.StatusNoContent); ok {
		c.expectActive(ctx, upath, m, true)
	}
	c.groupPush(ctx, id, userName, suffix)
}

// update changes the given name the way the IdP does: Okta GETs and PUTs
// the whole user; the others PATCH.
func (c *checker) update(ctx context.Context, upath string, user map[string]any) {
	var m map[string]any
	var ok bool
	if c.opts.IdP == IdPOkta {
		body := map[string]any{}
		for k, v := range user {
			if k != "meta" {
				body[k] = v
			}
		}
		body["name"] = map[string]any{"givenName": "Rostered", "familyName": "Check"}
		m, ok = c.resourceStep(ctx, "update a profile attribute (PUT /Users/{id})", http.MethodPut, upath, body,
			"profile updates work", http.StatusOK)
	} else {
		m, ok = c.resourceStep(ctx, "update a profile attribute (PATCH name.givenName)", http.MethodPatch, upath,
			c.patchBody([3]any{"replace", "name.givenName", "Rostered"}), "profile updates work", http.StatusOK, http.StatusNoContent)
	}
	if !ok {
		return
	}
	if m == nil {
		m = c.read(ctx, upath)
	}
	name, _ := m["name"].(map[string]any)
	if name["givenName"] != "Rostered" {
		c.add(Step{Name: "update took effect", Verdict: Fail, Got: excerpt(mustJSON(m["name"]), 200),
			Conclusion: "the update was accepted but name.givenName did not change", Fix: "apply PUT/PATCH to the stored user"})
	}
}

// read GETs a resource, nil on any failure.
func (c *checker) read(ctx context.Context, path string) map[string]any {
	_, r := c.do(ctx, http.MethodGet, path, "")
	if r.err != nil || r.status != http.StatusOK {
		return nil
	}
	m, _ := decodeObject(r)
	return m
}

// expectActive checks that a user's active flag is as set.
func (c *checker) expectActive(ctx context.Context, upath string, m map[string]any, want bool) {
	if m == nil {
		m = c.read(ctx, upath)
	}
	if got, ok := m["active"].(bool); !ok || got != want {
		c.add(Step{Name: fmt.Sprintf("active is %v", want), Verdict: Fail, Got: jsonText(m["active"]),
			Conclusion: "the change was accepted but \"active\" did not follow", Fix: "apply active to the stored user and return it as a JSON boolean"})
	}
}

// groupPush creates a group, adds the user, checks, removes the user and
// deletes the group.
func (c *checker) groupPush(ctx context.Context, userID, userName, suffix string) {
	g, ok := c.resourceStep(ctx, "push a group (POST /Groups)", http.MethodPost, "/Groups", map[string]any{
		"schemas": []string{groupURN}, "displayName": "roster-check-" + suffix, "members": []any{},
	}, "groups can be pushed", http.StatusCreated)
	if !ok {
		return
	}
	gid, _ := g["id"].(string)
	if gid == "" {
		c.add(Step{Name: "created group id", Verdict: Fail, Conclusion: "the 201 body has no \"id\"", Fix: "return the created group with its id"})
		return
	}
	gpath := "/Groups/" + gid
	defer c.resourceStep(ctx, "remove the test group (DELETE /Groups/{id})", http.MethodDelete, gpath, nil, "cleaned up", http.StatusNoContent, http.StatusOK)

	member := map[string]any{"value": userID, "display": userName}
	if _, ok := c.resourceStep(ctx, "add a member (PATCH add members)", http.MethodPatch, gpath,
		c.patchBody([3]any{"add", "members", []any{member}}), "memberships can be pushed", http.StatusOK, http.StatusNoContent); !ok {
		return
	}
	if got := c.read(ctx, gpath); !hasMember(got, userID) {
		c.add(Step{Name: "membership took effect", Verdict: Fail, Got: excerpt(mustJSON(got["members"]), 200),
			Conclusion: "the member add was accepted but the group does not list the user", Fix: "store group members and return them in members[].value"})
	}
	c.resourceStep(ctx, "remove the member (PATCH remove members[value eq …])", http.MethodPatch, gpath,
		c.patchBody([3]any{"remove", fmt.Sprintf("members[value eq %q]", userID), nil}), "memberships can be removed", http.StatusOK, http.StatusNoContent)
	if got := c.read(ctx, gpath); hasMember(got, userID) {
		c.add(Step{Name: "member removal took effect", Verdict: Fail, Conclusion: "the remove was accepted but the user is still a member",
			Fix: "apply remove with a members[value eq \"id\"] path"})
	}
}

func hasMember(g map[string]any, id string) bool {
	list, _ := g["members"].([]any)
	for _, e := range list {
		if m, _ := e.(map[string]any); m["value"] == id {
			return true
		}
	}
	return false
}

// removeUser deletes the test user, or deactivates it when the server
// refuses DELETE (Okta-style servers).
func (c *checker) removeUser(ctx context.Context, upath string) {
	sent, r := c.do(ctx, http.MethodDelete, upath, "")
	s := Step{Name: "remove the test user (DELETE /Users/{id})", Sent: sent, Got: r.describe()}
	switch {
	case r.err == nil && (r.status == http.StatusNoContent || r.status == http.StatusOK):
		s.Verdict, s.Conclusion = Pass, "cleaned up"
		c.add(s)
		return
	case r.err == nil && (r.status == http.StatusMethodNotAllowed || r.status == http.StatusNotImplemented || r.status == http.StatusForbidden || r.status == http.StatusBadRequest):
		s.Verdict = Warn
		s.Conclusion = "the server does not delete users; the test user is deactivated instead (Okta never deletes)"
		c.add(s)
		c.resourceStep(ctx, "deactivate the test user instead", http.MethodPatch, upath, c.activeBody(false), "the test user is left deactivated", http.StatusOK, http.StatusNoContent)
		return
	}
	s.Verdict = Fail
	s.Conclusion, s.Fix = c.failure(r)
	c.add(s)
}
