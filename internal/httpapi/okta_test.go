package httpapi_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

// TestOkta replays the request shapes Okta sends (docs/idp-behaviour.md
// rows 1–15) through the whole stack.
func TestOkta(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		// Row 1: the connection test right after saving.
		r := s.expect(s.get("/scim/v2/Users?startIndex=1&count=2"), 200, "connection test")
		for _, want := range []string{`"schemas":["` + scim.ListResponseSchema + `"]`, `"totalResults":0`, `"itemsPerPage":0`, `"startIndex":1`, `"Resources":[]`} {
			if !bytes.Contains(r.body, []byte(want)) {
				t.Errorf("connection test body %s lacks %s", r.body, want)
			}
		}

		// Row 2: lookup before create; no match is an empty 200.
		email := s.e.Email("jane.doe")
		lookup := "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+email+`"`) + "&startIndex=1&count=100"
		r = s.expect(s.get(lookup), 200, "lookup")
		if r.json(t)["totalResults"] != float64(0) {
			t.Errorf("lookup of a new user: %s", r.body)
		}

		// Row 3: create with password, groups: [], emails, locale, externalId.
		create := js(obj{
			"schemas":  arr{scim.UserSchema},
			"userName": email, "name": obj{"givenName": "Jane", "familyName": "Doe"},
			"emails":      arr{obj{"primary": true, "value": email, "type": "work"}},
			"displayName": "Jane Doe", "locale": "en-US", "externalId": "00u1abcd",
			"groups": arr{}, "password": "Okta-Placeholder-Pw-9x!", "active": true,
		})
		r = s.expect(s.post("/scim/v2/Users", create), 201, "create")
		user := r.json(t)
		id, _ := user["id"].(string)
		if id == "" || user["userName"] != email || path(user, "name.familyName") != "Doe" {
			t.Fatalf("created user = %s", r.body)
		}
		if loc := r.header.Get("Location"); loc != baseURL+"/scim/v2/Users/"+id || path(user, "meta.location") != loc {
			t.Errorf("Location %q, meta.location %v", loc, path(user, "meta.location"))
		}
		if r.header.Get("ETag") != `W/"1"` || path(user, "meta.version") != `W/"1"` {
			t.Errorf("ETag %q", r.header.Get("ETag"))
		}

		// Row 4 and 15: a duplicate in another letter case is 409 uniqueness.
		dup := strings.Replace(create, email, strings.ToUpper(email), 1)
		checkError(t, s.post("/scim/v2/Users", dup), 409, "uniqueness", "duplicate create")

		// Row 2 again: found case-insensitively, userName as sent.
		r = s.expect(s.get("/scim/v2/Users?filter="+url.QueryEscape(`userName eq "`+strings.ToUpper(email)+`"`)+"&startIndex=1&count=100"), 200, "lookup again")
		if got := resources(r.json(t)); len(got) != 1 || got[0]["id"] != id || got[0]["userName"] != email {
			t.Errorf("lookup found %s", r.body)
		}

		// Row 5: GET then PUT of the whole object.
		r = s.expect(s.get("/scim/v2/Users/"+id), 200, "get")
		etag := r.header.Get("ETag")
		got := r.json(t)
		got["name"] = obj{"givenName": "Janet", "familyName": "Doe"}
		got["id"] = "ignored-body-id"
		delete(got, "active")
		r = s.expect(s.put("/scim/v2/Users/"+id, js(got)), 200, "put")
		put := r.json(t)
		if put["id"] != id || path(put, "name.givenName") != "Janet" || put["active"] != true || r.header.Get("ETag") == etag {
			t.Errorf("PUT result %s (etag %s, before %s)", r.body, r.header.Get("ETag"), etag)
		}
		// The stale ETag no longer matches: 412; 304 for the current one.
		checkError(t, s.do(req{method: "PUT", path: "/scim/v2/Users/" + id, body: js(got), header: map[string]string{"If-Match": etag}}), 412, "", "stale If-Match")
		cur := r.header.Get("ETag")
		r = s.do(req{method: "GET", path: "/scim/v2/Users/" + id, header: map[string]string{"If-None-Match": cur}})
		if r.status != 304 || len(r.body) != 0 || r.header.Get("ETag") != cur {
			t.Errorf("If-None-Match: %d %q", r.status, r.body)
		}
		r = s.do(req{method: "GET", path: "/scim/v2/Users/" + id, header: map[string]string{"If-None-Match": etag}})
		if r.status != 200 {
			t.Errorf("If-None-Match with an old ETag: %d", r.status)
		}
		checkError(t, s.do(req{method: "GET", path: "/scim/v2/Users/" + id, header: map[string]string{"If-Match": etag}}), 412, "", "GET If-Match")

		// Rows 5 and 6: path-less deactivation; the user stays visible.
		r = s.expect(s.patch("/scim/v2/Users/"+id, patchOps(obj{"op": "replace", "value": obj{"active": false}})), 200, "deactivate")
		if d := r.json(t); d["active"] != false || d[scim.RosterUserSchema].(map[string]any)["status"] != "deactivated" {
			t.Errorf("deactivated: %s", r.body)
		}
		r = s.expect(s.get(lookup), 200, "lookup of an inactive user")
		if got := resources(r.json(t)); len(got) != 1 || got[0]["active"] != false {
			t.Errorf("inactive lookup: %s", r.body)
		}
		r = s.expect(s.patch("/scim/v2/Users/"+id, patchOps(obj{"op": "replace", "value": obj{"active": true}})), 200, "reactivate")
		if r.json(t)["active"] != true {
			t.Errorf("reactivated: %s", r.body)
		}
		// Okta's password PATCH is accepted and discarded.
		s.expect(s.patch("/scim/v2/Users/"+id, patchOps(obj{"op": "replace", "value": obj{"password": "New-Secret-Pw-1"}})), 200, "password patch")

		// Row 9: group push in all four member shapes; row 10 rename.
		other := s.expect(s.post("/scim/v2/Users", js(obj{"userName": s.e.Email("sam"), "name": obj{"givenName": "Sam", "familyName": "Roe"}})), 201, "second user").json(t)["id"].(string)
		r = s.expect(s.post("/scim/v2/Groups", js(obj{"schemas": arr{scim.GroupSchema}, "displayName": "Engineering", "members": arr{}})), 201, "group create")
		gid := r.json(t)["id"].(string)
		gpath := "/scim/v2/Groups/" + gid
		steps := []struct {
			name string
			op   obj
			want []string
		}{
			{"add", obj{"op": "add", "path": "members", "value": arr{obj{"value": id, "display": email}}}, []string{id}},
			{"add second", obj{"op": "add", "path": "members", "value": arr{obj{"value": other, "display": "sam"}}}, []string{id, other}},
			{"remove by filter", obj{"op": "remove", "path": `members[value eq "` + id + `"]`}, []string{other}},
			{"replace path members", obj{"op": "replace", "path": "members", "value": arr{obj{"value": id}, obj{"value": other}}}, []string{id, other}},
			{"path-less replace", obj{"op": "replace", "value": obj{"members": arr{obj{"value": id}}}}, []string{id}},
		}
		for _, st := range steps {
			r = s.patch(gpath, patchOps(obj{"op": "replace", "value": obj{"id": gid, "displayName": "Engineering"}}, st.op))
			if r.status != 204 || len(r.body) != 0 {
				t.Fatalf("%s: %d %s", st.name, r.status, r.body)
			}
			g := s.expect(s.get(gpath), 200, st.name).json(t)
			if strings.Join(sortedIDs(members(g)), ",") != strings.Join(sortedIDs(st.want), ",") {
				t.Errorf("%s: members %v, want %v", st.name, members(g), st.want)
			}
		}
		// The rename that renames nothing keeps the version.
		before := s.get(gpath).header.Get("ETag")
		r = s.patch(gpath, patchOps(obj{"op": "replace", "value": obj{"id": gid, "displayName": "Engineering"}}))
		if r.status != 204 || r.header.Get("ETag") != before {
			t.Errorf("no-op rename: %d, ETag %s → %s", r.status, before, r.header.Get("ETag"))
		}
		r = s.patch(gpath, patchOps(obj{"op": "replace", "value": obj{"id": gid, "displayName": "Platform"}}))
		if r.status != 204 || r.header.Get("ETag") == before {
			t.Errorf("rename: %d, ETag %s", r.status, r.header.Get("ETag"))
		}
		// 200 with the resource when attributes are asked for.
		r = s.expect(s.patch(gpath+"?excludedAttributes=members", patchOps(obj{"op": "replace", "path": "displayName", "value": "Platform"})), 200, "patch with attributes")
		if g := r.json(t); g["displayName"] != "Platform" || g["members"] != nil {
			t.Errorf("patch with excludedAttributes: %s", r.body)
		}
		// A user's groups.
		if u := s.expect(s.get("/scim/v2/Users/"+id), 200, "user groups").json(t); len(u["groups"].([]any)) != 1 {
			t.Errorf("user groups: %v", u["groups"])
		}
		// Row 12: unlink with delete; users stay.
		r = s.del(gpath)
		if r.status != 204 {
			t.Errorf("delete group: %d %s", r.status, r.body)
		}
		checkError(t, s.get(gpath), 404, "", "group after delete")
		s.expect(s.get("/scim/v2/Users/"+id), 200, "user after group delete")

		// Row 3: no response ever carried a password sent by the client.
		for _, pw := range []string{"Okta-Placeholder-Pw-9x!", "New-Secret-Pw-1"} {
			if strings.Contains(s.bodies.String(), pw) || strings.Contains(s.logs.String(), pw) {
				t.Errorf("password %q echoed in a response or log", pw)
			}
		}
	})
}

func sortedIDs(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
