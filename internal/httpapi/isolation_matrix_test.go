package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
)

// isoTenant is one tenant of the isolation matrix: its key and the ids and
// values of its resources.
type isoTenant struct {
	key                       string
	userIDs, groupIDs         []string
	userNames, extIDs, emails []string
	groupNames, groupExtIDs   []string
}

// isoSeed creates three users and two groups (with members) for a tenant.
func isoSeed(s *server, key, prefix string) isoTenant {
	s.t.Helper()
	tn := isoTenant{key: key}
	for i := range 3 {
		un := fmt.Sprintf("%s.user%d@%s.test", prefix, i, prefix)
		ext := fmt.Sprintf("%s-ext-%d", prefix, i)
		r := s.do(req{method: "POST", path: "/scim/v2/Users", key: &key, body: js(obj{
			"schemas": arr{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": un, "externalId": ext,
			"name": obj{"givenName": "G" + prefix, "familyName": "F"}, "active": true,
			"emails": arr{obj{"value": un, "type": "work", "primary": true}},
		})})
		s.expect(r, 201, "seed user")
		tn.userIDs = append(tn.userIDs, r.json(s.t)["id"].(string))
		tn.userNames = append(tn.userNames, un)
		tn.extIDs = append(tn.extIDs, ext)
		tn.emails = append(tn.emails, un)
	}
	for i := range 2 {
		dn := fmt.Sprintf("%s group %d", prefix, i)
		ext := fmt.Sprintf("%s-gext-%d", prefix, i)
		r := s.do(req{method: "POST", path: "/scim/v2/Groups", key: &key, body: js(obj{
			"schemas": arr{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": dn, "externalId": ext,
			"members": arr{obj{"value": tn.userIDs[i]}, obj{"value": tn.userIDs[i+1]}},
		})})
		s.expect(r, 201, "seed group")
		tn.groupIDs = append(tn.groupIDs, r.json(s.t)["id"].(string))
		tn.groupNames = append(tn.groupNames, dn)
		tn.groupExtIDs = append(tn.groupExtIDs, ext)
	}
	return tn
}

// isoSnapshot is every resource of a tenant as its own key reads it: the
// lists and each resource by id, bodies byte for byte.
func isoSnapshot(s *server, tn isoTenant) string {
	s.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/scim/v2/Users?count=1000&sortBy=userName", "/scim/v2/Groups?count=1000&sortBy=displayName"} {
		r := s.do(req{method: "GET", path: p, key: &tn.key})
		s.expect(r, 200, "snapshot "+p)
		fmt.Fprintf(&b, "%s\n%s\n", p, r.body)
	}
	for _, id := range tn.userIDs {
		r := s.do(req{method: "GET", path: "/scim/v2/Users/" + id, key: &tn.key})
		fmt.Fprintf(&b, "user %s %d %s %s\n", id, r.status, r.header.Get("ETag"), r.body)
	}
	for _, id := range tn.groupIDs {
		r := s.do(req{method: "GET", path: "/scim/v2/Groups/" + id, key: &tn.key})
		fmt.Fprintf(&b, "group %s %d %s %s\n", id, r.status, r.header.Get("ETag"), r.body)
	}
	return b.String()
}

// rowsOf returns the lines of a database dump that mention s, from the
// tables of a team's resources, membership, audit and change feed (not the
// request log, its per-minute traffic counts or key usage times, which the
// snapshot's own reads write, a moment later, from the activity writer).
func rowsOf(dump, s string) string {
	var out []string
	for l := range strings.SplitSeq(dump, "\n") {
		table, _, _ := strings.Cut(l, ":")
		switch table {
		case "scim_activity", "scim_traffic", "api_keys":
			continue
		}
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// isoProbe is one request tenant B makes against tenant A's data.
type isoProbe struct {
	method, path, body string
	header             map[string]string
}

// isoOutcome classifies B's answer: 404, an empty list, a 400 about
// unknown members, or a Bulk response whose every operation failed that
// way. Anything else is a failure.
func isoOutcome(t *testing.T, p isoProbe, r resp) {
	t.Helper()
	what := p.method + " " + p.path + " " + p.body
	switch r.status {
	case 404:
		checkError(t, r, 404, "", what)
	case 400:
		checkError(t, r, 400, "", what)
		if !strings.Contains(strings.ToLower(string(r.body)), "member") {
			t.Errorf("%s: 400 that does not name the members: %s", what, r.body)
		}
	case 200:
		m := r.json(t)
		if ops, ok := m["Operations"].([]any); ok {
			for _, o := range ops {
				st, _ := o.(map[string]any)["status"].(string)
				if st != "404" && st != "400" {
					t.Errorf("%s: bulk operation status %q: %s", what, st, r.body)
				}
			}
			return
		}
		if tr, ok := m["totalResults"].(float64); !ok || tr != 0 || len(resources(m)) != 0 {
			t.Errorf("%s: 200 that is not an empty list: %s", what, r.body)
		}
	default:
		t.Errorf("%s: status %d: %s", what, r.status, r.body)
	}
}

// scimFilterProbes returns filters naming A's values, by resource type.
func scimFilterProbes(a isoTenant) (users, groups []string) {
	for i := range a.userIDs {
		users = append(users,
			fmt.Sprintf(`userName eq %q`, a.userNames[i]),
			fmt.Sprintf(`externalId eq %q`, a.extIDs[i]),
			fmt.Sprintf(`emails.value eq %q`, a.emails[i]),
			fmt.Sprintf(`emails[value eq %q]`, a.emails[i]),
			fmt.Sprintf(`id eq %q`, a.userIDs[i]),
			fmt.Sprintf(`userName sw %q`, a.userNames[i][:4]),
			fmt.Sprintf(`groups.value eq %q`, a.groupIDs[0]))
		groups = append(groups,
			fmt.Sprintf(`members.value eq %q`, a.userIDs[i]),
			fmt.Sprintf(`members[value eq %q]`, a.userIDs[i]))
	}
	for i := range a.groupIDs {
		groups = append(groups,
			fmt.Sprintf(`displayName eq %q`, a.groupNames[i]),
			fmt.Sprintf(`externalId eq %q`, a.groupExtIDs[i]),
			fmt.Sprintf(`id eq %q`, a.groupIDs[i]),
			fmt.Sprintf(`id eq %q or displayName eq %q`, a.groupIDs[i], a.groupNames[i]))
	}
	return users, groups
}

// isoSCIMProbes is the matrix of SCIM requests that name tenant A's ids
// and values.
func isoSCIMProbes(a, b isoTenant) []isoProbe {
	var ps []isoProbe
	add := func(method, path, body string) { ps = append(ps, isoProbe{method: method, path: path, body: body}) }
	userSchema := "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema := "urn:ietf:params:scim:schemas:core:2.0:Group"
	for i, id := range a.userIDs {
		p := "/scim/v2/Users/" + id
		add("GET", p, "")
		add("GET", p+"?attributes=userName", "")
		add("PUT", p, js(obj{"schemas": arr{userSchema}, "id": id, "userName": a.userNames[i], "active": false}))
		add("PATCH", p, patchOps(obj{"op": "replace", "path": "active", "value": false}))
		add("PATCH", p, patchOps(obj{"op": "replace", "value": obj{"userName": "stolen" + id}}))
		add("DELETE", p, "")
		ps = append(ps, isoProbe{method: "PATCH", path: p, body: patchOps(obj{"op": "replace", "path": "active", "value": false}), header: map[string]string{"If-Match": "*"}})
		ps = append(ps, isoProbe{method: "DELETE", path: p, header: map[string]string{"If-Match": "*"}})
		// PUT on B's own user carrying A's id in the body must not touch A.
	}
	for i, id := range a.groupIDs {
		p := "/scim/v2/Groups/" + id
		add("GET", p, "")
		add("GET", p+"?excludedAttributes=members", "")
		add("PUT", p, js(obj{"schemas": arr{groupSchema}, "id": id, "displayName": a.groupNames[i], "members": arr{}}))
		add("PATCH", p, patchOps(obj{"op": "add", "path": "members", "value": arr{obj{"value": b.userIDs[0]}}}))
		add("PATCH", p, patchOps(obj{"op": "remove", "path": "members"}))
		add("PATCH", p, patchOps(obj{"op": "remove", "path": fmt.Sprintf("members[value eq %q]", a.userIDs[0])}))
		add("PATCH", p, patchOps(obj{"op": "replace", "path": "displayName", "value": "stolen"}))
		add("DELETE", p, "")
	}
	// Writes to B's own group that name A's users as members.
	for _, uid := range a.userIDs {
		gp := "/scim/v2/Groups/" + b.groupIDs[0]
		add("PATCH", gp, patchOps(obj{"op": "add", "path": "members", "value": arr{obj{"value": uid}}}))
		add("PATCH", gp, patchOps(obj{"op": "add", "value": obj{"members": arr{obj{"value": uid}}}}))
		add("PATCH", gp, patchOps(obj{"op": "replace", "path": "members", "value": arr{obj{"value": uid}}}))
		add("PUT", gp, js(obj{"schemas": arr{groupSchema}, "displayName": b.groupNames[0], "members": arr{obj{"value": uid}}}))
		add("POST", "/scim/v2/Groups", js(obj{"schemas": arr{groupSchema}, "displayName": "B with A " + uid, "members": arr{obj{"value": uid}}}))
	}
	// Groups as members too (nested group ids of A).
	for _, gid := range a.groupIDs {
		add("POST", "/scim/v2/Groups", js(obj{"schemas": arr{groupSchema}, "displayName": "B nest " + gid, "members": arr{obj{"value": gid}}}))
	}
	uf, gf := scimFilterProbes(a)
	for res, fs := range map[string][]string{"Users": uf, "Groups": gf} {
		for _, f := range fs {
			add("GET", "/scim/v2/"+res+"?filter="+url.QueryEscape(f), "")
			add("GET", "/scim/v2/"+res+"?count=1000&startIndex=1&filter="+url.QueryEscape(f), "")
			add("POST", "/scim/v2/"+res+"/.search", js(obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": f}))
			add("POST", "/scim/v2/.search", js(obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": f}))
		}
	}
	// Bulk: A's ids in paths and in member values.
	var ops []any
	for i, id := range a.userIDs {
		ops = append(ops,
			obj{"method": "PUT", "path": "/Users/" + id, "data": obj{"schemas": arr{userSchema}, "userName": a.userNames[i], "active": false}},
			obj{"method": "PATCH", "path": "/Users/" + id, "data": obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": arr{obj{"op": "replace", "path": "active", "value": false}}}},
			obj{"method": "DELETE", "path": "/Users/" + id},
			obj{"method": "PATCH", "path": "/Groups/" + b.groupIDs[1], "data": obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": arr{obj{"op": "add", "path": "members", "value": arr{obj{"value": id}}}}}},
			obj{"method": "POST", "path": "/Groups", "bulkId": "g" + id, "data": obj{"schemas": arr{groupSchema}, "displayName": "bulk B " + id, "members": arr{obj{"value": id}}}},
		)
	}
	for _, id := range a.groupIDs {
		ops = append(ops,
			obj{"method": "PATCH", "path": "/Groups/" + id, "data": obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": arr{obj{"op": "remove", "path": "members"}}}},
			obj{"method": "DELETE", "path": "/Groups/" + id},
		)
	}
	for _, op := range ops {
		add("POST", "/scim/v2/Bulk", js(obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": arr{op}}))
	}
	add("POST", "/scim/v2/Bulk", js(obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": ops[:15]}))
	return ps
}

// Tenant B's key on everything of tenant A: 404 or nothing, and A's data
// unchanged byte for byte, over HTTP and in the database.
func TestIsolationMatrixSCIM(t *testing.T) {
	for _, be := range provisiontest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			s := start(t, be, httpapi.Config{RateLimit: httpapi.RateLimit{Disabled: true}})
			a := isoSeed(s, s.key, "alpha")
			_, keyB := s.e.NewTeam(true)
			b := isoSeed(s, keyB, "beta")

			before := isoSnapshot(s, a)
			beforeRows := rowsOf(provisiontest.DumpText(t, s.e.Store), s.e.Team.ID)
			probes := isoSCIMProbes(a, b)
			heads := 0
			for _, p := range probes {
				r := s.do(req{method: p.method, path: p.path, body: p.body, key: &keyB, header: p.header})
				isoOutcome(t, p, r)
				if p.method == "GET" {
					// HEAD is GET without the body: the same status and
					// length, no body, no ETag of A's resource.
					h := s.do(req{method: "HEAD", path: p.path, key: &keyB})
					heads++
					if cl := h.header.Get("Content-Length"); h.status != r.status || len(h.body) != 0 ||
						(cl != "" && cl != strconv.Itoa(len(r.body))) || (h.header.Get("ETag") != "" && r.status != 200) {
						t.Errorf("HEAD %s: status %d, Content-Length %q, ETag %q, %d body bytes; GET gave %d with %d bytes",
							p.path, h.status, cl, h.header.Get("ETag"), len(h.body), r.status, len(r.body))
					}
				}
			}
			// PUT on B's own user with A's id in the body: B's user changes
			// (or it is refused), never A's.
			for i, id := range a.userIDs {
				r := s.do(req{method: "PUT", path: "/scim/v2/Users/" + b.userIDs[i], key: &keyB, body: js(obj{
					"schemas": arr{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": id, "userName": b.userNames[i], "active": true,
				})})
				if r.status == 200 && r.json(t)["id"] != b.userIDs[i] {
					t.Errorf("PUT B's user with A's id in the body answered another id: %s", r.body)
				}
			}
			afterRows := rowsOf(provisiontest.DumpText(t, s.e.Store), s.e.Team.ID)
			if after := isoSnapshot(s, a); after != before {
				t.Errorf("team A's resources changed:\nbefore %s\nafter  %s", before, after)
			}
			if afterRows != beforeRows {
				t.Errorf("team A's rows changed:\n%s", lineDiff(beforeRows, afterRows))
			}
			// B's groups never gained A's users.
			for _, gid := range b.groupIDs {
				r := s.do(req{method: "GET", path: "/scim/v2/Groups/" + gid, key: &keyB})
				for _, m := range members(r.json(t)) {
					if slices.Contains(a.userIDs, m) || slices.Contains(a.groupIDs, m) {
						t.Errorf("B's group %s has A's member %s", gid, m)
					}
				}
			}
			t.Logf("%d SCIM probes with B's key on A's data (%d of them HEAD)", len(probes)+len(a.userIDs)+heads, heads)
		})
	}
}

// A person of team B (session and personal token) on team A's slug, id
// and A's member, key, domain, invitation and group ids: 404 everywhere.
func TestIsolationMatrixAdminAPI(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		ca, teamA := setup(t, e)
		_, err := ca.SetSCIM(ctx, teamA.ID, true)
		must(t, err, "SCIM on")
		nk, err := ca.CreateSCIMKey(ctx, teamA.ID, roster.CreateKeyRequest{Name: "okta"})
		must(t, err, "key A")
		_, err = ca.AddDomain(ctx, teamA.ID, "alpha.test")
		must(t, err, "domain A")
		inv, err := ca.Invite(ctx, teamA.ID, roster.InviteRequest{Email: "ivy@alpha.test"})
		must(t, err, "invite A")
		if r := e.scimCreate(nk.Secret, "u1@alpha.test"); r.status != 201 {
			t.Fatalf("scim user: %d %s", r.status, r.body)
		}
		var u struct{ ID string }
		_ = jsonUnmarshal(e.scimCreate(nk.Secret, "u2@alpha.test").body, &u)
		g := e.raw("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"alpha g","members":[{"value":"`+u.ID+`"}]}`,
			map[string]string{"Authorization": "Bearer " + nk.Secret, "Content-Type": "application/scim+json"})
		var grp struct{ ID string }
		_ = jsonUnmarshal(g.body, &grp)
		if g.status != 201 || grp.ID == "" {
			t.Fatalf("scim group: %d %s", g.status, g.body)
		}
		me, err := ca.Me(ctx)
		must(t, err, "me A")
		memberA := me.Member.ID

		// Team B: a person who signs up and creates a team.
		cb := e.client()
		_, err = cb.SignUp(ctx, roster.SignUpRequest{Email: "bob@beta.test", Password: adminPass})
		must(t, err, "sign up B")
		cb = e.signedIn("bob@beta.test", adminPass)
		teamB, err := cb.CreateTeam(ctx, roster.CreateTeamRequest{Slug: "beta", Name: "Beta"})
		must(t, err, "team B")
		tokB := mustToken(t, cb)

		tokA := mustToken(t, ca)
		snapA := func() string {
			var b strings.Builder
			for _, p := range []string{"", "/members", "/scim", "/scim/keys", "/domains", "/invitations", "/groups", "/groups/" + grp.ID, "/groups/" + grp.ID + "/members"} {
				r := e.raw("GET", "/api/v1/teams/"+teamA.ID+p, "", map[string]string{"Authorization": "Bearer " + tokA})
				fmt.Fprintf(&b, "%s %d %s\n", p, r.status, r.body)
			}
			return b.String()
		}
		before := snapA()

		var ps []isoProbe
		add := func(method, path, body string) {
			ps = append(ps, isoProbe{method: method, path: "/api/v1" + path, body: body})
		}
		for _, team := range []string{teamA.ID, teamA.Slug} {
			tp := "/teams/" + team
			add("GET", tp, "")
			add("PATCH", tp, `{"name":"stolen"}`)
			add("POST", tp+"/leave", "")
			add("GET", tp+"/members", "")
			add("GET", tp+"/members/"+memberA, "")
			add("PUT", tp+"/members/"+memberA+"/role", `{"role":"developer"}`)
			add("DELETE", tp+"/members/"+memberA, "")
			add("GET", tp+"/invitations", "")
			add("POST", tp+"/invitations", `{"email":"eve@beta.test"}`)
			add("DELETE", tp+"/invitations/"+inv.ID, "")
			add("GET", tp+"/scim", "")
			add("PUT", tp+"/scim", `{"enabled":false}`)
			add("GET", tp+"/scim/keys", "")
			add("POST", tp+"/scim/keys", `{"name":"evil"}`)
			add("POST", tp+"/scim/keys/"+nk.Key.ID+"/regenerate", `{}`)
			add("POST", tp+"/scim/keys/"+nk.Key.ID+"/revoke", "")
			add("DELETE", tp+"/scim/keys/"+nk.Key.ID, "")
			add("GET", tp+"/domains", "")
			add("POST", tp+"/domains", `{"domain":"evil.test"}`)
			add("POST", tp+"/domains/alpha.test/verify", "")
			add("DELETE", tp+"/domains/alpha.test", "")
			add("GET", tp+"/groups", "")
			add("GET", tp+"/groups/"+grp.ID, "")
			add("GET", tp+"/groups/"+grp.ID+"/members", "")
			add("GET", tp+"/audit", "")
			add("GET", tp+"/audit/export", "")
			add("GET", tp+"/scim/activity", "")
			add("GET", tp+"/events", "")
		}
		// A's ids under B's own team.
		bp := "/teams/" + teamB.ID
		add("GET", bp+"/members/"+memberA, "")
		add("PUT", bp+"/members/"+memberA+"/role", `{"role":"developer"}`)
		add("DELETE", bp+"/members/"+memberA, "")
		add("DELETE", bp+"/invitations/"+inv.ID, "")
		add("POST", bp+"/scim/keys/"+nk.Key.ID+"/regenerate", `{}`)
		add("POST", bp+"/scim/keys/"+nk.Key.ID+"/revoke", "")
		add("DELETE", bp+"/scim/keys/"+nk.Key.ID, "")
		add("POST", bp+"/domains/alpha.test/verify", "")
		add("DELETE", bp+"/domains/alpha.test", "")
		add("GET", bp+"/groups/"+grp.ID, "")
		add("GET", bp+"/groups/"+grp.ID+"/members", "")
		add("POST", "/invitations/"+inv.ID+"/accept", "")
		add("POST", "/invitations/"+inv.ID+"/decline", "")

		// HEAD is GET without the body: the same 404s.
		for _, p := range ps[:len(ps):len(ps)] {
			if p.method == "GET" {
				ps = append(ps, isoProbe{method: "HEAD", path: p.path})
			}
		}
		n := 0
		for _, auth := range []string{"session", "token"} {
			for _, p := range ps {
				n++
				if auth == "token" {
					r := e.raw(p.method, p.path, p.body, map[string]string{"Authorization": "Bearer " + tokB})
					if r.status != 404 {
						t.Errorf("%s %s %s as B (token): status %d %s", p.method, p.path, p.body, r.status, r.body)
					}
					continue
				}
				var in any
				if p.body != "" {
					in = json.RawMessage(p.body)
				}
				err := cb.Do(ctx, p.method, p.path, nil, in, nil)
				if roster.ErrorStatus(err) != 404 {
					t.Errorf("%s %s %s as B (session): %v", p.method, p.path, p.body, err)
				}
			}
		}
		if after := snapA(); after != before {
			t.Errorf("team A changed:\nbefore %s\nafter  %s", before, after)
		}
		t.Logf("%d admin API probes by team B on team A", n)
	})
}

// lineDiff lists the lines only in a ("-") or only in b ("+").
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for l := range strings.SplitSeq(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out strings.Builder
	for l := range ma {
		if !mb[l] {
			out.WriteString("- " + l + "\n")
		}
	}
	for l := range mb {
		if !ma[l] {
			out.WriteString("+ " + l + "\n")
		}
	}
	return out.String()
}
